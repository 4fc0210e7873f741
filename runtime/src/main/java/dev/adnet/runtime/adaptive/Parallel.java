package dev.adnet.runtime.adaptive;

import dev.adnet.runtime.ops.JavaThreads;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits a kernel's batch into contiguous sample ranges run on the common fork-join pool and the calling thread.
 *
 * <p>Why: the kernels are memory-bound, and one core does not saturate the memory bus (measured on the 2-core
 * machines: a one-thread chunked loop moves about 19 GB/s, libnd4j's two-thread copy about 27 GB/s), while the
 * libnd4j references they replace use every core through OpenMP. Small batches run on the caller alone (below
 * {@link #minElements} elements per part the hand-off costs more than it saves). The number of parts is the
 * system property {@code adnet.adaptive.threads}, by default the available processors (at most 8, as the other
 * Java kernels; one with {@code OMP_WAIT_POLICY=ACTIVE}, see {@link JavaThreads}): on the idle 2-core machine two
 * parts made gated inference 19% faster in every gate mode (fashion_aig at batch 256: adaptive 1588.7 -> 1888.2
 * samples/s, all-open 1141.5 -> 1355.7, back to back); on the shared, loaded machines they measured no faster than
 * one (load average 4.4) or slower (load 9), since the second core was not free, so
 * {@code -Dadnet.adaptive.threads=1} is the setting for a busy machine.
 */
final class Parallel {
    private Parallel() {}

    /** Parts per kernel call; tests raise it to exercise the split. */
    static volatile int threads = JavaThreads.fromEnvironment("adnet.adaptive.threads");

    /** Elements per part below which no more parts are made; tests lower it to exercise the split. */
    static volatile long minElements = 1L << 17;

    interface Range {
        void run(int from, int to);
    }

    /** Runs {@code body} over [0, b) in parts; returns when all have finished (their writes are then visible). */
    static void forSamples(int b, long elementsPerSample, Range body) {
        long total = (long) b * elementsPerSample;
        int parts = (int) Math.min(Math.min(threads, b), Math.max(1, total / minElements));
        if (parts <= 1) {
            body.run(0, b);
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) b * p / parts);
            int to = (int) ((long) b * (p + 1) / parts);
            tasks[p - 1] = ForkJoinPool.commonPool().submit(() -> body.run(from, to));
        }
        Throwable failure = null;
        try {
            body.run(0, (int) ((long) b / parts));
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : tasks) {
            try {
                t.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException r) {
            throw r;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }
}
