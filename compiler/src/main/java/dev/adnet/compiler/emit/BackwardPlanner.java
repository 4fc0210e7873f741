package dev.adnet.compiler.emit;

import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode planning over the training graph: which values need a gradient, the order of the vector-Jacobian
 * products, and for every gradient write whether it overwrites (first contribution) or accumulates (a value or a
 * parameter that several ops, or several operand positions of one op, or several loss terms use).
 *
 * <p>Pure: reads the IR only. A value <em>requires a gradient</em> when a parameter influences it (graph inputs
 * never do); it <em>contributes</em> when the loss depends on it. A VJP step is planned for every op whose output
 * contributes and that has parameters or an input that requires a gradient. Parameters that no planned step
 * reaches get their gradient zeroed, so that after a step every gradient is this batch's.
 */
public final class BackwardPlanner {
    private BackwardPlanner() {}

    /** How one gradient contribution is written. */
    public enum Write {
        /** Not needed: the VJP call gets {@code null} (or the term's gradient is not computed). */
        SKIP,
        /** The first contribution: written straight into the gradient buffer. */
        OVERWRITE,
        /** A later contribution: computed into scratch and added ({@code Elementwise.accumulate}). */
        ACCUMULATE
    }

    /** The gradient of one loss term with respect to its output value. */
    public record Seed(int term, Value value, Write write) {}

    /**
     * One VJP, in execution order.
     *
     * @param opIndex the op's index in {@link Graph#ops()}
     * @param inputs one write per {@link Op#inputs()} position
     * @param params one write per {@link Op#params()} position (never SKIP)
     */
    public record Step(int opIndex, Op op, List<Write> inputs, List<Write> params) {
        public Step {
            inputs = List.copyOf(inputs);
            params = List.copyOf(params);
        }
    }

    /**
     * @param requiresGrad ids of the values a parameter influences
     * @param contributes ids of the values the loss depends on
     * @param consumers value id to the indices of the ops reading it, in forward order (an op reading a value
     *     twice is listed twice)
     * @param seeds one per loss term, in term order
     * @param steps the VJPs in execution order (reverse topological)
     * @param zeroed names of parameters no step reaches, in declaration order
     */
    public record Plan(Set<Integer> requiresGrad, Set<Integer> contributes, Map<Integer, List<Integer>> consumers,
            List<Seed> seeds, List<Step> steps, List<String> zeroed) {
        public Plan {
            requiresGrad = Set.copyOf(requiresGrad);
            contributes = Set.copyOf(contributes);
            consumers = Map.copyOf(consumers);
            seeds = List.copyOf(seeds);
            steps = List.copyOf(steps);
            zeroed = List.copyOf(zeroed);
        }

        /** Whether the backward writes a gradient for {@code v}. */
        public boolean hasGradient(Value v) {
            return requiresGrad.contains(v.id()) && contributes.contains(v.id());
        }
    }

    public static Plan plan(Graph graph) {
        TrainSpec training = graph.training();
        if (training == null) {
            throw new IllegalArgumentException("network " + graph.name() + " has no train section");
        }
        List<Op> ops = graph.ops();
        Map<Integer, List<Integer>> consumers = new HashMap<>();
        Set<Integer> requiresGrad = new HashSet<>();
        for (int i = 0; i < ops.size(); i++) {
            Op op = ops.get(i);
            // a frozen op's parameters get no gradient, so nothing flows back through the frozen backbone
            boolean req = !op.params().isEmpty() && !graph.frozen(i);
            for (Value in : op.inputs()) {
                consumers.computeIfAbsent(in.id(), k -> new ArrayList<>()).add(i);
                req |= requiresGrad.contains(in.id());
            }
            if (req) {
                requiresGrad.add(op.out().id());
            }
        }
        Map<String, Value> outputs = new HashMap<>();
        for (Graph.Port p : graph.outputs()) {
            outputs.put(p.name(), p.value());
        }
        Set<Integer> contributes = new HashSet<>();
        Set<Integer> written = new HashSet<>();
        List<Seed> seeds = new ArrayList<>();
        List<TrainSpec.LossTerm> terms = training.terms();
        List<Op.GumbelGate> gates = new ArrayList<>();
        for (Op op : ops) {
            if (op instanceof Op.GumbelGate g) {
                gates.add(g);
            }
        }
        for (int t = 0; t < terms.size(); t++) {
            if (terms.get(t) instanceof TrainSpec.Ponder || terms.get(t) instanceof TrainSpec.Jacobian) {
                continue; // no seed: its gradient is part of each halting mean's (each fixed point's) backward
            }
            if (terms.get(t) instanceof TrainSpec.ShareTerm) {
                continue; // no seed: a term on the policy logits alone, added after the backward pass
            }
            if (isGateTerm(terms.get(t))) {
                // complexity terms read every gate's decision: one seed per gate, in gate order
                for (Op.GumbelGate g : gates) {
                    contributes.add(g.out().id());
                    seeds.add(new Seed(t, g.out(), requiresGrad.contains(g.out().id()) ? write(written, g.out().id()) : Write.SKIP));
                }
                continue;
            }
            Value v = terms.get(t) instanceof TrainSpec.ExitLoss el ? graph.exits().get(el.exit()).head()
                    : outputs.get(outputOf(terms.get(t)));
            if (v == null) {
                throw new IllegalArgumentException("loss term " + terms.get(t).display() + " names no output");
            }
            contributes.add(v.id());
            seeds.add(new Seed(t, v, requiresGrad.contains(v.id()) ? write(written, v.id()) : Write.SKIP));
        }
        for (int i = ops.size() - 1; i >= 0; i--) {
            Op op = ops.get(i);
            if (contributes.contains(op.out().id())) {
                for (Value in : op.inputs()) {
                    contributes.add(in.id());
                }
            }
        }
        List<Step> steps = new ArrayList<>();
        Set<String> paramsWritten = new LinkedHashSet<>();
        for (int i = ops.size() - 1; i >= 0; i--) {
            Op op = ops.get(i);
            if (!contributes.contains(op.out().id()) || !requiresGrad.contains(op.out().id())) {
                continue;
            }
            List<Write> ins = new ArrayList<>();
            for (Value in : op.inputs()) {
                ins.add(requiresGrad.contains(in.id()) ? write(written, in.id()) : Write.SKIP);
            }
            List<Write> ps = new ArrayList<>();
            for (ParamDecl p : op.params()) {
                ps.add(paramsWritten.add(p.name()) ? Write.OVERWRITE : Write.ACCUMULATE);
            }
            steps.add(new Step(i, op, ins, ps));
        }
        List<String> zeroed = new ArrayList<>();
        for (ParamDecl p : graph.trainableParams()) {
            if (!paramsWritten.contains(p.name())) {
                zeroed.add(p.name());
            }
        }
        return new Plan(requiresGrad, contributes, consumers, seeds, steps, zeroed);
    }

    /** Whether a loss term measures the gates rather than an output. */
    public static boolean isGateTerm(TrainSpec.LossTerm term) {
        return term instanceof TrainSpec.TargetRate || term instanceof TrainSpec.FlopsBudget;
    }

    /** The output a loss term reads (not for gate terms); for an exit's term, the output its head stands for. */
    public static String outputOf(TrainSpec.LossTerm term) {
        if (term instanceof TrainSpec.ExitLoss el) {
            return outputOf(el.base());
        }
        if (term instanceof TrainSpec.CrossEntropy ce) {
            return ce.output();
        }
        if (term instanceof TrainSpec.Distill d) {
            return d.output();
        }
        return ((TrainSpec.MeanSquaredError) term).output();
    }

    private static Write write(Set<Integer> written, int id) {
        return written.add(id) ? Write.OVERWRITE : Write.ACCUMULATE;
    }
}
