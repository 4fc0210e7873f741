package dev.adnet.compiler.bench;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.Optimizer;
import dev.adnet.runtime.train.Optimizers;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Training steps of one network under variants of the runtime's (non-final, static) tuning fields, alternated in
 * one process so that the machine's load hits every variant alike: after a warm-up round, {@code rounds} rounds of
 * {@code steps} training steps (batch 128, optimizer included) per variant; median and min ms per step, and the
 * median over rounds of each variant's time relative to the first variant's in the same round.
 *
 * <pre>
 * OMP_WAIT_POLICY=PASSIVE java -cp "$CP" dev.adnet.compiler.bench.TrainVariantsBenchmark NETWORK.adnet \
 *     dev.adnet.runtime.ops.Conv2d.javaWeightGrad=false,true [rounds=6] [steps=8]
 * </pre>
 *
 * Each {@code class.field=v1,v2,...} gives the field's value in each variant (boolean, int or long fields);
 * {@code layout=first,last} gives each variant's image layout (the network generated channels-first or
 * channels-last: one instance per variant, each with its own optimizer, the same initial parameters).
 */
public final class TrainVariantsBenchmark {
    private TrainVariantsBenchmark() {}

    public static void main(String[] args) throws Exception {
        CompiledNetwork compiled = BenchSupport.compile(args[0]);
        Dataset train = FashionMnist.locate(null).train();
        int rounds = 6;
        int steps = 8;
        String[] layouts = null;
        Map<Field, String[]> fields = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            if (kv[0].equals("rounds")) {
                rounds = Integer.parseInt(kv[1]);
            } else if (kv[0].equals("steps")) {
                steps = Integer.parseInt(kv[1]);
            } else if (kv[0].equals("layout")) {
                layouts = kv[1].split(",");
            } else {
                int dot = kv[0].lastIndexOf('.');
                Field f = Class.forName(kv[0].substring(0, dot)).getDeclaredField(kv[0].substring(dot + 1));
                f.setAccessible(true);
                fields.put(f, kv[1].split(","));
            }
        }
        int variants = layouts != null ? layouts.length : fields.values().iterator().next().length;
        TrainableNetwork[] nets = new TrainableNetwork[variants];
        Optimizer[] optimizers = new Optimizer[variants];
        for (int v = 0; v < variants; v++) {
            boolean channelsLast = layouts == null || layouts[v].equals("last");
            nets[v] = v > 0 && layouts == null ? nets[0]
                    : (TrainableNetwork) InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 0, channelsLast);
            optimizers[v] = v > 0 && layouts == null ? optimizers[0]
                    : Optimizers.create(nets[v].trainingConfig().optimizer());
        }
        double lr = nets[0].trainingConfig().optimizer().learningRate();
        String in = nets[0].inputs().get(0).name();
        String out = nets[0].outputs().get(0).name();
        DataLoader loader = DataLoader.builder(train, in, out).batchSize(128).shuffle(0).dropLast(true)
                .limit(128 * 400).build();
        Iterator<Batch> it = loader.epoch(0).iterator();
        int epoch = 0;
        long step = 0;
        double[][] ms = new double[variants][rounds];
        for (int r = -1; r < rounds; r++) {
            for (int v = 0; v < variants; v++) {
                for (Map.Entry<Field, String[]> e : fields.entrySet()) {
                    set(e.getKey(), e.getValue()[v]);
                }
                long t = System.nanoTime();
                for (int s = 0; s < steps; s++) {
                    if (!it.hasNext()) {
                        it = loader.epoch(++epoch).iterator();
                    }
                    Batch b = it.next();
                    nets[v].trainStep(b, new StepContext(step, 0, 0, step));
                    optimizers[v].step(nets[v].parameters(), lr);
                    step++;
                }
                if (r >= 0) {
                    ms[v][r] = (System.nanoTime() - t) / 1e6 / steps;
                }
            }
        }
        for (int v = 0; v < variants; v++) {
            StringBuilder sb = new StringBuilder("RESULT");
            if (layouts != null) {
                sb.append(" layout=").append(layouts[v]);
            }
            for (Map.Entry<Field, String[]> e : fields.entrySet()) {
                sb.append(' ').append(e.getKey().getName()).append('=').append(e.getValue()[v]);
            }
            double[] sorted = ms[v].clone();
            Arrays.sort(sorted);
            sb.append(String.format(Locale.ROOT, ": ms/step median %.1f min %.1f (rounds", sorted[rounds / 2], sorted[0]));
            for (double m : ms[v]) {
                sb.append(String.format(Locale.ROOT, " %.1f", m));
            }
            sb.append(')');
            if (v > 0) {
                // the same round's steps of the first variant ran just before: the ratio cancels slow load drifts
                double[] ratios = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    ratios[r] = ms[v][r] / ms[0][r];
                }
                Arrays.sort(ratios);
                sb.append(String.format(Locale.ROOT, "; per-round ratio to the first variant: median %.3f", ratios[rounds / 2]));
            }
            System.out.println(sb);
        }
    }

    private static void set(Field f, String value) throws IllegalAccessException {
        if (f.getType() == boolean.class) {
            f.setBoolean(null, Boolean.parseBoolean(value));
        } else if (f.getType() == int.class) {
            f.setInt(null, Integer.parseInt(value));
        } else if (f.getType() == long.class) {
            f.setLong(null, Long.parseLong(value));
        } else {
            throw new IllegalArgumentException("unsupported field type " + f);
        }
    }
}
