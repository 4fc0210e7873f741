package dev.adnet.runtime.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * An opt-in timing of every libnd4j op the runtime dispatches ({@code -Dadnet.profileOps=true}): wall time and
 * count per op name and input shapes, printed to standard error at exit (or by {@link #report}). A diagnostic for
 * finding where a training step's time goes; off by default, when it costs one branch per op.
 */
public final class OpProfile {
    private OpProfile() {}

    /** Whether ops are timed. */
    public static final boolean ENABLED = Boolean.getBoolean("adnet.profileOps");

    private static final Map<String, LongAdder[]> TIMES = new ConcurrentHashMap<>();

    static {
        if (ENABLED) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.print(report())));
        }
    }

    static void record(String op, org.nd4j.linalg.api.ndarray.INDArray[] inputs, long nanos) {
        StringBuilder key = new StringBuilder(op);
        for (var in : inputs) {
            key.append(' ').append(java.util.Arrays.toString(in.shape()));
        }
        LongAdder[] a = TIMES.computeIfAbsent(key.toString(), k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        a[0].add(nanos);
        a[1].increment();
    }

    /** Forgets what was recorded (e.g. after warm-up). */
    public static void reset() {
        TIMES.clear();
    }

    /** The table: total ms, calls and ms per call by op and input shapes, largest total first. */
    public static String report() {
        List<Map.Entry<String, LongAdder[]>> rows = new ArrayList<>(TIMES.entrySet());
        rows.sort((x, y) -> Long.compare(y.getValue()[0].sum(), x.getValue()[0].sum()));
        StringBuilder sb = new StringBuilder("op profile (total ms, calls, ms/call):\n");
        for (var e : rows) {
            long ns = e.getValue()[0].sum();
            long n = e.getValue()[1].sum();
            sb.append(String.format(Locale.ROOT, "%10.1f %7d %8.3f  %s%n", ns / 1e6, n, ns / 1e6 / Math.max(1, n),
                    e.getKey()));
        }
        return sb.toString();
    }
}
