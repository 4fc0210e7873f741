package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checked network lowered to primitives: a {@link Region} of ops (its {@link #body()}), in which constructs own
 * nested regions, and the network's ports, parameters and state.
 *
 * <p>{@link #ops()} is the body's {@link Region#schedule() schedule}: every op, nested ones included, in one
 * topological order in which each region is a contiguous range ({@link #start}, {@link #end}) followed by the op
 * that owns it. Stages that walk the network in order (cost, backward planning, emission) index into it.
 */
public final class Graph {
    private final String name;
    private final List<Port> inputs;
    private final List<Port> outputs;
    private final Region body;
    private final List<Op> ops;
    private final Map<Region, int[]> ranges = new IdentityHashMap<>();
    private final List<ParamDecl> params;
    private final List<BufferDecl> buffers;
    private final TrainSpec training;
    private final Span span;
    private final List<String> tasks;

    /**
     * @param name the network's name
     * @param inputs the declared inputs, in order, each with the value that stands for it
     * @param outputs the declared outputs, in order, each with the value computed for it
     * @param body the network's ops, constructs with their nested regions
     * @param params every learnable tensor, in creation order
     * @param buffers every non-learnable state tensor, in creation order
     * @param training the train section, or null when the network declares none
     * @param span the network declaration
     */
    public Graph(String name, List<Port> inputs, List<Port> outputs, Region body, List<ParamDecl> params,
            List<BufferDecl> buffers, TrainSpec training, Span span) {
        this(name, inputs, outputs, body, params, buffers, training, span, List.of());
    }

    /**
     * A multi-task network: the same, with {@code tasks} naming the outputs that are tasks (declared with
     * {@code task name: classes(k)}), in declaration order.
     */
    public Graph(String name, List<Port> inputs, List<Port> outputs, Region body, List<ParamDecl> params,
            List<BufferDecl> buffers, TrainSpec training, Span span, List<String> tasks) {
        this.name = name;
        this.tasks = List.copyOf(tasks);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        this.body = body;
        this.params = List.copyOf(params);
        this.buffers = List.copyOf(buffers);
        this.training = training;
        this.span = span;
        IrVerifier.verify(body);
        List<Op> schedule = new ArrayList<>();
        body.schedule(schedule, ranges);
        this.ops = List.copyOf(schedule);
    }

    /** A graph without constructs: {@code ops} form its body. */
    public static Graph of(String name, List<Port> inputs, List<Port> outputs, List<Op> ops, List<ParamDecl> params,
            List<BufferDecl> buffers, TrainSpec training, Span span) {
        Region body = new Region(inputs.stream().map(Port::value).toList(), ops, outputs.stream().map(Port::value).toList());
        return new Graph(name, inputs, outputs, body, params, buffers, training, span);
    }

    /**
     * The same network with {@code body} in its place: what a rewrite pass returns. The values, ports, parameters and
     * state stay; the new body is verified like any other.
     */
    public Graph withBody(Region body) {
        return new Graph(name, inputs, outputs, body, params, buffers, training, span, tasks);
    }

    public String name() {
        return name;
    }

    public List<Port> inputs() {
        return inputs;
    }

    public List<Port> outputs() {
        return outputs;
    }

    /** The names of the outputs that are tasks, in declaration order; empty for a single-task network. */
    public List<String> tasks() {
        return tasks;
    }

    /** The network's top-level region. */
    public Region body() {
        return body;
    }

    /** Every op, nested ones included, in schedule order. */
    public List<Op> ops() {
        return ops;
    }

    public List<ParamDecl> params() {
        return params;
    }

    public List<BufferDecl> buffers() {
        return buffers;
    }

    public TrainSpec training() {
        return training;
    }

    public Span span() {
        return span;
    }

    /** Where {@code region}'s ops (nested ones included) begin in {@link #ops()}. */
    public int start(Region region) {
        return range(region)[0];
    }

    /** Where {@code region}'s ops end in {@link #ops()} (exclusive); the op owning it, if any, stands there. */
    public int end(Region region) {
        return range(region)[1];
    }

    private int[] range(Region region) {
        int[] r = ranges.get(region);
        if (r == null) {
            throw new IllegalArgumentException("not a region of network " + name);
        }
        return r;
    }

    /** The gated residual blocks, in order of their gate index (in a program, those fused with their ReLU too, in place or not). */
    public List<Op.GatedResidual> gates() {
        return ops.stream().map(o -> o instanceof FusedOp.GatedResidualRelu f ? f.gate()
                        : o instanceof FusedOp.GatedResidualInPlace f ? f.gate() : o)
                .filter(o -> o instanceof Op.GatedResidual).map(o -> (Op.GatedResidual) o).toList();
    }

    /** The halting loops, in order of their index. */
    public List<HaltingLoop> haltingLoops() {
        return ops.stream().filter(o -> o instanceof HaltingLoop).map(o -> (HaltingLoop) o).toList();
    }

    /** The early exits, in order of their index (which is also their order in the ops). */
    public List<Op.Exit> exits() {
        return ops.stream().filter(o -> o instanceof Op.Exit).map(o -> (Op.Exit) o).toList();
    }

    /** Whether op {@code index} belongs to an exit: its head or its decision. */
    public boolean inExit(int index) {
        for (Op.Exit x : exits()) {
            if (index >= start(x.headRegion()) && index <= end(x.headRegion())) {
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
        Set<String> heads = new HashSet<>();
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
