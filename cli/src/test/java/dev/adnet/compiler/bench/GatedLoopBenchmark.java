package dev.adnet.compiler.bench;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A gated loop's inference (dynamic recursion: a sample whose gate closes leaves the loop's batch) against the same
 * network and batches with every sample running to the cap, paired batch by batch in one process
 * ({@link BenchSupport#paired}). Both sides are one instance of one generated class, a shared residual block of two
 * 3x3 convolutions on {@code [channels, 14, 14]}: "to the cap" sets the gate's last bias to [-30, 30] (every gate
 * open, so every sample takes every pass and computes every gate but the cap's, through the same code); "adaptive"
 * sets it to [0, bias / 10] with the gate's last weights of scale {@code wscale} / 10, so the samples stop after
 * different passes. The speed-up is reported against the FLOPs ratio that predict's trace gives. With {@code own=1} the
 * loop has no {@code shared}: each pass its own block and gate head, every gate head set as above.
 *
 * <pre>
 * ./mvnw -q -o -pl cli -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "$(cat cli/target/cp.txt):cli/target/classes:cli/target/test-classes:compiler/target/classes:runtime/target/classes" \
 *     dev.adnet.compiler.bench.GatedLoopBenchmark [batch=256] [batches=10] [rounds=7] [cap=6] [channels=16] [bias=80] [wscale=40] [own=0]
 * </pre>
 */
public final class GatedLoopBenchmark {
    private GatedLoopBenchmark() {}

    public static void main(String[] args) {
        Map<String, Integer> o = BenchSupport.options(args, 0);
        int batch = o.getOrDefault("batch", 256);
        int count = o.getOrDefault("batches", 10);
        int rounds = o.getOrDefault("rounds", 7);
        int cap = o.getOrDefault("cap", 6);
        int channels = o.getOrDefault("channels", 16);
        double bias = o.getOrDefault("bias", 80) / 10.0;
        double wscale = o.getOrDefault("wscale", 40) / 10.0;
        boolean own = o.getOrDefault("own", 0) != 0;
        String source = String.format(Locale.ROOT, """
                block Basic(c: int) {
                  conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3, bias = false) -> batchnorm
                }
                network Recursion {
                  input x: [%1$d, 14, 14]
                  output y: [10]
                  r = x -> repeat upto %2$d %3$s gate(target = 0.5) { residual Basic(%1$d) -> relu }
                  y = r -> global_avg_pool -> dense(10)
                }
                """, channels, cap, own ? "" : "shared");
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("recursion.adnet")));
        if (!r.diagnostics().isEmpty()) {
            throw new IllegalStateException(r.render());
        }
        CompiledNetwork compiled = r.networks().get(0);
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 1);
        SplittableRandom rnd = new SplittableRandom(3);
        // the gate's last layer: one, or one per pass boundary with own weights (gate.dense2.passK.*)
        List<INDArray> gateBiases = new ArrayList<>();
        for (Parameter p : net.parameters()) {
            if (p.name().contains("gate.dense2.") && p.name().endsWith(".weight")) {
                for (long i = 0; i < p.value().length(); i++) {
                    p.value().putScalar(i, wscale * rnd.nextGaussian());
                }
            } else if (p.name().contains("gate.dense2.") && p.name().endsWith(".bias")) {
                gateBiases.add(p.value());
            }
        }
        Runnable adaptive = () -> gateBiases.forEach(b -> {
            b.putScalar(0, 0.0);
            b.putScalar(1, bias);
        });
        Runnable toCap = () -> gateBiases.forEach(b -> {
            b.putScalar(0, -30.0);
            b.putScalar(1, 30.0);
        });
        Nd4j.getRandom().setSeed(7); // the same inputs in every run
        List<INDArray> batches = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batches.add(Nd4j.rand(DataType.FLOAT, batch, channels, 14, 14).subi(0.5).muli(2));
        }
        adaptive.run();
        double executed = 0;
        int[] histogram = new int[cap + 1];
        for (INDArray x : batches) {
            Prediction p = net.predict(Map.of("x", x));
            for (int n = 0; n < batch; n++) {
                executed += p.flops()[n];
                histogram[p.steps()[n][0]]++;
            }
        }
        executed /= (double) count * batch;
        toCap.run();
        double atCap = 0;
        for (INDArray x : batches) {
            Prediction p = net.predict(Map.of("x", x));
            for (int n = 0; n < batch; n++) {
                atCap += p.flops()[n];
                if (p.steps()[n][0] != cap) {
                    throw new IllegalStateException("to the cap: a sample stopped after " + p.steps()[n][0] + " passes");
                }
            }
        }
        atCap /= (double) count * batch;
        double meanPasses = 0;
        StringBuilder h = new StringBuilder();
        for (int k = 1; k <= cap; k++) {
            meanPasses += (double) k * histogram[k] / ((double) count * batch);
            if (histogram[k] > 0) {
                h.append(h.length() == 0 ? "" : ", ").append(k).append(": ").append(histogram[k]);
            }
        }
        System.out.printf(Locale.ROOT, "gated loop%s: %d channels at 14x14, cap %d, batch %d, %d batches; passes per sample "
                + "(mean %.2f) {%s}%n", own ? " with own weights per pass" : "", channels, cap, batch, count, meanPasses, h);
        System.out.printf(Locale.ROOT, "FLOPs per sample: to the cap %.0f, executed %.0f; FLOPs ratio %.3f%n", atCap, executed,
                atCap / executed);
        adaptive.run();
        BenchSupport.run(net, batches);
        toCap.run();
        BenchSupport.run(net, batches);
        System.out.println("adaptive against to-the-cap, paired, speed-up / FLOPs ratio: "
                + BenchSupport.paired(net, batches, adaptive, toCap, rounds, 1, atCap / executed));
    }
}
