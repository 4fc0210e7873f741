package dev.adnet.compiler.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fusion decisions of a program (a checked graph rewritten by the passes of
 * {@code dev.adnet.compiler.pass.Pipeline}) as text, one line each in the checked schedule's order, ops named by path:
 * what the golden corpus pins next to the IR, so that a change of a pass shows as a diff of its decisions. Read from
 * the program's fused ops; nothing is searched here.
 */
public final class FusionReport {
    private final Graph graph;
    /** Batchnorm -> ReLU pairs. */
    private final Map<Integer, Integer> fusedRelu = new HashMap<>();
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

    private FusionReport(Graph graph, Graph program) {
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
    }

    /** A checked op's index in the schedule. */
    private int index(Op op) {
        return producer.get(op.out().id());
    }

    /** The decisions {@code program} took on {@code graph}, the checked graph it was made of. */
    public static String describe(Graph graph, Graph program) {
        return new FusionReport(graph, program).text();
    }

    private String text() {
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
