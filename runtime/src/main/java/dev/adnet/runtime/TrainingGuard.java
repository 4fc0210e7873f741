package dev.adnet.runtime;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One training step at a time per network instance. A step updates the instance's gradients and batchnorm running
 * statistics in place, so two steps at once would silently mix their batches; the second one is refused instead.
 * (Inference has no such limit: each call has a workspace of its own.)
 */
public final class TrainingGuard {
    private final String network;
    private final AtomicReference<Thread> owner = new AtomicReference<>();

    /** @param network the network's name, for the error message */
    public TrainingGuard(String network) {
        this.network = network;
    }

    /**
     * Marks a step as running on this thread.
     *
     * @throws IllegalStateException if a step of this instance is already running
     */
    public void enter() {
        Thread me = Thread.currentThread();
        if (!owner.compareAndSet(null, me)) {
            throw new IllegalStateException(owner.get() == me
                    ? network + ": a training step was started inside another one on the same thread"
                    : network + " is already training on another thread; use one instance per training thread");
        }
    }

    /** Marks the step entered by this thread as finished. */
    public void exit() {
        owner.compareAndSet(Thread.currentThread(), null);
    }
}
