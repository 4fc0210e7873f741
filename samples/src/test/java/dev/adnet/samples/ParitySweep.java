package dev.adnet.samples;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.TrainableNetwork;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One point of the parity size sweep: a parity sample ({@code act_parity} or {@code one_step_parity}) with its input
 * widened from 16 to {@code SIZE} entries, compiled in memory from the sample's own text (only {@code input bits:
 * [16]} changes, so the cell, cap, ponder cost, optimiser and seed are the sample's), trained by
 * {@link ParityTraining} within a budget. Writes {@code NAME_SIZEbits.csv} (the test curve) and {@code .txt} (the
 * progress log and summary) to {@code OUT}; {@link ParityCurveChart} draws the PNGs from them.
 *
 * <pre>
 * java -cp ... dev.adnet.samples.ParitySweep act_parity|one_step_parity SIZE OUT [cpu=SECONDS] [samples=N] [stop=ACCURACY] [wall=SECONDS]
 * </pre>
 */
public final class ParitySweep {
    private static final String SAMPLES = "src/main/adnet/dev/adnet/samples";
    private static final String INPUT = "input bits: [16]";

    private ParitySweep() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: ParitySweep act_parity|one_step_parity SIZE OUT [cpu=SECONDS] [samples=N] [stop=ACCURACY] [wall=SECONDS]");
            System.exit(2);
        }
        String sample = args[0];
        int size;
        ParityTraining.Budget budget;
        try {
            size = Integer.parseInt(args[1]);
            budget = ParityTraining.budget(args, 0, 900, 2);
        } catch (IllegalArgumentException e) {
            System.err.println("ParitySweep: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!sample.equals("act_parity") && !sample.equals("one_step_parity") || size < 1) {
            System.err.println("ParitySweep: the sample is act_parity or one_step_parity and SIZE a positive number");
            System.exit(2);
        }
        Path out = Path.of(args[2]);
        TrainableNetwork net;
        try {
            net = network(sample, size, out);
        } catch (NoSuchFileException e) {
            System.err.println("ParitySweep: " + e.getFile() + " not found: run from the repository's root or the samples module");
            System.exit(2);
            return;
        }
        Files.createDirectories(out);
        String base = (sample.equals("act_parity") ? "act" : sample.replace("_parity", "")) + "_" + size + "bits";
        try (PrintWriter log = new PrintWriter(Files.newBufferedWriter(out.resolve(base + ".txt")), true)) {
            String head = String.format(Locale.ROOT, "%s with %d entries; budget: %s; OMP_NUM_THREADS=%s", net.name(), size, budget,
                    System.getenv("OMP_NUM_THREADS"));
            log.println(head);
            System.out.println(head);
            ParityTraining.Outcome o = ParityTraining.train(net, budget, line -> {
                log.println(line);
                System.out.println(line);
            });
            log.println(o.summary());
            log.print(o.test().csv());
            System.out.println(o.summary());
            Files.writeString(out.resolve(base + ".csv"), o.test().csv());
        }
    }

    /** The sample {@code sample} with {@code size} input entries, compiled in memory (the variant's source goes to {@code dir}). */
    static TrainableNetwork network(String sample, int size, Path dir) throws IOException {
        // from the repository's root (a run) or from the samples module (its tests)
        Path root = Files.isDirectory(Path.of("samples", SAMPLES)) ? Path.of("samples", SAMPLES) : Path.of(SAMPLES);
        String text = Files.readString(root.resolve(sample + ".adnet"));
        if (text.indexOf(INPUT) < 0 || text.indexOf(INPUT) != text.lastIndexOf(INPUT)) {
            throw new IllegalStateException(sample + ".adnet no longer declares '" + INPUT + "' exactly once");
        }
        Path variant = Files.createDirectories(dir.resolve("variants")).resolve(sample + "_" + size + ".adnet");
        Files.writeString(variant, text.replace(INPUT, "input bits: [" + size + "]"));
        CompileResult result = new Compiler().check(List.of(variant));
        if (result.hasErrors() || result.networks().size() != 1) {
            throw new IllegalStateException(variant + " does not compile to one network:\n" + result.render());
        }
        return (TrainableNetwork) InMemoryCompiler.instantiate(result.networks().get(0), DataType.FLOAT,
                result.networks().get(0).graph().training().config().seed());
    }
}
