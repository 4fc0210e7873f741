package dev.adnet.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * The {@code generate} goal for test sources: {@code src/test/adnet} into
 * {@code target/generated-test-sources/adnet}, added to the test compile source roots.
 */
@Mojo(name = "generate-test", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public class GenerateTestMojo extends AbstractGenerateMojo {
    /** The test {@code .adnet} sources; a file's folder below it is its Java package. */
    @Parameter(property = "adnet.testSourceDirectory", defaultValue = "${project.basedir}/src/test/adnet", required = true)
    private File testSourceDirectory;

    /** Where the generated test Java goes; the plugin owns this folder. */
    @Parameter(property = "adnet.testOutputDirectory", defaultValue = "${project.build.directory}/generated-test-sources/adnet",
            required = true)
    private File testOutputDirectory;

    @Override
    File sourceDirectory() {
        return testSourceDirectory;
    }

    @Override
    File outputDirectory() {
        return testOutputDirectory;
    }

    @Override
    String cacheName() {
        return "generate-test.cache";
    }

    @Override
    void addSourceRoot(String directory) {
        project.addTestCompileSourceRoot(directory);
    }
}
