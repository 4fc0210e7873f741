package dev.adnet.compiler.emit;

import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.HaltingLoop;
import dev.adnet.compiler.ir.HaltingMean;
import dev.adnet.compiler.ir.LoopPolicy;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.PassNorm;
import dev.adnet.compiler.ir.PassParam;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Rewrites each loop (halting or gated) into its steps unrolled to the cap, followed by one {@link HaltingMean}: the
 * form the emitter's straight-line forward and backward run. A gated loop's last step is its body alone: no gate
 * decides after the last pass. Step {@code k}'s ops are copies of the step region with fresh
 * values, reading step {@code k - 1}'s state and the same captured values and parameters (the steps share their
 * weights, so the backward accumulates each parameter's gradient over the steps), except a loopy batchnorm's, which
 * step {@code k} takes from {@link PassNorm}: its statistics (and gamma, beta) of pass k, and, in a loop with its own
 * weights per pass, every other parameter, which step {@code k} takes from its {@link PassParam}. A sample's steps after it halts
 * have weight 0 in the mean and get no gradient, so running them changes neither the outputs nor the gradients.
 * A graph without halting loops comes back as it is.
 */
final class LoopUnrolling {
    private int nextId;

    private LoopUnrolling(int nextId) {
        this.nextId = nextId;
    }

    static Graph unroll(Graph g) {
        if (g.haltingLoops().isEmpty()) {
            return g;
        }
        int max = 0;
        for (Graph.Port p : g.inputs()) {
            max = Math.max(max, p.value().id());
        }
        for (Op op : g.ops()) {
            max = Math.max(max, op.out().id());
        }
        Region body = new LoopUnrolling(max + 1).region(g.body());
        return g.withBody(body);
    }

    private Region region(Region r) {
        List<Op> ops = new ArrayList<>();
        for (Op op : r.ops()) {
            if (op instanceof HaltingLoop loop) {
                unroll(loop, ops);
            } else {
                ops.add(op);
            }
        }
        return new Region(r.arguments(), ops, r.results());
    }

    private void unroll(HaltingLoop loop, List<Op> into) {
        Region step = loop.bodyRegion();
        List<Value> states = new ArrayList<>();
        List<Value> halts = new ArrayList<>();
        Value state = loop.init();
        boolean gated = loop.policy() instanceof LoopPolicy.Gate;
        for (int k = 1; k <= loop.cap(); k++) {
            Map<Value, Value> renamed = new HashMap<>();
            renamed.put(step.arguments().get(0), state);
            List<Op> ops = gated && k == loop.cap() ? step.ops().subList(0, loop.bodyLength()) : step.ops();
            for (Op op : ops) {
                Value out = new Value(nextId++, op.out().shape());
                renamed.put(op.out(), out);
                into.add(OpCopy.of(atPass(loop, op, k), v -> renamed.getOrDefault(v, v), paramsAt(loop, k), out,
                        stepPath(loop, op.path(), k)));
            }
            state = renamed.getOrDefault(loop.next(), loop.next());
            states.add(state);
            if (!gated || k < loop.cap()) {
                halts.add(renamed.get(loop.halting()));
            }
        }
        into.add(new HaltingMean(states, halts, loop.init(), loop.captured(), step.ops().size(),
                gated ? loop.bodyLength() : step.ops().size(), loop.out(), loop.loopIndex(), loop.policy(), loop.passNorms(),
                loop.passParams(), loop.path(), loop.origin()));
    }

    /** A step op as pass {@code k} runs it: a loopy batchnorm with pass k's statistics (and gamma, beta). */
    private static Op atPass(HaltingLoop loop, Op op, int k) {
        if (op instanceof Op.BatchNorm b) {
            for (PassNorm n : loop.passNorms()) {
                if (n.normalises(b)) {
                    return n.atPass(b, k);
                }
            }
        }
        return op;
    }

    /** Pass {@code k}'s own parameters in place of the step's, in a loop with its own weights per pass. */
    private static UnaryOperator<ParamDecl> paramsAt(HaltingLoop loop, int k) {
        if (loop.passParams().isEmpty() || k == 1) {
            return UnaryOperator.identity();
        }
        Map<String, ParamDecl> at = new HashMap<>();
        for (PassParam p : loop.passParams()) {
            if (k <= p.perPass().size()) {
                at.put(p.step().name(), p.at(k));
            }
        }
        return d -> at.getOrDefault(d.name(), d);
    }

    /** {@code loop.step.dense1} or {@code loop.halt.dense} of step k as {@code loop.stepK.dense1}, {@code loop.stepK.halt.dense}. */
    private static String stepPath(HaltingLoop loop, String path, int k) {
        String prefix = loop.path() + ".";
        if (!path.startsWith(prefix)) {
            return path + ".step" + k;
        }
        String rest = path.substring(prefix.length());
        if (rest.startsWith("step.")) {
            rest = rest.substring("step.".length());
        }
        return prefix + "step" + k + "." + rest;
    }
}
