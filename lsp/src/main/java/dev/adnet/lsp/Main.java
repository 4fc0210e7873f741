package dev.adnet.lsp;

import java.io.PrintStream;

/** Runs the server on standard input and output: what {@code adnet lsp} does, without the command line around it. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(serveStdio());
    }

    /** Serves the protocol on standard input and output; the exit code. */
    public static int serveStdio() {
        PrintStream protocol = System.out;
        // Standard output carries the protocol: anything else printed would corrupt it.
        System.setOut(System.err);
        return AdnetLanguageServer.run(System.in, protocol);
    }
}
