package dev.adnet.maven;

import java.io.File;
import java.io.IOException;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/** The shell both goals share: configuration to {@link GeneratorSettings}, a {@link SourceGenerator} run, logging. */
abstract class AbstractGenerateMojo extends AbstractMojo {
    /** The project being built. */
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    /** The Java package of every generated class; by default each file's folder below the source directory. */
    @Parameter(property = "adnet.packageName")
    protected String packageName;

    /** Skips generation (and does not add the output directory as a source root). */
    @Parameter(property = "adnet.skip", defaultValue = "false")
    protected boolean skip;

    /** Where the digest cache of the incremental build is kept. */
    @Parameter(defaultValue = "${project.build.directory}/adnet-cache", required = true)
    protected File cacheDirectory;

    abstract File sourceDirectory();

    abstract File outputDirectory();

    /** The cache file's name: one per goal. */
    abstract String cacheName();

    abstract void addSourceRoot(String directory);

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("adnet: skipped (adnet.skip)");
            return;
        }
        GeneratorSettings settings = new GeneratorSettings(project.getBasedir().toPath(), sourceDirectory().toPath(),
                outputDirectory().toPath(), cacheDirectory.toPath().resolve(cacheName()), packageName);
        SourceGenerator.Result result;
        try {
            result = new SourceGenerator(settings, getLog()::info).run();
        } catch (IOException e) {
            throw new MojoExecutionException("adnet: cannot generate Java from " + settings.display(settings.sourceDirectory())
                    + ": " + e, e);
        } catch (RuntimeException e) {
            throw new MojoExecutionException("adnet: internal error while generating Java (please report it): " + e, e);
        }
        if (result.failed()) {
            for (String error : result.errors()) {
                getLog().error(error);
            }
            int n = result.errors().size();
            throw new MojoFailureException("adnet: " + n + (n == 1 ? " error" : " errors") + " in "
                    + result.errorFiles() + (result.errorFiles() == 1 ? " file" : " files") + "; nothing was generated");
        }
        addSourceRoot(settings.outputDirectory().toString());
    }
}
