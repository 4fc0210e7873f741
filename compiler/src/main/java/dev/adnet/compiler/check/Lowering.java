package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.BlockDecl;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.BufferDecl;
import dev.adnet.compiler.ir.Counts;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.Shapes;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
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
    /** The regions being built, innermost first; the bottom one is the network's body. */
    private final Deque<List<Op>> open = new ArrayDeque<>(List.of(new ArrayList<>()));
    private int opCount;
    private final List<ParamDecl> params = new ArrayList<>();
    private final List<BufferDecl> buffers = new ArrayList<>();
    private final Map<String, Integer> instanceCounters = new HashMap<>();
    /**
     * The blocks being applied, innermost last; searched by identity: a declaration is one node of the tree, and a
     * record's structural equals would compare whole bodies (and bootstrap its method handles at start-up).
     */
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

    /**
     * Adds an op to the innermost open region; returns false when the graph has grown past {@link #MAX_OPS} (reported
     * once by the caller), or after reporting at the op's origin when its output or a parameter is larger than the
     * runtime can hold: checking every op here keeps every value and parameter of a lowered graph within
     * {@link Counts#MAX_ELEMENTS}, so counting its elements, parameters and FLOPs cannot overflow for want of a check
     * somewhere else.
     */
    boolean add(Op op) {
        if (opCount >= MAX_OPS) {
            tooLarge = true;
            return false;
        }
        String who = op.kind() + " '" + op.path() + "'";
        for (ParamDecl p : op.params()) {
            if (!fitsParam(op.origin(), who, p.name(), p.shape())) {
                return false;
            }
        }
        if (!fitsValue(op.origin(), who + " gives", op.out().shape())) {
            return false;
        }
        open.peek().add(op);
        opCount++;
        return true;
    }

    /**
     * Lowers {@code body} into a nested region reading {@code arguments}: the ops it adds belong to the region, whose
     * result is the value it returns. Null, with the region's ops dropped, when it returns null (an error was
     * reported).
     */
    Region region(List<Value> arguments, java.util.function.Supplier<Value> body) {
        open.push(new ArrayList<>());
        Value result;
        try {
            result = body.get();
        } catch (RuntimeException | Error e) {
            open.pop();
            throw e;
        }
        List<Op> ops = open.pop();
        return result == null ? null : new Region(arguments, ops, List.of(result));
    }

    /** The network's body, once every nested region is closed. */
    Region body(List<Value> arguments, List<Value> results) {
        if (open.size() != 1) {
            throw new IllegalStateException(open.size() - 1 + " nested regions are still open");
        }
        return new Region(arguments, open.peek(), results);
    }

    /** Whether a value of this per-sample shape fits the runtime; reports at {@code at} when not. */
    boolean fitsValue(Span at, String what, long[] shape) {
        if (Counts.fits(shape)) {
            return true;
        }
        diagnostics.error(Code.TENSOR_TOO_LARGE, at, what + " " + Shapes.text(shape) + ", " + Counts.elementsText(shape)
                + " elements per sample; " + LIMIT);
        return false;
    }

    /** Whether parameter {@code name} of {@code who} fits the runtime; reports at {@code at} when not. */
    boolean fitsParam(Span at, String who, String name, long[] shape) {
        if (Counts.fits(shape)) {
            return true;
        }
        diagnostics.error(Code.PARAMETER_TOO_LARGE, at, who + " needs parameter '" + name + "' of shape " + Shapes.text(shape)
                + ", " + Counts.elementsText(shape) + " elements; " + LIMIT);
        return false;
    }

    private static final String LIMIT = "a tensor holds at most " + Counts.text(Counts.MAX_ELEMENTS)
            + " (the runtime indexes its elements with an int)";

    boolean tooLarge() {
        return tooLarge;
    }

    ParamDecl param(String name, long[] shape, ParamDecl.Init init, long fanIn, long fanOut, boolean decay) {
        return param(name, shape, init, fanIn, fanOut, decay, null);
    }

    ParamDecl param(String name, long[] shape, ParamDecl.Init init, long fanIn, long fanOut, boolean decay, double[] values) {
        ParamDecl p = replays.isEmpty() ? null : next(true);
        if (p == null) {
            p = new ParamDecl(name, shape, init, fanIn, fanOut, decay, values);
            params.add(p);
        }
        paramLog.add(p);
        return p;
    }

    BufferDecl buffer(String name, long size, double initial) {
        BufferDecl b = replays.isEmpty() ? null : next(false);
        if (b == null) {
            b = new BufferDecl(name, size, initial);
            buffers.add(b);
        }
        bufferLog.add(b);
        return b;
    }

    /**
     * A buffer of this op alone, even under weight sharing: the replayed pass skips its counterpart of the first pass
     * (so that the buffers after it still line up) and gets a new one. An exit's threshold is such a buffer: the
     * exits of a shared body share the head's weights, not the threshold calibration gives each of them.
     */
    BufferDecl ownBuffer(String name, long size, double initial) {
        if (!replays.isEmpty()) {
            next(false);
        }
        BufferDecl b = new BufferDecl(name, size, initial);
        buffers.add(b);
        bufferLog.add(b);
        return b;
    }

    /** The same for a parameter ({@code shared(batchnorm = "per_pass")}: a replayed pass's own gamma and beta). */
    ParamDecl ownParam(String name, long[] shape, ParamDecl.Init init, long fanIn, long fanOut, boolean decay) {
        if (!replays.isEmpty()) {
            next(true);
        }
        ParamDecl p = new ParamDecl(name, shape, init, fanIn, fanOut, decay);
        params.add(p);
        paramLog.add(p);
        return p;
    }

    /**
     * What a batchnorm of the pass being lowered takes of its own instead of the first pass's: a shared repeat with
     * {@code shared(batchnorm = ...)} sets it for the passes it replays.
     */
    private LoopyBatchNorm.Mode passNorm = LoopyBatchNorm.Mode.SHARED;

    LoopyBatchNorm.Mode passNorm() {
        return passNorm;
    }

    /** Sets {@link #passNorm()}; returns the previous mode, to restore after the pass. */
    LoopyBatchNorm.Mode passNorm(LoopyBatchNorm.Mode mode) {
        LoopyBatchNorm.Mode before = passNorm;
        passNorm = mode;
        return before;
    }

    /** Every parameter and buffer handed out, in order (a replayed one again each time): what sharing replays. */
    private final List<ParamDecl> paramLog = new ArrayList<>();
    private final List<BufferDecl> bufferLog = new ArrayList<>();
    /** Active replays, innermost first. */
    private final Deque<Replay> replays = new ArrayDeque<>();

    private record Replay(java.util.Iterator<ParamDecl> params, java.util.Iterator<BufferDecl> buffers) {}

    /** Where the logs stand: a shared repeat marks its first pass with two of these. */
    int[] mark() {
        return new int[] {paramLog.size(), bufferLog.size()};
    }

    /**
     * Weight sharing: until {@link #endReplay()}, layers get the parameters and buffers handed out between the two
     * marks again, in order, instead of new ones. Lowering is deterministic, so a later pass over the same body asks
     * for the same tensors in the same order. Replays nest (a shared repeat inside a shared repeat): the innermost
     * hands out, and every outer one steps past the same tensor, which its own first pass logged at that point.
     */
    void replay(int[] from, int[] to) {
        replays.push(new Replay(List.copyOf(paramLog.subList(from[0], to[0])).iterator(),
                List.copyOf(bufferLog.subList(from[1], to[1])).iterator()));
    }

    void endReplay() {
        replays.pop();
    }

    @SuppressWarnings("unchecked")
    private <T> T next(boolean param) {
        T handed = null;
        for (Replay r : replays) {
            java.util.Iterator<?> it = param ? r.params() : r.buffers();
            if (!it.hasNext()) {
                throw new IllegalStateException("a shared pass asks for more " + (param ? "parameters" : "buffers")
                        + " than its first pass created");
            }
            Object o = it.next();
            if (handed == null) {
                handed = (T) o;
            } else if (o != handed) {
                throw new IllegalStateException("nested weight sharing lost its place");
            }
        }
        return handed;
    }

    /**
     * Whether {@code region} (its nested regions included) reads nothing but its arguments and what it computes
     * itself, so that it can run on a sub-batch of its arguments' rows (a gated block, an exit head); reports the first
     * read from outside as {@code rule + ", but this reads a value from outside it"}.
     */
    boolean readsOnly(Region region, String rule) {
        Set<Value> inside = new HashSet<>(region.arguments());
        for (Op op : region.schedule()) {
            for (Value v : op.inputs()) {
                if (!inside.contains(v)) {
                    diagnostics.error(Code.INVALID_VALUE, op.origin(), rule
                            + ", but this reads a value from outside it");
                    return false;
                }
            }
            inside.add(op.out());
        }
        return true;
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

    private int shares;

    /** Shares are numbered in lowering order. */
    int nextShareIndex() {
        return shares++;
    }

    int gateCount() {
        return gates;
    }

    private int loops;

    /** Halting loops are numbered in lowering order, which is also their order in the ops. */
    int nextLoopIndex() {
        return loops++;
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

    /** The ops of the innermost open region so far (nested regions' ops stand inside their region ops). */
    List<Op> current() {
        return open.peek();
    }

    List<ParamDecl> params() {
        return params;
    }

    List<BufferDecl> buffers() {
        return buffers;
    }
}
