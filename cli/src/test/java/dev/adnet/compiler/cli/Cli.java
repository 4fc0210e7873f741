package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line in-process and checks that nothing printed a stack trace. */
final class Cli {
    private Cli() {}

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            exit = Main.run(args, o, e);
        }
        Run r = new Run(exit, out.toString(), err.toString());
        assertThat(r.out() + r.err()).as("no stack trace in %s", r).doesNotContain("Exception").doesNotContain("\tat ");
        return r;
    }
}
