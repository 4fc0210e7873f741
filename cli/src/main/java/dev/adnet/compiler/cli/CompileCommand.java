package dev.adnet.compiler.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "compile", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Generate one Java class per network.")
final class CompileCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = ".adnet files")
    List<Path> files;

    @Option(names = "-d", required = true, paramLabel = "DIR", description = "output directory for the Java sources")
    Path outputDir;

    @Option(names = "--package", paramLabel = "P", defaultValue = "adnet.generated", description = "Java package (default: ${DEFAULT-VALUE})")
    String javaPackage;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return new CodeGeneration(spec.commandLine().getOut(), spec.commandLine().getErr()).run(files, outputDir, javaPackage);
    }
}
