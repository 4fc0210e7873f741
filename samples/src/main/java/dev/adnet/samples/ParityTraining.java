package dev.adnet.samples;

import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Optimizer;
import dev.adnet.runtime.train.Optimizers;
import dev.adnet.runtime.train.StepResult;
import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Trains a parity network through its generated class's Java API on fresh {@link ParityData} (100 new batches at a
 * time) until a budget is spent, reporting loss, mean ponder and validation accuracy as it goes, and at the end the
 * test accuracy and mean steps by the number of non-zero entries (the difficulty curve of Graves' figure).
 *
 * <p>The budget is training samples, or CPU time of this process spent training (data generation and training
 * steps; evaluation excluded), or both (whichever ends first). CPU time rather than wall time because the machine
 * the numbers are taken on is shared: a process's CPU time is what a quiet machine's wall time would be, for a
 * single-threaded run ({@code OMP_NUM_THREADS=1}). Training also stops early when validation accuracy (4,096 samples
 * of their own seed, not the test set) reaches a target.
 *
 * <pre>
 * java -cp ... dev.adnet.samples.ParityTraining [NETWORK=ActParity] [samples=N] [cpu=SECONDS] [stop=ACCURACY] [wall=SECONDS]
 * </pre>
 */
public final class ParityTraining {
    private static final int BATCHES_PER_DRAW = 100;
    private static final double EVALUATE_EVERY_CPU_SECONDS = 30;

    private ParityTraining() {}

    /**
     * Samples and process CPU seconds (0: no limit), the validation accuracy to stop at (above 1: never), and wall
     * seconds of training (0: no limit; for a machine too loaded for the CPU budget to be spent in the time at hand).
     */
    public record Budget(long samples, double cpuSeconds, double stopAccuracy, double wallSeconds) {
        public Budget {
            if (samples <= 0 && cpuSeconds <= 0) {
                throw new IllegalArgumentException("a budget needs samples or CPU seconds");
            }
        }

        public Budget(long samples, double cpuSeconds, double stopAccuracy) {
            this(samples, cpuSeconds, stopAccuracy, 0);
        }

        boolean spent(long s, double cpu, double wall) {
            return samples > 0 && s >= samples || cpuSeconds > 0 && cpu >= cpuSeconds || wallSeconds > 0 && wall >= wallSeconds;
        }

        double progress(long s, double cpu) {
            return Math.min(1, Math.max(samples > 0 ? (double) s / samples : 0, cpuSeconds > 0 ? cpu / cpuSeconds : 0));
        }
    }

    /** What a run spent and reached: the test curve of the last parameters. */
    public record Outcome(long samples, double cpuSeconds, double wallSeconds, boolean stoppedAtTarget, ParityCurve test) {
        public String summary() {
            return String.format(Locale.ROOT, "%s after %,d samples, %.0f CPU s, %.0f wall s%s", test.summary(), samples,
                    cpuSeconds, wallSeconds, stoppedAtTarget ? " (validation target reached)" : "");
        }
    }

    public static void main(String[] args) {
        String name = args.length > 0 && !args[0].contains("=") ? args[0] : "ActParity";
        TrainableNetwork net = (TrainableNetwork) SampleNetworks.create(name, DataType.FLOAT, 1);
        Outcome o = train(net, budget(args, 512_000, 0, 2), System.out::println);
        System.out.println(o.summary());
        System.out.print(o.test().csv());
    }

    /** {@code samples=N cpu=SECONDS stop=ACCURACY wall=SECONDS} among {@code args}, with the given defaults. */
    public static Budget budget(String[] args, long samples, double cpu, double stop) {
        double wall = 0;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            if (kv.length == 2) {
                switch (kv[0]) {
                    case "samples" -> samples = Long.parseLong(kv[1]);
                    case "cpu" -> cpu = Double.parseDouble(kv[1]);
                    case "stop" -> stop = Double.parseDouble(kv[1]);
                    case "wall" -> wall = Double.parseDouble(kv[1]);
                    default -> throw new IllegalArgumentException("unknown option '" + kv[0] + "': samples, cpu, stop or wall");
                }
            }
        }
        return new Budget(samples, cpu, stop, wall);
    }

    /** Trains {@code net} (input {@code [size]}, two classes) within {@code budget}; progress lines go to {@code log}. */
    public static Outcome train(TrainableNetwork net, Budget budget, Consumer<String> log) {
        int batch = net.trainingConfig().batchSize();
        String input = net.inputs().get(0).name();
        String output = net.outputs().get(0).name();
        int size = Math.toIntExact(net.inputs().get(0).shape()[0]);
        Optimizer optimizer = Optimizers.create(net.trainingConfig().optimizer());
        double lr = net.trainingConfig().optimizer().learningRate();
        ParityData validation = ParityData.generate(4096, size, 777, DataType.FLOAT);
        long wallStart = System.nanoTime();
        double cpu = 0;
        double lastEvaluation = 0;
        long samples = 0;
        long step = 0;
        double loss = 0;
        double ponder = 0;
        int sinceEvaluation = 0;
        boolean target = false;
        for (int draw = 0; !budget.spent(samples, cpu, wallSince(wallStart)) && !target; draw++) {
            double cpuStart = processCpuSeconds();
            ParityData train = ParityData.generate(BATCHES_PER_DRAW * batch, size, 1000 + draw, DataType.FLOAT);
            for (int b = 0; b < BATCHES_PER_DRAW && !budget.spent(samples, cpu + processCpuSeconds() - cpuStart, wallSince(wallStart)); b++) {
                StepResult r = net.trainStep(train.batch(input, output, b * batch, (b + 1) * batch),
                        new StepContext(step, draw, budget.progress(samples, cpu), step));
                optimizer.step(net.trainableParameters(), lr);
                loss += r.loss();
                ponder += r.measures().values().stream().mapToDouble(Double::doubleValue).sum();
                sinceEvaluation++;
                samples += batch;
                step++;
            }
            cpu += processCpuSeconds() - cpuStart;
            if (cpu - lastEvaluation >= EVALUATE_EVERY_CPU_SECONDS || budget.spent(samples, cpu, wallSince(wallStart))) {
                ParityCurve v = ParityCurve.of(net, validation);
                target = v.accuracy() >= budget.stopAccuracy();
                log.accept(String.format(Locale.ROOT,
                        "%,d samples, %.0f CPU s, %.0f wall s, load %.1f: loss %.4f, mean ponder %.3f; validation accuracy %.4f, mean steps %.3f",
                        samples, cpu, (System.nanoTime() - wallStart) / 1e9, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                        loss / sinceEvaluation, ponder / sinceEvaluation, v.accuracy(), v.meanSteps()));
                lastEvaluation = cpu;
                loss = 0;
                ponder = 0;
                sinceEvaluation = 0;
            }
        }
        // 256 test samples per difficulty on average: the curve's points are comparable across sizes.
        ParityCurve test = ParityCurve.of(net, ParityData.generate(256 * size, size, 12345, DataType.FLOAT));
        return new Outcome(samples, cpu, (System.nanoTime() - wallStart) / 1e9, target, test);
    }

    private static double wallSince(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }
}
