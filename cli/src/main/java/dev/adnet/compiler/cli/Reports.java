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
        err.print(result.render());
        long errors = result.diagnostics().stream().filter(d -> d.severity() == dev.adnet.compiler.diag.Severity.ERROR).count();
        err.println(errors + (errors == 1 ? " error" : " errors"));
        err.flush();
        return result.hasErrors();
    }
}
