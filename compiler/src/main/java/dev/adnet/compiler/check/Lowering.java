package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.BlockDecl;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.BufferDecl;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The graph under construction for one network: values, ops, parameters and buffers, the naming of layer
 * instances, and the stack of blocks being instantiated (to stop runaway recursion).
 */
final class Lowering {
    /** Deep enough for any real network; stops a chain of blocks that only ends by exhausting memory. */
    static final int MAX_BLOCK_DEPTH = 64;
    /** Bounds the IR a single file can produce (and so compile time and generated code size). */
    static final int MAX_OPS = 100_000;

    final Diagnostics diagnostics;
    final Evaluator evaluator;
    private final List<Op> ops = new ArrayList<>();
    private final List<ParamDecl> params = new ArrayList<>();
    private final List<BufferDecl> buffers = new ArrayList<>();
    private final Map<String, Integer> instanceCounters = new HashMap<>();
    final Deque<BlockDecl> blockStack = new ArrayDeque<>();
    private int nextValue;
    private int gates;
    private boolean tooLarge;

    Lowering(Diagnostics diagnostics, Evaluator evaluator) {
        this.diagnostics = diagnostics;
        this.evaluator = evaluator;
    }

    Value newValue(long... shape) {
        return new Value(nextValue++, shape);
    }

    /** Adds an op; returns false (once reported by the caller) when the graph has grown past {@link #MAX_OPS}. */
    boolean add(Op op) {
        if (ops.size() >= MAX_OPS) {
            tooLarge = true;
            return false;
        }
        ops.add(op);
        return true;
    }

    boolean tooLarge() {
        return tooLarge;
    }

    ParamDecl param(String name, long[] shape, ParamDecl.Init init, long fanIn, long fanOut, boolean decay) {
        return param(name, shape, init, fanIn, fanOut, decay, null);
    }

    ParamDecl param(String name, long[] shape, ParamDecl.Init init, long fanIn, long fanOut, boolean decay, double[] values) {
        if (replayParams != null) {
            return replayParams.next();
        }
        ParamDecl p = new ParamDecl(name, shape, init, fanIn, fanOut, decay, values);
        params.add(p);
        return p;
    }

    BufferDecl buffer(String name, long size, double initial) {
        if (replayBuffers != null) {
            return replayBuffers.next();
        }
        BufferDecl b = new BufferDecl(name, size, initial);
        buffers.add(b);
        return b;
    }

    /**
     * A buffer of this op alone, even under weight sharing: the replayed pass skips its counterpart of the first pass
     * (so that the buffers after it still line up) and gets a new one. An exit's threshold is such a buffer: the
     * exits of a shared body share the head's weights, not the threshold calibration gives each of them.
     */
    BufferDecl ownBuffer(String name, long size, double initial) {
        if (replayBuffers != null) {
            replayBuffers.next();
        }
        BufferDecl b = new BufferDecl(name, size, initial);
        buffers.add(b);
        return b;
    }

    private java.util.Iterator<ParamDecl> replayParams;
    private java.util.Iterator<BufferDecl> replayBuffers;

    /**
     * Weight sharing: until {@link #endReplay()}, layers get the parameters and buffers created since the given
     * counts again, in creation order, instead of new ones. Lowering is deterministic, so a second pass over the
     * same body asks for the same tensors in the same order.
     */
    void replay(int paramsFrom, int buffersFrom) {
        replayParams = List.copyOf(params.subList(paramsFrom, params.size())).iterator();
        replayBuffers = List.copyOf(buffers.subList(buffersFrom, buffers.size())).iterator();
    }

    void endReplay() {
        replayParams = null;
        replayBuffers = null;
    }

    /** {@code scope.kindN}, numbered per scope and kind from 1, so names are stable under unrelated edits. */
    String instanceName(String scope, String kind) {
        String key = scope + "\u0000" + kind;
        int n = instanceCounters.merge(key, 1, Integer::sum);
        return (scope.isEmpty() ? "" : scope + ".") + kind + n;
    }

    /** Gates are numbered in lowering order; the target list of {@code target_rate([...])} follows it. */
    int nextGateIndex() {
        return gates++;
    }

    int gateCount() {
        return gates;
    }

    private int exits;
    /** The network's declared outputs (name and shape, null when broken), which an exit head stands for. */
    private final Map<String, long[]> declaredOutputs = new java.util.LinkedHashMap<>();

    /** Exits are numbered in lowering order, which is also their order in the ops. */
    int nextExitIndex() {
        return exits++;
    }

    private final Set<String> exitNames = new HashSet<>();

    /** False when another exit already has this path. */
    boolean claimExitName(String path) {
        return exitNames.add(path);
    }

    void declareOutput(String name, long[] shape) {
        declaredOutputs.put(name, shape);
    }

    Map<String, long[]> declaredOutputs() {
        return declaredOutputs;
    }

    List<Op> ops() {
        return ops;
    }

    List<ParamDecl> params() {
        return params;
    }

    List<BufferDecl> buffers() {
        return buffers;
    }
}
