package dev.adnet.compiler.pass;

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
 * Who defines and who reads each value of a graph, nested regions included, and which values are network outputs:
 * what a pass asks before it fuses an op into the one that reads it. A construct reads its regions' results.
 */
final class Uses {
    private final Map<Integer, List<Op>> readers = new HashMap<>();
    private final Map<Integer, Op> producer = new HashMap<>();
    private final Set<Integer> outputs = new HashSet<>();
    /** Each op's place in the schedule, by the id of the value it defines. */
    private final Map<Integer, Integer> position = new HashMap<>();
    private final Graph graph;

    Uses(Graph graph) {
        this.graph = graph;
        for (Op op : graph.ops()) {
            position.put(op.out().id(), position.size());
            // one entry per operand: an op that reads a value twice counts twice
            for (Value in : op.inputs()) {
                readers.computeIfAbsent(in.id(), k -> new ArrayList<>()).add(op);
            }
            producer.put(op.out().id(), op);
        }
        for (Graph.Port p : graph.outputs()) {
            outputs.add(p.value().id());
        }
    }

    /** The ops reading {@code v}, one entry per operand, in schedule order. */
    List<Op> readers(Value v) {
        return readers.getOrDefault(v.id(), List.of());
    }

    boolean isOutput(Value v) {
        return outputs.contains(v.id());
    }

    /** The op defining {@code v}; null for a network input. */
    Op producer(Value v) {
        return producer.get(v.id());
    }

    /** The one op reading {@code v}, when it is read once and is no network output; null otherwise. */
    Op soleReader(Value v) {
        List<Op> r = readers(v);
        return r.size() == 1 && !isOutput(v) ? r.get(0) : null;
    }

    /** The op defining {@code v}, when {@code v} is read once and is no network output; null otherwise. */
    Op soleProducer(Value v) {
        return readers(v).size() == 1 && !isOutput(v) ? producer(v) : null;
    }

    /** Where {@code op} (an op of the graph, or one standing for it) runs in the graph's schedule. */
    int position(Op op) {
        return position.get(op.out().id());
    }

    /** Whether {@code v} is a ReLU's output, the ReLU maybe a fused op's last part. */
    boolean definedByRelu(Value v) {
        Op p = producer(v);
        if (p instanceof Op.Fused f) {
            return f.parts().stream().anyMatch(part -> isRelu(part) && part.out().id() == v.id());
        }
        return isRelu(p);
    }

    /** Whether an exit's head starts between ops {@code from} and {@code to}: the batch may shrink there. */
    boolean exitBetween(Op from, Op to) {
        for (Op.Exit x : graph.exits()) {
            int head = graph.start(x.headRegion());
            if (head > position(from) && head < position(to)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code op} runs inside a gated body or an exit head, on rows of its own: a kernel there cannot write
     * into an array of the whole batch.
     */
    boolean onRowsOfItsOwn(Op op) {
        int at = position(op);
        for (Op.GatedResidual g : graph.gates()) {
            if (at >= graph.start(g.bodyRegion()) && at < graph.end(g.bodyRegion())) {
                return true;
            }
        }
        for (Op.Exit x : graph.exits()) {
            if (at >= graph.start(x.headRegion()) && at <= graph.end(x.headRegion())) {
                return true;
            }
        }
        return false;
    }

    static boolean isRelu(Op op) {
        return op instanceof Op.Activation a && a.activation() == Op.ActivationKind.RELU;
    }
}
