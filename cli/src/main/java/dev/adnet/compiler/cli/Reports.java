package dev.adnet.compiler.cli;

import dev.adnet.compiler.CompileResult;
import java.io.PrintWriter;

/** Printing shared by the commands. */
final class Reports {
    private Reports() {}

    /** Prints the diagnostics and a count; true when there were errors. */
    static boolean diagnostics(CompileResult result, PrintWriter err) {
        if (result.diagnostics().isEmpty()) {
            return false;
        }
        err.print(result.report());
        err.flush();
        return result.hasErrors();
    }
}
