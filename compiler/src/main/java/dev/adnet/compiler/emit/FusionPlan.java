package dev.adnet.compiler.emit;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fused ops of one program (built by the passes of {@code dev.adnet.compiler.pass.Pipeline}) as maps between op
 * indices of the checked schedule ({@link Graph#ops()}): the training step's backward, which walks the checked ops,
 * asks which batchnorms ran with their ReLU; {@link #describe()} prints every decision by op path, and the golden
 * corpus pins that text next to the IR. Every decision is taken by a pass; nothing is searched here.
 */
final class FusionPlan {
    private final Graph graph;
    /** Fused batchnorm -> ReLU pairs: batchnorm op index to ReLU op index, and back. */
    final Map<Integer, Integer> fusedRelu = new HashMap<>();
    final Map<Integer, Integer> fusedBatchNorm = new HashMap<>();
    /** Batchnorms folded into the convolution right before them (op index - 1). */
    private final Set<Integer> foldedBatchNorm = new HashSet<>();
    /** Add -> ReLU pairs. */
    private final Map<Integer, Integer> addRelu = new HashMap<>();
    /** Gated residual -> ReLU pairs. */
    private final Map<Integer, Integer> gateRelu = new HashMap<>();
    /** In-place gated residuals, and those whose body's last convolution adds into the open rows. */
    private final Set<Integer> gateInPlace = new HashSet<>();
    private final Set<Integer> gateConvAdd = new HashSet<>();
    /** A gate head's last dense layer to its first dense layer, batchnorm and ReLU. */
    private final Map<Integer, int[]> gateHead = new HashMap<>();
    /** Dense layers reading an image unflattened, to the flatten's index. */
    private final Map<Integer, Integer> denseOfFlatten = new HashMap<>();
    /** Residual kernels that compute a pooling, to the pooling; in-place residuals to the pooling their closed rows copy. */
    private final Map<Integer, Integer> poolsOutput = new HashMap<>();
    private final Map<Integer, Integer> shortcutPool = new HashMap<>();
    /** Adds computed inside the convolution before them, to the folded batchnorm's index. */
    private final Map<Integer, Integer> addIntoShortcut = new HashMap<>();
    /** Each checked op's index, by the id of the value it defines. */
    private final Map<Integer, Integer> producer = new HashMap<>();

    /**
     * @param graph the checked graph, whose schedule indexes every decision
     * @param program the program the passes made of it
     */
    FusionPlan(Graph graph, Graph program) {
        this.graph = graph;
        List<Op> ops = graph.ops();
        for (int i = 0; i < ops.size(); i++) {
            producer.put(ops.get(i).out().id(), i);
        }
        for (Op op : program.ops()) {
            record(op);
        }
    }

    /** Records the decisions {@code op} stands for, those of the fused ops it wraps included. */
    private void record(Op op) {
        if (op instanceof FusedOp.BatchNormRelu f) {
            pairBatchNormRelu(f.batchNorm(), f.relu());
        } else if (op instanceof FusedOp.ConvBatchNorm f) {
            foldedBatchNorm.add(index(f.batchNorm()));
            if (f.relu() != null) {
                pairBatchNormRelu(f.batchNorm(), f.relu());
            }
        } else if (op instanceof FusedOp.GatedResidualRelu f) {
            gateRelu.put(index(f.gate()), index(f.relu()));
        } else if (op instanceof FusedOp.GatedResidualInPlace f) {
            record(f.residual());
            int g = index(f.gate());
            gateInPlace.add(g);
            if (f.lastConvAdds()) {
                gateConvAdd.add(g);
            }
            if (f.pool() != null) {
                poolsOutput.put(g, index(f.pool()));
            }
            if (f.closedPool() != null) {
                shortcutPool.put(g, index(f.closedPool()));
            }
        } else if (op instanceof FusedOp.AddRelu f) {
            addRelu.put(index(f.add()), index(f.relu()));
        } else if (op instanceof FusedOp.AddReluPool f) {
            record(f.addRelu());
            poolsOutput.put(index(f.addRelu().add()), index(f.pool()));
        } else if (op instanceof FusedOp.ConvBatchNormAddInto f) {
            record(f.conv());
            if (f.add() instanceof FusedOp.AddRelu a) {
                record(a);
            }
            addIntoShortcut.put(index(f.sum()), index(f.conv().batchNorm()));
        } else if (op instanceof FusedOp.GateHead f) {
            gateHead.put(index(f.last()), new int[] {index(f.first()), index(f.batchNorm()), index(f.relu())});
        } else if (op instanceof FusedOp.FlattenDense f) {
            denseOfFlatten.put(index(f.dense()), index(f.flatten()));
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

    static boolean isRelu(Op op) {
        return op instanceof Op.Activation a && a.activation() == Op.ActivationKind.RELU;
    }

    /**
     * The decisions as text, one line each in schedule order, ops named by path: what the golden corpus pins next to
     * the IR, so that a change of a pass shows as a diff of its decisions.
     */
    String describe() {
        List<String> lines = new ArrayList<>();
        List<Op> ops = graph.ops();
        pairs(lines, "batchnorm + relu", fusedRelu);
        for (int bn : new TreeSet<>(foldedBatchNorm)) {
            lines.add(line(bn - 1, "folds at channels-last inference: " + ops.get(bn - 1).path() + " + " + ops.get(bn).path()));
        }
        pairs(lines, "add + relu", addRelu);
        pairs(lines, "gated residual + relu at inference", gateRelu);
        for (int g : new TreeSet<>(gateInPlace)) {
            lines.add(line(g, "gated residual adds its open rows into its shortcut in place: " + ops.get(g).path()
                    + (gateConvAdd.contains(g) ? ", its last convolution adding into the shortcut's rows" : "")));
        }
        for (var e : new TreeMap<>(gateHead).entrySet()) {
            int[] c = e.getValue();
            lines.add(line(c[0], "gate head as one kernel: " + ops.get(c[0]).path() + ", " + ops.get(c[1]).path() + ", "
                    + ops.get(c[2]).path() + ", " + ops.get(e.getKey()).path()));
        }
        Map<Integer, Integer> flattenToDense = new HashMap<>();
        denseOfFlatten.forEach((dense, flatten) -> flattenToDense.put(flatten, dense));
        pairs(lines, "flatten read by dense", flattenToDense);
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
}
