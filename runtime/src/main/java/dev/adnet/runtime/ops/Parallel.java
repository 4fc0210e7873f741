package dev.adnet.runtime.ops;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits a loop over {@code [0, n)} into contiguous parts run on the calling thread and a small shared pool of
 * daemon workers (one fewer than the available processors, at most 7). Why: libnd4j's OpenMP threads are idle
 * while the Java kernels ({@link FloatKernels}) run, and a memory-bound pass on one core does not reach the
 * machine's bandwidth (ReLU on [128,16,28,28] float: 0.58 ms on one thread, 0.43 ms on two). Work below
 * {@link #MIN_PER_THREAD} elements per part stays on the calling thread: waking a worker costs ~10-20 us.
 */
final class Parallel {
    private Parallel() {}

    /** The body of a loop part: handles {@code [from, to)}; {@code part} indexes per-part scratch. */
    interface Body {
        void run(int part, int from, int to);
    }

    /** The available processors, at most 8 (one under spinning OpenMP workers): {@link JavaThreads}. */
    static final int THREADS = JavaThreads.fromEnvironment("adnet.kernelThreads");

    /** Elements (of the cheapest pass) below which a part is not worth a worker thread. */
    static final long MIN_PER_THREAD = 1 << 15;

    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(r, "adnet-kernel");
        t.setDaemon(true);
        return t;
    });

    /**
     * Runs {@code body} over {@code [0, n)} in at most {@link #THREADS} parts, {@code work} being the total number
     * of elements the loop touches (which decides how many parts are worth it).
     */
    static void forRange(int n, long work, Body body) {
        int parts = (int) Math.max(1, Math.min(Math.min(THREADS, n), work / MIN_PER_THREAD));
        if (parts <= 1) {
            body.run(0, 0, n);
            return;
        }
        Future<?>[] futures = new Future<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int part = p;
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            futures[p - 1] = POOL.submit(() -> body.run(part, from, to));
        }
        RuntimeException failure = null;
        try {
            body.run(0, 0, (int) ((long) n / parts));
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (failure == null) {
                    failure = c instanceof RuntimeException r ? r : new IllegalStateException(c);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) {
                    failure = new IllegalStateException("interrupted while waiting for a kernel worker", e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
