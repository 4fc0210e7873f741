package dev.adnet.compiler.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code adnet lsp}: the language server on standard input and output, for editors. */
@Command(name = "lsp", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run the language server (LSP over standard input and output), for editors.")
final class LspCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        return dev.adnet.lsp.Main.serveStdio();
    }
}
