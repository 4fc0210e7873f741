package dev.adnet.runtime;

import java.util.ArrayDeque;

/**
 * The idle workspaces of one network instance. A call takes one ({@link #acquire}) and gives it back when it is done
 * ({@link #release}); a call that finds none idle makes a new one, so the pool holds as many as there have been calls
 * at once. The lock is held only to take or put one workspace, never while a network runs, and a warm call
 * allocates nothing: on one thread every call gets the same workspace, whose arena already has its arrays.
 */
public final class WorkspacePool {
    private final int gates;
    private final ArrayDeque<Workspace> idle = new ArrayDeque<>();

    /** A pool of workspaces for a network with {@code gates} gated blocks. */
    public WorkspacePool(int gates) {
        this.gates = gates;
    }

    /** An idle workspace (the one released last, whose arrays are the most likely to fit), or a new one. */
    public Workspace acquire() {
        Workspace w;
        synchronized (idle) {
            w = idle.pollFirst();
        }
        return w != null ? w : new Workspace(gates);
    }

    /** Gives back a workspace taken with {@link #acquire}; the caller no longer touches it or its arrays. */
    public void release(Workspace w) {
        synchronized (idle) {
            idle.addFirst(w);
        }
    }
}
