package dev.adnet.compiler.cli;

import dev.adnet.compiler.Compiler;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code adnet}: check, describe, compile, train, evaluate and apply adnet networks.
 *
 * <p>The commands that run networks are registered only when the command line is not one of the front end's
 * ({@link #FRONT_END}): picocli reflects on every registered command, and theirs name runtime and ND4J types, so
 * {@code adnet check} would otherwise load ND4J classes it never uses.
 */
@Command(name = "adnet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "A compiler for adaptive neural networks.",
        subcommands = {CheckCommand.class, DescribeCommand.class, CompileCommand.class, FmtCommand.class, LspCommand.class})
public final class Main implements Runnable {
    public static final int OK = 0;
    public static final int DIAGNOSTICS = 1;
    public static final int USAGE = 2;
    /** The commands that need only the compiler. */
    static final Set<String> FRONT_END = Set.of("check", "describe", "compile", "fmt", "lsp");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: check, describe, compile, fmt, lsp, train, eval, calibrate, predict, freeze");
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line with the given streams; returns the exit code. Tests call this in-process. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        List<Path> plainCheck = plainCheck(args);
        if (plainCheck != null) {
            return CheckCommand.check(plainCheck, err);
        }
        CommandLine cl = new CommandLine(new Main());
        if (args.length == 0 || !FRONT_END.contains(args[0])) {
            cl.addSubcommand(new TrainCommand());
            cl.addSubcommand(new EvalCommand());
            cl.addSubcommand(new CalibrateCommand());
            cl.addSubcommand(new PredictCommand());
            cl.addSubcommand(new FreezeCommand());
            cl.addSubcommand(new CommandLine.HelpCommand());
        }
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            // Anything that reaches here is unexpected: say so in one line, never with a stack trace.
            line.getErr().println("adnet: internal error: " + ex);
            return DIAGNOSTICS;
        });
        return cl.execute(args);
    }

    /**
     * The files of {@code check FILE...} with no option, no {@code @argfile} and no path Java rejects, else null.
     * That command, the one editors and scripts run at every save, runs without picocli: picocli's classes are
     * compiled for Java 5, so the class-data archive cannot hold them, and building its model of the commands
     * costs more CPU at start-up than any other step but checking (docs/benchmarks.md).
     */
    static List<Path> plainCheck(String[] args) {
        if (args.length < 2 || !args[0].equals("check")) {
            return null;
        }
        List<Path> files = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].isEmpty() || args[i].startsWith("-") || args[i].startsWith("@")) {
                return null;
            }
            try {
                files.add(Path.of(args[i]));
            } catch (InvalidPathException e) {
                return null;
            }
        }
        return files;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"adnet " + Compiler.VERSION};
        }
    }
}
