package dev.adnet.runtime.ops;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * How long a parked thread takes to run after {@code unpark}, by how long its core had been idle: the price of every
 * fork and join of a worker pool (the OpenMP threads oneDNN and libnd4j share, the Java kernels' workers) whose
 * threads went to sleep between two calls. On this project's VMs the guest's idle driver halts an idle vCPU at once,
 * so the wake-up goes through the hypervisor (docs/benchmarks.md, session 7). Median and 90th percentile over 200
 * wake-ups each.
 *
 * <pre>
 * java -cp runtime/target/test-classes dev.adnet.runtime.ops.WakeLatencyBenchmark
 * </pre>
 */
public final class WakeLatencyBenchmark {
    private WakeLatencyBenchmark() {}

    private static volatile long received;

    public static void main(String[] args) throws InterruptedException {
        Thread sleeper = new Thread(() -> {
            while (true) {
                LockSupport.park();
                received = System.nanoTime();
            }
        }, "sleeper");
        sleeper.setDaemon(true);
        sleeper.start();
        Thread.sleep(100);
        for (long idleMicros : new long[] {0, 20, 100, 1000}) {
            long[] latency = new long[200];
            for (int i = 0; i < latency.length; i++) {
                long until = System.nanoTime() + idleMicros * 1000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                received = 0;
                long sent = System.nanoTime();
                LockSupport.unpark(sleeper);
                while (received == 0) {
                    Thread.onSpinWait();
                }
                latency[i] = received - sent;
            }
            Arrays.sort(latency);
            System.out.printf(Locale.ROOT, "RESULT woken after %4d us idle: median %.1f us, 90th percentile %.1f us%n",
                    idleMicros, latency[latency.length / 2] / 1e3, latency[latency.length * 9 / 10] / 1e3);
        }
    }
}
