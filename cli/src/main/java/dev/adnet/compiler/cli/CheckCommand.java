package dev.adnet.compiler.cli;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Check files and print every diagnostic.")
final class CheckCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = ".adnet files")
    List<Path> files;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return check(files, spec.commandLine().getErr());
    }

    /** Checks {@code files}, prints their diagnostics; the exit code. */
    static int check(List<Path> files, PrintWriter err) {
        CompileResult result = new Compiler().check(files);
        return Reports.diagnostics(result, err) ? Main.DIAGNOSTICS : Main.OK;
    }
}
