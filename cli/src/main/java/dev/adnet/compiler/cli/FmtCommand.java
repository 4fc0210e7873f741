package dev.adnet.compiler.cli;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.parse.Formatter;
import dev.adnet.compiler.source.SourceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code adnet fmt [--check] FILE...}: rewrites each file in the canonical layout ({@link Formatter}); with
 * {@code --check}, changes nothing and lists the files that are not formatted. A file that does not parse is reported
 * with its diagnostic and left alone; any such file, or any unformatted one under {@code --check}, exits 1.
 */
@Command(name = "fmt", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Format files in the canonical layout (comments kept).")
final class FmtCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = ".adnet files")
    List<Path> files;

    @Option(names = "--check", description = "Change nothing; list the files that are not formatted and exit 1 if any.")
    boolean check;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean failed = false;
        for (Path file : files) {
            String name = file.toString();
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(file);
            } catch (NoSuchFileException e) {
                err.println(name + ":1:1: error: no such file");
                failed = true;
                continue;
            } catch (IOException e) {
                err.println(name + ":1:1: error: cannot read " + name + ": " + e.getMessage());
                failed = true;
                continue;
            }
            Formatter.Result result = Formatter.format(name, bytes);
            if (result.text().isEmpty()) {
                SourceFile source = new SourceFile(name, new String(bytes, StandardCharsets.UTF_8));
                err.print(new CompileResult(result.diagnostics(), Map.of(name, source), List.of()).report());
                failed = true;
                continue;
            }
            byte[] formatted = result.text().get().getBytes(StandardCharsets.UTF_8);
            if (Arrays.equals(formatted, bytes)) {
                continue;
            }
            if (check) {
                out.println(name);
                failed = true;
                continue;
            }
            try {
                Files.write(file, formatted);
            } catch (IOException e) {
                err.println(name + ":1:1: error: cannot write " + name + ": " + e.getMessage());
                failed = true;
            }
        }
        out.flush();
        err.flush();
        return failed ? Main.DIAGNOSTICS : Main.OK;
    }
}
