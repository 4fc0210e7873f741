package dev.adnet.runtime;

import dev.adnet.runtime.adaptive.ExitRouting;
import dev.adnet.runtime.ops.Arena;

/**
 * What one call of a generated network writes besides its parameters: the arena of intermediates, and the trace
 * of the call that {@code predict} reads after the forward pass (the samples each gate let through, where each
 * sample left). A call holds a workspace of its own from the network's {@link WorkspacePool} for its whole run, so
 * calls on other threads never write into it.
 */
public final class Workspace {
    private final Arena arena = new Arena();
    private final int[][] openRows;
    private ExitRouting routing;
    /** Per fixed point, the iterations each sample of this call took (empty for a network without fixed points). */
    private int[][] fixedPointIterations = new int[0][];

    /** A workspace for a network with {@code gates} gated blocks. */
    public Workspace(int gates) {
        openRows = new int[gates][];
    }

    /** The arena of this call's intermediates (kept between calls, so that warm calls allocate nothing). */
    public Arena arena() {
        return arena;
    }

    /** {@code openRows()[g]}: the samples, in input order, that gate {@code g} let through in this call. */
    public int[][] openRows() {
        return openRows;
    }

    private int[][] loopSteps = new int[0][];

    /**
     * {@code loopSteps(loops)[l][n]}: how many steps halting loop {@code l} took for input sample {@code n} in this
     * call (0 for a sample that left the network before the loop); sized for {@code loops} loops.
     */
    public int[][] loopSteps(int loops) {
        if (loopSteps.length != loops) {
            loopSteps = new int[loops][];
        }
        return loopSteps;
    }

    /** FLOPs per sample of the share units and tree nodes this call computed (a multi-task network's cost trace). */
    private long learnedFlops;

    /** Starts this call's count of {@link #learnedFlops}. */
    public void resetLearnedFlops() {
        learnedFlops = 0;
    }

    /** Counts a share unit or tree node computed for every sample of this call, {@code flops} per sample. */
    public void addLearnedFlops(long flops) {
        learnedFlops = Math.addExact(learnedFlops, flops);
    }

    /**
     * FLOPs per sample of the share units and tree nodes this call computed: with the learned structure decided at run
     * time, this is what {@code predict} adds to the network's fixed cost.
     */
    public long learnedFlops() {
        return learnedFlops;
    }

    /** Where each sample of this call left (null before a multi-exit network's first call). */
    public ExitRouting routing() {
        return routing;
    }

    public void routing(ExitRouting routing) {
        this.routing = routing;
    }

    /**
     * {@code fixedPointIterations()[k][n]}: the solver's work for sample {@code n} in implicit layer {@code k}, the
     * fixed points' forward iterations first, then the ODEs' function evaluations ({@code Prediction.iterations}).
     */
    public int[][] fixedPointIterations() {
        return fixedPointIterations;
    }

    /** Records the iterations (or function evaluations) of implicit layer {@code k} in this call. */
    public void fixedPointIterations(int k, int[] iterations) {
        if (fixedPointIterations.length <= k) {
            fixedPointIterations = java.util.Arrays.copyOf(fixedPointIterations, k + 1);
        }
        fixedPointIterations[k] = iterations;
    }
}
