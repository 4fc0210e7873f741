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

    Uses(Graph graph) {
        for (Op op : graph.ops()) {
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

    static boolean isRelu(Op op) {
        return op instanceof Op.Activation a && a.activation() == Op.ActivationKind.RELU;
    }
}
