package dev.adnet.compiler.emit;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The emitter's fusion and layout decisions for one network as maps between op indices of its checked schedule
 * ({@link Graph#ops()}): those the rewrite passes took, read from the fused ops of a program (which batchnorms run
 * with their ReLU or fold into their convolution, which adds and gated residuals run with their ReLU, which gate
 * heads run as one kernel, which dense layers read an image unflattened), and those still found by searching here
 * (gated residuals in place, poolings inside residual kernels, adds inside convolutions). {@link #describe()}
 * prints them by op path, and the golden corpus pins that text next to the IR.
 *
 * <p>The searches here are to become passes too (docs/architecture.md); until then the emitter consults these maps
 * for them, and for the training step's backward, which walks the checked ops.
 */
final class FusionPlan {
    private final Graph graph;
    /** Fused batchnorm -> ReLU pairs: batchnorm op index to ReLU op index, and back. */
    final Map<Integer, Integer> fusedRelu = new HashMap<>();
    final Map<Integer, Integer> fusedBatchNorm = new HashMap<>();
    /** Channels-last inference: batchnorms folded into the convolution right before them (op index - 1). */
    final Set<Integer> foldedBatchNorm = new HashSet<>();
    /** Fused add -> ReLU pairs (training and inference): add op index to ReLU op index, and back. */
    final Map<Integer, Integer> addRelu = new HashMap<>();
    final Map<Integer, Integer> reluAdd = new HashMap<>();
    /** Inference only: a gated residual's index to the index of the ReLU fused into its scatter, and back. */
    final Map<Integer, Integer> gateRelu = new HashMap<>();
    final Map<Integer, Integer> reluGate = new HashMap<>();
    /** Inference only: the gated residuals (by index) that add their block's rows into the shortcut in place. */
    final Set<Integer> gateInPlace = new HashSet<>();
    /**
     * Inference only: a gate head's last dense layer (by index) to its first dense layer, batchnorm and ReLU, which
     * run with it as one {@code GateHead.inference}; and the indices of those three.
     */
    final Map<Integer, int[]> gateHead = new HashMap<>();
    final Set<Integer> inGateHead = new HashSet<>();
    /**
     * Channels-last inference only: the residual kernels (an in-place gated residual or an add -> ReLU, by index)
     * that also write the global average pooling of their output, to the pooling's index; the poolings so
     * computed early; and for an in-place gated residual, the earlier pooling of its shortcut (the gate head's)
     * that its closed rows copy.
     */
    final Map<Integer, Integer> poolsOutput = new HashMap<>();
    final Set<Integer> pooledEarly = new HashSet<>();
    final Map<Integer, Integer> shortcutPool = new HashMap<>();
    /**
     * Channels-last inference only: residual adds (by index) whose operand from a folded convolution and batchnorm
     * oneDNN adds into the other operand, the shortcut, as it writes the convolution's result (with the ReLU after
     * the add, if fused); the add to the batchnorm's index and back.
     */
    final Map<Integer, Integer> addIntoShortcut = new HashMap<>();
    final Map<Integer, Integer> convIntoShortcut = new HashMap<>();
    /**
     * Channels-last inference only: in-place gated residuals (by index) whose body ends with a folded convolution
     * + batchnorm; when the body runs on a range of the batch's rows (all open, or a window), that convolution
     * adds into the same rows of the shortcut, with the ReLU ({@link #findGateConvAdds}).
     */
    final Set<Integer> gateConvAdd = new HashSet<>();
    /**
     * Channels-last inference only: dense layers (by index) on the flatten of an image that nothing else reads, to
     * the flatten's index, and those flattens: the dense layer reads the image as it is
     * ({@code ChannelsLast.flattenDense}), so the flattened copy is never made.
     */
    final Map<Integer, Integer> denseOfFlatten = new HashMap<>();
    final Set<Integer> flattenIntoDense = new HashSet<>();
    /** The ops (by index) that read each value (by id), and the op producing it, for the fusion searches. */
    final Map<Integer, List<Integer>> readers = new HashMap<>();
    final Map<Integer, Integer> producer = new HashMap<>();
    /** The ids of the network's output values, which no fusion may leave unstored. */
    private final Set<Integer> outputs = new HashSet<>();

    /**
     * @param graph the checked graph, whose schedule indexes every decision
     * @param program the program the passes made of it ({@code dev.adnet.compiler.pass.Pipeline}), whose fused ops
     *     are the decisions taken so far
     */
    FusionPlan(Graph graph, Graph program) {
        this.graph = graph;
        List<Op> ops = graph.ops();
        for (int i = 0; i < ops.size(); i++) {
            for (Value in : ops.get(i).inputs()) {
                readers.computeIfAbsent(in.id(), k -> new ArrayList<>()).add(i);
            }
            producer.put(ops.get(i).out().id(), i);
        }
        for (Graph.Port p : graph.outputs()) {
            outputs.add(p.value().id());
        }
        fromProgram(program);
        findGateFusions();
        findShortcutAccumulation();
        findFusedPools();
        findGateConvAdds();
    }

    /**
     * The decisions the passes took, as fused ops of {@code program}, by the indices of their parts in the checked
     * schedule: the batchnorms that run with their ReLU or fold into their convolution, the adds that run with their
     * ReLU, the gate heads that run as one kernel, the dense layers that read an image unflattened.
     */
    private void fromProgram(Graph program) {
        for (Op op : program.ops()) {
            if (op instanceof FusedOp.BatchNormRelu f) {
                pairBatchNormRelu(f.batchNorm(), f.relu());
            } else if (op instanceof FusedOp.ConvBatchNorm f) {
                foldedBatchNorm.add(index(f.batchNorm()));
                if (f.relu() != null) {
                    pairBatchNormRelu(f.batchNorm(), f.relu());
                }
            } else if (op instanceof FusedOp.GatedResidualRelu f) {
                gateRelu.put(index(f.gate()), index(f.relu()));
                reluGate.put(index(f.relu()), index(f.gate()));
            } else if (op instanceof FusedOp.AddRelu f) {
                addRelu.put(index(f.add()), index(f.relu()));
                reluAdd.put(index(f.relu()), index(f.add()));
            } else if (op instanceof FusedOp.GateHead f) {
                gateHead.put(index(f.last()), new int[] {index(f.first()), index(f.batchNorm()), index(f.relu())});
                inGateHead.addAll(List.of(index(f.first()), index(f.batchNorm()), index(f.relu())));
            } else if (op instanceof FusedOp.FlattenDense f) {
                denseOfFlatten.put(index(f.dense()), index(f.flatten()));
                flattenIntoDense.add(index(f.flatten()));
            }
        }
    }

    private void pairBatchNormRelu(Op.BatchNorm b, Op.Activation relu) {
        fusedRelu.put(index(b), index(relu));
        fusedBatchNorm.put(index(relu), index(b));
    }

    /** A checked op's index in the schedule. */
    private int index(Op op) {
        return producer.get(op.out().id());
    }

    /**
     * Inference of a gated residual with its ReLU ({@code FuseGatedResidualRelu}): when the shortcut is the output
     * of a ReLU at the top level (so non-negative, in an arena slot of its own), read by no op after the gated
     * residual, no dropout (whose inference output aliases its input) and no network output, the open rows are
     * added into the shortcut in place ({@code Compaction.addRowsInPlace}) and the ReLU's output is that array: a
     * closed row costs nothing.
     */
    private void findGateFusions() {
        List<Op> ops = graph.ops();
        Set<Integer> inBody = new HashSet<>();
        for (Op.GatedResidual g : graph.gates()) {
            for (int i = graph.start(g.bodyRegion()); i < graph.end(g.bodyRegion()); i++) {
                inBody.add(i);
            }
        }
        for (int i : new java.util.TreeSet<>(gateRelu.keySet())) {
            Op.GatedResidual g = (Op.GatedResidual) ops.get(i);
            Integer from = producer.get(g.shortcut().id());
            if (from == null || inBody.contains(from) || !isRelu(ops.get(from))
                    || outputs.contains(g.shortcut().id())) {
                continue;
            }
            boolean dead = true;
            for (int reader : readers.getOrDefault(g.shortcut().id(), List.of())) {
                dead &= reader <= i && !(ops.get(reader) instanceof Op.Dropout);
            }
            if (dead) {
                gateInPlace.add(i);
            }
        }
    }


    /**
     * A global average pooling of the output of an in-place gated residual or of an add -> ReLU runs inside that
     * kernel (channels-last inference; {@code Compaction.addRowsInPlace} and {@code Elementwise.addRelu} with
     * means): the gate head after every block would otherwise read the block's output again. Both must run at the
     * top level with the same batch (no gated body, no exit head, no exit between them), so that the pooled array
     * is in scope and its rows are the batch's where the pooling was. Not an add that runs inside its convolution
     * ({@link #findShortcutAccumulation}): its pooling reads the result afterwards, one pass where the add kernel
     * would read two arrays and write one.
     */
    private void findFusedPools() {
        List<Op> ops = graph.ops();
        Set<Integer> nested = nestedOps();
        for (int i = 0; i < ops.size(); i++) {
            Value produced;
            if (gateInPlace.contains(i)) {
                produced = ops.get(gateRelu.get(i)).out();
            } else if (addRelu.containsKey(i) && !nested.contains(i) && !addIntoShortcut.containsKey(i)) {
                produced = ops.get(addRelu.get(i)).out();
            } else {
                continue;
            }
            for (int p : readers.getOrDefault(produced.id(), List.of())) {
                if (ops.get(p) instanceof Op.GlobalAvgPool && !nested.contains(p) && !exitBetween(i, p)) {
                    poolsOutput.put(i, p);
                    pooledEarly.add(p);
                    break;
                }
            }
            if (gateInPlace.contains(i) && poolsOutput.containsKey(i)) {
                Op.GatedResidual g = (Op.GatedResidual) ops.get(i);
                for (int q : readers.getOrDefault(g.shortcut().id(), List.of())) {
                    if (q < i && ops.get(q) instanceof Op.GlobalAvgPool && !nested.contains(q) && !exitBetween(q, i)) {
                        shortcutPool.put(i, q);
                        break;
                    }
                }
            }
        }
    }


    /**
     * A residual add of a folded convolution + batchnorm (read by nothing else) to a shortcut that nothing reads
     * after the convolution starts runs as {@code ChannelsLast.convBatchNormAdd}: oneDNN adds the convolution's
     * result into the shortcut's array as it writes it, so the add (and its ReLU) costs no pass over three
     * activation arrays. Both at the top level with no exit between, the shortcut computed before the convolution by
     * an op (an input is the caller's array) other than a dropout (whose inference output is its input's array).
     * Found before {@link #findFusedPools}, which leaves these adds' poolings to run on their own.
     */
    private void findShortcutAccumulation() {
        List<Op> ops = graph.ops();
        Set<Integer> nested = nestedOps();
        for (int i = 0; i < ops.size(); i++) {
            if (!(ops.get(i) instanceof Op.Elementwise e) || e.op() != Op.ElementwiseKind.ADD || nested.contains(i)
                    || outputs.contains(e.out().id()) || e.a().id() == e.b().id()) {
                continue;
            }
            for (Value[] pair : new Value[][] {{e.b(), e.a()}, {e.a(), e.b()}}) {
                Integer bn = producer.get(pair[0].id());
                Integer from = producer.get(pair[1].id());
                // the shortcut must exist before the convolution writes into it (a projection shortcut runs after
                // the block's body: the projection's convolution is then the one that adds)
                if (bn == null || from == null || from >= bn - 1 || !foldedBatchNorm.contains(bn) || nested.contains(bn)
                        || nested.contains(from) || outputs.contains(pair[0].id())
                        || outputs.contains(pair[1].id()) || ops.get(from) instanceof Op.Dropout
                        || readers.getOrDefault(pair[0].id(), List.of()).size() != 1 || exitBetween(from, i)) {
                    continue;
                }
                boolean free = true;
                for (int reader : readers.getOrDefault(pair[1].id(), List.of())) {
                    free &= reader == i || reader < bn - 1;
                }
                if (free) {
                    addIntoShortcut.put(i, bn);
                    convIntoShortcut.put(bn, i);
                    break;
                }
            }
        }
    }


    /**
     * An in-place gated residual ({@link #findGateFusions}) whose body ends with a folded convolution + batchnorm
     * read by the residual alone: when the open rows are one range of the batch (every row open, or a window), the
     * convolution adds into that range of the shortcut with the ReLU inside oneDNN, as
     * {@link #findShortcutAccumulation} does for static residuals, and the next gate head's means are pooled from
     * that range alone ({@code Compaction.windowMeans}): no pass over the block's output and the shortcut. The
     * convolution must not read the shortcut's array it writes (a body of one convolution reads the block's
     * input).
     */
    private void findGateConvAdds() {
        List<Op> ops = graph.ops();
        for (Op.GatedResidual g : graph.gates()) {
            int residual = ops.indexOf(g);
            int bn = graph.end(g.bodyRegion()) - 1;
            if (!gateInPlace.contains(residual) || bn - 1 < graph.start(g.bodyRegion()) || !foldedBatchNorm.contains(bn)
                    || fusedRelu.containsKey(bn) || ops.get(bn).out().id() != g.body().id()
                    || readers.getOrDefault(g.body().id(), List.of()).size() != 1) {
                continue;
            }
            Value convIn = ((Op.Conv2d) ops.get(bn - 1)).in();
            if (convIn.id() != g.input().id() && convIn.id() != g.shortcut().id()) {
                gateConvAdd.add(residual);
            }
        }
    }


    /** The ops inside gated bodies and exit heads, which run on a batch of their own. */
    private Set<Integer> nestedOps() {
        Set<Integer> nested = new HashSet<>();
        for (Op.GatedResidual g : graph.gates()) {
            for (int i = graph.start(g.bodyRegion()); i < graph.end(g.bodyRegion()); i++) {
                nested.add(i);
            }
        }
        for (Op.Exit x : graph.exits()) {
            for (int i = graph.start(x.headRegion()); i <= graph.end(x.headRegion()); i++) {
                nested.add(i);
            }
        }
        return nested;
    }


    /** Whether an exit lies between ops {@code from} and {@code to}, where the batch shrinks. */
    private boolean exitBetween(int from, int to) {
        for (Op.Exit x : graph.exits()) {
            if (graph.start(x.headRegion()) > from && graph.start(x.headRegion()) < to) {
                return true;
            }
        }
        return false;
    }


    static boolean isRelu(Op op) {
        return op instanceof Op.Activation a && a.activation() == Op.ActivationKind.RELU;
    }


    /** The shortcut operand of an add in {@link #addIntoShortcut}. */
    Value shortcutOf(int add) {
        Op.Elementwise e = (Op.Elementwise) graph.ops().get(add);
        return graph.ops().get(addIntoShortcut.get(add)).out().id() == e.b().id() ? e.a() : e.b();
    }

    /**
     * The decisions as text, one line each in schedule order, ops named by path: what the golden corpus pins next to
     * the IR, so that a change of a fusion search shows as a diff of its decisions.
     */
    String describe() {
        List<String> lines = new ArrayList<>();
        List<Op> ops = graph.ops();
        pairs(lines, "batchnorm + relu", fusedRelu);
        for (int bn : new java.util.TreeSet<>(foldedBatchNorm)) {
            lines.add(line(bn - 1, "folds at channels-last inference: " + ops.get(bn - 1).path() + " + " + ops.get(bn).path()));
        }
        pairs(lines, "add + relu", addRelu);
        pairs(lines, "gated residual + relu at inference", gateRelu);
        for (int g : new java.util.TreeSet<>(gateInPlace)) {
            lines.add(line(g, "gated residual adds its open rows into its shortcut in place: " + ops.get(g).path()
                    + (gateConvAdd.contains(g) ? ", its last convolution adding into the shortcut's rows" : "")));
        }
        for (var e : new java.util.TreeMap<>(gateHead).entrySet()) {
            int[] c = e.getValue();
            lines.add(line(c[0], "gate head as one kernel: " + ops.get(c[0]).path() + ", " + ops.get(c[1]).path() + ", "
                    + ops.get(c[2]).path() + ", " + ops.get(e.getKey()).path()));
        }
        pairs(lines, "flatten read by dense", inverse(denseOfFlatten));
        pairs(lines, "computes the pooling of its output", poolsOutput);
        pairs(lines, "copies its closed rows' pooling from", shortcutPool);
        pairs(lines, "add inside the convolution of", addIntoShortcut);
        lines.sort(null);
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l.substring(l.indexOf(' ') + 1)).append('\n'));
        return sb.toString();
    }

    private void pairs(List<String> lines, String what, Map<Integer, Integer> map) {
        for (var e : map.entrySet()) {
            lines.add(line(e.getKey(), what + ": " + graph.ops().get(e.getKey()).path() + " -> " + graph.ops().get(e.getValue()).path()));
        }
    }

    /** Sorts by the op's index in the schedule; the index is cut off when printed. */
    private static String line(int index, String text) {
        return String.format(java.util.Locale.ROOT, "%08d %s", index, text);
    }

    private static Map<Integer, Integer> inverse(Map<Integer, Integer> map) {
        Map<Integer, Integer> out = new HashMap<>();
        map.forEach((k, v) -> out.put(v, k));
        return out;
    }
}
