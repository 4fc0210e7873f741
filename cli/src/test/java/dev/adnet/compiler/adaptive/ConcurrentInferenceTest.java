package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.runtime.ExitMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.adaptive.ExitPolicy;
import dev.adnet.runtime.adaptive.ExitUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One network instance called from eight threads at once, on batches of different sizes: every {@code forward} and
 * {@code predict} must return exactly (bit for bit) what a call on one thread returns for the same batch, for a static
 * network, a gated one (whose blocks reorder the batch's rows in place) and a multi-exit one (whose batch shrinks).
 */
class ConcurrentInferenceTest {
    private static final int THREADS = 8;
    private static final int ROUNDS = 3;

    private static final String BASIC = """
            block Basic(c: int, stride: int = 1) {
              conv(c, 3, stride = stride, bias = false) -> batchnorm -> relu -> conv(c, 3, bias = false) -> batchnorm
            }
            """;

    private static final String STATIC = BASIC + """
            network Static {
              input x: [1, 12, 12]
              output y: [4]
              h = x -> conv(8, 3, bias = false) -> batchnorm -> relu
                -> residual Basic(8) -> relu
                -> residual(shortcut = projection(16, stride = 2)) Basic(16, stride = 2) -> relu
              y = h -> global_avg_pool -> dense(4)
              train { loss cross_entropy(y) }
            }
            """;

    private static final String GATED = BASIC + """
            network Gated {
              input x: [1, 12, 12]
              output y: [4]
              h = x -> conv(8, 3, bias = false) -> batchnorm -> relu
                -> repeat 2 { gate(target = 0.5) residual Basic(8) -> relu }
                -> residual(shortcut = projection(16, stride = 2)) Basic(16, stride = 2) -> relu
                -> gate(target = 0.5) residual Basic(16) -> relu
              y = h -> global_avg_pool -> dense(4)
              train { loss cross_entropy(y) + 0.5 * target_rate() }
            }
            """;

    private static final String EXITS = BASIC + """
            network Exits {
              input x: [1, 12, 12]
              output y: [4]
              h = x -> conv(8, 3, bias = false) -> batchnorm -> relu
                -> residual Basic(8) -> relu
                -> exit first when confidence > 0.5 { global_avg_pool -> dense(4) }
                -> residual(shortcut = projection(16, stride = 2)) Basic(16, stride = 2) -> relu
                -> exit second when entropy < 1.0 { flatten -> dense(4) }
                -> residual Basic(16) -> relu
              y = h -> global_avg_pool -> dense(4)
              train { loss cross_entropy(y) }
            }
            """;

    @Test
    void aStaticNetworkGivesEveryThreadWhatOneThreadGets() {
        Network net = network(STATIC);
        callFromManyThreads(net, batches(21));
    }

    @Test
    void aGatedNetworkGivesEveryThreadWhatOneThreadGets() {
        CompiledNetwork compiled = GatedNetworkTest.compile(GATED);
        assertThat(compiled.toJava("t").toString()).as("gates that reorder the batch in place").contains("order.window(");
        Network net = network(compiled);
        List<INDArray> inputs = batches(22);
        List<Prediction> alone = callFromManyThreads(net, inputs);
        assertThat(alone).as("gates open for some samples and closed for others")
                .anySatisfy(p -> assertThat(Arrays.deepToString(p.executed())).contains("true").contains("false"));
    }

    @Test
    void aMultiExitNetworkGivesEveryThreadWhatOneThreadGets() {
        Network net = network(EXITS);
        List<INDArray> inputs = batches(23);
        splitAtEveryExit(net, inputs);
        List<Prediction> alone = callFromManyThreads(net, inputs);
        int[] leftAt = new int[net.units(ExitUnit.class).size() + 1];
        alone.forEach(p -> Arrays.stream(p.exits()).forEach(e -> leftAt[e]++));
        assertThat(leftAt).as("samples leave at every exit and at the end").doesNotContain(0);
    }

    /**
     * Thresholds at the medians of the heads' confidence and entropy over these batches: about half of the samples
     * leave at the first exit and half of the others at the second, whatever the random parameters.
     */
    private static void splitAtEveryExit(Network net, List<INDArray> inputs) {
        ExitUnit.mode(net, ExitMode.ALL_HEADS);
        List<Double> confidence = new ArrayList<>();
        List<Double> entropy = new ArrayList<>();
        for (INDArray x : inputs) {
            List<INDArray> heads = net.predict(Map.of("x", x)).exitOutputs();
            double[] first = heads.get(0).castTo(DataType.DOUBLE).dup('c').data().asDouble();
            double[] second = heads.get(1).castTo(DataType.DOUBLE).dup('c').data().asDouble();
            for (int n = 0; n < x.size(0); n++) {
                confidence.add(ExitPolicy.confidence(first, 4 * n, 4));
                entropy.add(ExitPolicy.entropy(second, 4 * n, 4));
            }
        }
        ExitUnit.mode(net, ExitMode.ADAPTIVE);
        double firstThreshold = median(confidence);
        List<Double> staying = new ArrayList<>();
        for (int n = 0; n < confidence.size(); n++) {
            if (confidence.get(n) <= firstThreshold) {
                staying.add(entropy.get(n));
            }
        }
        ExitUnit.thresholds(net, new double[] {firstThreshold, median(staying)});
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static Network network(String source) {
        return network(GatedNetworkTest.compile(source));
    }

    /** FLOAT (the channels-last inference path), random parameters, gate heads without a dominant bias. */
    private static Network network(CompiledNetwork compiled) {
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 5);
        randomize(net, new SplittableRandom(31));
        for (Parameter p : net.parameters()) {
            if (p.name().endsWith(".dense2.bias")) {
                p.value().assign(0.0);
            }
        }
        return net;
    }

    /** Batches of 5 to 20 images whose scales differ between samples, so that decisions differ between them. */
    private static List<INDArray> batches(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<INDArray> batches = new ArrayList<>();
        for (int b = 0; b < 12; b++) {
            int n = 5 + rnd.nextInt(16);
            INDArray x = Nd4j.create(DataType.FLOAT, n, 1, 12, 12);
            for (long i = 0; i < x.length(); i++) {
                long sample = i / 144;
                x.putScalar(i, (2 * rnd.nextDouble() - 1) * (0.2 + sample % 5) + (sample % 3) - 1);
            }
            batches.add(x);
        }
        return batches;
    }

    /**
     * Runs every batch on this thread alone, then from {@link #THREADS} threads started together, each going
     * {@link #ROUNDS} times over the batches in an order of its own and alternating {@code forward} and
     * {@code predict}; every result must equal the lone thread's. Returns the lone thread's predictions.
     */
    private static List<Prediction> callFromManyThreads(Network net, List<INDArray> inputs) {
        List<Prediction> alone = new ArrayList<>();
        for (INDArray x : inputs) {
            alone.add(net.predict(Map.of("x", x)));
        }
        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    SplittableRandom order = new SplittableRandom(thread);
                    for (int round = 0; round < ROUNDS; round++) {
                        for (int k = 0; k < inputs.size(); k++) {
                            int i = order.nextInt(inputs.size());
                            Map<String, INDArray> in = Map.of("x", inputs.get(i));
                            boolean forward = (k + thread) % 2 == 0;
                            String what = (forward ? "forward" : "predict") + ", batch " + i;
                            try {
                                if (forward) {
                                    compare(alone.get(i).outputs(), net.forward(in), what, wrong);
                                } else {
                                    compare(alone.get(i), net.predict(in), what, wrong);
                                }
                            } catch (RuntimeException e) {
                                wrong.add(what + ": " + e);
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
        assertThat(wrong).as("results that differ from the lone thread's").isEmpty();
        return alone;
    }

    private static void compare(Prediction expected, Prediction actual, String what, Queue<String> wrong) {
        compare(expected.outputs(), actual.outputs(), what, wrong);
        if (!Arrays.deepEquals(expected.executed(), actual.executed())) {
            wrong.add(what + ": another trace of the gates");
        }
        if (!Arrays.equals(expected.flops(), actual.flops())) {
            wrong.add(what + ": other FLOPs per sample");
        }
        if (!Arrays.equals(expected.exits(), actual.exits())) {
            wrong.add(what + ": other exits " + Arrays.toString(actual.exits()) + ", alone " + Arrays.toString(expected.exits()));
        }
    }

    private static void compare(Map<String, INDArray> expected, Map<String, INDArray> actual, String what,
            Queue<String> wrong) {
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            float[] a = actual.get(e.getKey()).dup('c').data().asFloat();
            float[] x = e.getValue().dup('c').data().asFloat();
            if (!Arrays.equals(a, x)) {
                wrong.add(what + ": output " + e.getKey() + " differs by up to " + maxDiff(a, x));
            }
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.POSITIVE_INFINITY;
        }
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs((double) a[i] - b[i]));
        }
        return d;
    }
}
