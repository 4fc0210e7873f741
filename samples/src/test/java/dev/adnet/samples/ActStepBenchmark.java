package dev.adnet.samples;

import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.Optimizer;
import dev.adnet.runtime.train.Optimizers;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Training throughput of a parity sample at one size, by block of training steps: samples per CPU-second of the
 * training step (forward, backward) and of the optimiser's update, and for ACT how many steps the batches' samples take
 * (mean N) against how many the slowest sample of each batch takes (what the training step computes, at most the cap).
 * The batches are {@link ParityTraining}'s (fresh data, the sample's batch and seed); the step counts come from
 * {@code predict} on each batch after its update, outside the timing.
 *
 * <pre>
 * OMP_NUM_THREADS=1 java -XX:+UseSerialGC -cp ... dev.adnet.samples.ActStepBenchmark act_parity|one_step_parity SIZE [blocks=6] [steps=200]
 * </pre>
 */
public final class ActStepBenchmark {
    private ActStepBenchmark() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ActStepBenchmark act_parity|one_step_parity SIZE [blocks=6] [steps=200]");
            System.exit(2);
        }
        int size = Integer.parseInt(args[1]);
        int blocks = 6;
        int steps = 200;
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            switch (kv[0]) {
                case "blocks" -> blocks = Integer.parseInt(kv[1]);
                case "steps" -> steps = Integer.parseInt(kv[1]);
                default -> {
                    System.err.println("ActStepBenchmark: unknown option '" + args[i] + "': blocks=N or steps=N");
                    System.exit(2);
                }
            }
        }
        Path dir = Files.createTempDirectory("act-step-bench");
        TrainableNetwork net = ParitySweep.network(args[0], size, dir);
        int batch = net.trainingConfig().batchSize();
        String input = net.inputs().get(0).name();
        String output = net.outputs().get(0).name();
        Optimizer optimizer = Optimizers.create(net.trainingConfig().optimizer());
        double lr = net.trainingConfig().optimizer().learningRate();
        System.out.printf(Locale.ROOT, "%s, %d entries, batch %d, OMP_NUM_THREADS=%s, load %.1f%n", net.name(), size, batch,
                System.getenv("OMP_NUM_THREADS"), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("block,samples,train_step_cpu_s,update_cpu_s,samples_per_cpu_s,mean_steps,mean_batch_max_steps");
        long step = 0;
        for (int b = 0; b < blocks; b++) {
            ParityData data = ParityData.generate(steps * batch, size, 1000 + b, DataType.FLOAT);
            double trainCpu = 0;
            double updateCpu = 0;
            long stepsSum = 0;
            long maxSum = 0;
            for (int k = 0; k < steps; k++) {
                Batch x = data.batch(input, output, k * batch, (k + 1) * batch);
                double t0 = cpu();
                net.trainStep(x, new StepContext(step, b, 0, step));
                double t1 = cpu();
                optimizer.step(net.trainableParameters(), lr);
                double t2 = cpu();
                trainCpu += t1 - t0;
                updateCpu += t2 - t1;
                step++;
                int[][] taken = net.predict(x.inputs()).steps();
                int max = 0;
                for (int[] s : taken) {
                    stepsSum += Arrays.stream(s).sum();
                    max = Math.max(max, Arrays.stream(s).max().orElse(0));
                }
                maxSum += max;
            }
            long samples = (long) steps * batch;
            System.out.printf(Locale.ROOT, "%d,%d,%.2f,%.2f,%.0f,%.3f,%.2f%n", b + 1, samples, trainCpu, updateCpu,
                    samples / (trainCpu + updateCpu), (double) stepsSum / samples, (double) maxSum / steps);
        }
    }

    private static double cpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }
}
