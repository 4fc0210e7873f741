package dev.adnet.runtime.ops;

/**
 * How many threads the Java kernels split their loops over: a system property when set to a number (at most 8),
 * else the available processors (at most 8), except under {@code OMP_WAIT_POLICY=ACTIVE}: one, the calling thread.
 *
 * <p>Why the exception: with that policy libnd4j's and oneDNN's OpenMP workers spin between native calls instead of
 * sleeping, so a Java worker thread finds the other cores busy and waits for a time slice; the Java kernels then
 * run fastest on the caller alone. Measured on the 2-core machines: exit and gated networks infer fastest with
 * spinning workers and the Java kernels on the caller (docs/benchmarks.md, sessions 9-11), which used to take
 * two properties next to the environment variable.
 */
public final class JavaThreads {
    private JavaThreads() {}

    /** The thread count for the kernels configured by {@code property} in this process. */
    public static int fromEnvironment(String property) {
        return count(System.getProperty(property), System.getenv("OMP_WAIT_POLICY"),
                Runtime.getRuntime().availableProcessors());
    }

    /**
     * @param property the property's value, or null when unset
     * @param ompWaitPolicy the environment's {@code OMP_WAIT_POLICY}, or null
     * @param processors the available processors
     */
    static int count(String property, String ompWaitPolicy, int processors) {
        if (property != null) {
            try {
                return atMostEight(Integer.parseInt(property.trim()));
            } catch (NumberFormatException e) {
                // not a number: ignored, as Integer.getInteger did before this class
            }
        }
        if (ompWaitPolicy != null && ompWaitPolicy.trim().equalsIgnoreCase("ACTIVE")) {
            return 1;
        }
        return atMostEight(processors);
    }

    private static int atMostEight(int threads) {
        return Math.max(1, Math.min(8, threads));
    }
}
