package dev.adnet.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Generates one Java class per {@code network} of the {@code .adnet} files under {@code src/main/adnet} into
 * {@code target/generated-sources/adnet}, and adds that folder to the compile source roots. Only files whose
 * content (or that of a file they import) changed are compiled again; any error fails the build with every
 * diagnostic as {@code file:line:col: error[ADNxxx]: message}.
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractGenerateMojo {
    /** The {@code .adnet} sources; a file's folder below it is its Java package. */
    @Parameter(property = "adnet.sourceDirectory", defaultValue = "${project.basedir}/src/main/adnet", required = true)
    private File sourceDirectory;

    /** Where the generated Java goes; the plugin owns this folder. */
    @Parameter(property = "adnet.outputDirectory", defaultValue = "${project.build.directory}/generated-sources/adnet",
            required = true)
    private File outputDirectory;

    @Override
    File sourceDirectory() {
        return sourceDirectory;
    }

    @Override
    File outputDirectory() {
        return outputDirectory;
    }

    @Override
    String cacheName() {
        return "generate.cache";
    }

    @Override
    void addSourceRoot(String directory) {
        project.addCompileSourceRoot(directory);
    }
}
