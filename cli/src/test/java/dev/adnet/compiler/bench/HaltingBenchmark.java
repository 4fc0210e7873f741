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
 * A halting loop's inference, where halted samples leave the loop's batch, against the same network and batches with
 * every sample running to the cap, paired batch by batch in one process ({@link BenchSupport#paired}). Both sides are
 * one instance of one generated class: "to the cap" sets the halting unit's bias to -30 (h near 0, so no sample halts
 * before the cap); "adaptive" sets it to {@code bias} with halting weights of scale {@code wscale}, so the samples
 * take different numbers of steps. The speed-up is reported against the FLOPs ratio that predict's trace gives.
 *
 * <pre>
 * ./mvnw -q -o -pl cli -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "$(cat cli/target/cp.txt):cli/target/classes:cli/target/test-classes:compiler/target/classes:runtime/target/classes" \
 *     dev.adnet.compiler.bench.HaltingBenchmark [batch=256] [batches=20] [rounds=7] [cap=12] [state=256] [bias=-2] [wscale=20]
 * </pre>
 * {@code bias} is the halting unit's bias in the adaptive run, {@code wscale} its weights' standard deviation in
 * hundredths (defaults -2 and 0.2).
 */
public final class HaltingBenchmark {
    private HaltingBenchmark() {}

    public static void main(String[] args) {
        Map<String, Integer> o = BenchSupport.options(args, 0);
        int batch = o.getOrDefault("batch", 256);
        int count = o.getOrDefault("batches", 20);
        int rounds = o.getOrDefault("rounds", 7);
        int cap = o.getOrDefault("cap", 12);
        int state = o.getOrDefault("state", 256);
        double bias = o.getOrDefault("bias", -2);
        double wscale = o.getOrDefault("wscale", 20) / 100.0;
        String source = String.format(Locale.ROOT, """
                network Ponder {
                  input x: [64]
                  output y: [2]
                  state s: [%1$d] = zeros(%1$d)
                  r = s -> repeat upto %2$d shared halt act(ponder = 0.01) { s => tanh(dense(%1$d)(s) + dense(%1$d)(x)) }
                  y = r -> dense(2)
                }
                """, state, cap);
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("ponder.adnet")));
        if (!r.diagnostics().isEmpty()) {
            throw new IllegalStateException(r.render());
        }
        CompiledNetwork compiled = r.networks().get(0);
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 1);
        SplittableRandom rnd = new SplittableRandom(3);
        Parameter haltBias = null;
        for (Parameter p : net.parameters()) {
            if (p.name().endsWith("halt.weight")) {
                for (long i = 0; i < p.value().length(); i++) {
                    p.value().putScalar(i, wscale * rnd.nextGaussian());
                }
            } else if (p.name().endsWith("halt.bias")) {
                haltBias = p;
            }
        }
        INDArray b = haltBias.value();
        Runnable adaptive = () -> b.assign(bias);
        Runnable toCap = () -> b.assign(-30.0);
        Nd4j.getRandom().setSeed(7); // the same inputs in every run
        List<INDArray> batches = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batches.add(Nd4j.rand(DataType.FLOAT, batch, 64).subi(0.5).muli(2));
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
        double full = compiled.cost().totalFlops();
        double meanSteps = 0;
        StringBuilder h = new StringBuilder();
        for (int k = 1; k <= cap; k++) {
            meanSteps += (double) k * histogram[k] / ((double) count * batch);
            if (histogram[k] > 0) {
                h.append(h.length() == 0 ? "" : ", ").append(k).append(": ").append(histogram[k]);
            }
        }
        System.out.printf(Locale.ROOT, "halting loop: state %d, cap %d, batch %d, %d batches; steps per sample (mean %.2f) {%s}%n",
                state, cap, batch, count, meanSteps, h);
        System.out.printf(Locale.ROOT, "FLOPs per sample: to the cap %.0f, executed %.0f; FLOPs ratio %.3f%n", full, executed,
                full / executed);
        BenchSupport.run(net, batches);
        toCap.run();
        BenchSupport.run(net, batches);
        System.out.println("adaptive against to-the-cap, paired, speed-up / FLOPs ratio: "
                + BenchSupport.paired(net, batches, adaptive, toCap, rounds, 1, full / executed));
    }
}
