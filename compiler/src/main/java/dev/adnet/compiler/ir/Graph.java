package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * A checked network lowered to primitives.
 *
 * @param name the network's name
 * @param inputs the declared inputs, in order, each with the value that stands for it
 * @param outputs the declared outputs, in order, each with the value computed for it
 * @param ops every op in a topological order
 * @param params every learnable tensor, in creation order
 * @param buffers every non-learnable state tensor, in creation order
 * @param training the train section, or null when the network declares none
 * @param span the network declaration
 */
public record Graph(String name, List<Port> inputs, List<Port> outputs, List<Op> ops, List<ParamDecl> params,
        List<BufferDecl> buffers, TrainSpec training, Span span) {
    public Graph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        ops = List.copyOf(ops);
        params = List.copyOf(params);
        buffers = List.copyOf(buffers);
    }

    /** The gated residual blocks, in order of their gate index. */
    public List<Op.GatedResidual> gates() {
        return ops.stream().filter(o -> o instanceof Op.GatedResidual).map(o -> (Op.GatedResidual) o).toList();
    }

    /** The early exits, in order of their index (which is also their order in the ops). */
    public List<Op.Exit> exits() {
        return ops.stream().filter(o -> o instanceof Op.Exit).map(o -> (Op.Exit) o).toList();
    }

    /** Whether op {@code index} belongs to an exit: its head or its decision. */
    public boolean inExit(int index) {
        for (Op.Exit x : exits()) {
            if (index >= x.headStart() && index <= x.headEnd()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether training leaves op {@code index} alone: with {@code freeze backbone}, every op outside the exit heads.
     */
    public boolean frozen(int index) {
        return training != null && training.freezeBackbone() && !inExit(index);
    }

    /** The parameters training updates, in declaration order. */
    public List<ParamDecl> trainableParams() {
        if (training == null || !training.freezeBackbone()) {
            return params;
        }
        java.util.Set<String> heads = new java.util.HashSet<>();
        for (int i = 0; i < ops.size(); i++) {
            if (inExit(i)) {
                ops.get(i).params().forEach(p -> heads.add(p.name()));
            }
        }
        return params.stream().filter(p -> heads.contains(p.name())).toList();
    }

    /** A named input or output and its value. */
    public record Port(String name, Value value) {}
}
