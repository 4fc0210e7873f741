package dev.adnet.compiler.emit;

import dev.adnet.compiler.emit.BackwardPlanner.Plan;
import dev.adnet.compiler.emit.BackwardPlanner.Step;
import dev.adnet.compiler.emit.BackwardPlanner.Write;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reverse pass of a construct's body region (a fixed point's, an ODE's), planned over the checked ops the body's
 * methods run: which of its ops take a VJP, and how each gradient is written.
 */
final class BodyPlans {
    private BodyPlans() {}

    /**
     * The body's reverse pass with respect to {@code wrt} (the iterate, or the injected inputs that need a gradient)
     * and, when {@code paramWrites} is not empty, its parameters: the first write of each such value or parameter is
     * the one given (by default an overwrite), later ones accumulate.
     */
    static Plan plan(FixedPointEmitter.Host host, Region region, Value result, Set<Value> wrt, Map<String, Write> paramWrites,
            Map<Value, Write> inputWrites) {
        Graph g = host.graph();
        int start = g.start(region);
        int end = g.end(region);
        List<Op> ops = g.ops();
        boolean params = !paramWrites.isEmpty();
        Set<Integer> requires = new HashSet<>();
        for (Value v : wrt) {
            requires.add(v.id());
        }
        for (int i = start; i < end; i++) {
            Op op = ops.get(i);
            boolean req = params && !op.params().isEmpty();
            for (Value in : op.inputs()) {
                req |= requires.contains(in.id());
            }
            if (req) {
                requires.add(op.out().id());
            }
        }
        Set<Integer> contributes = new HashSet<>(Set.of(result.id()));
        for (int i = end - 1; i >= start; i--) {
            if (contributes.contains(ops.get(i).out().id())) {
                ops.get(i).inputs().forEach(v -> contributes.add(v.id()));
            }
        }
        Set<Integer> written = new HashSet<>();
        Set<String> paramsWritten = new LinkedHashSet<>();
        List<Step> steps = new ArrayList<>();
        for (int i = end - 1; i >= start; i--) {
            Op op = ops.get(i);
            if (!contributes.contains(op.out().id()) || !requires.contains(op.out().id())) {
                continue;
            }
            List<Write> in = new ArrayList<>();
            for (Value v : op.inputs()) {
                if (!requires.contains(v.id())) {
                    in.add(Write.SKIP);
                } else if (written.add(v.id())) {
                    in.add(inputWrites.getOrDefault(v, Write.OVERWRITE));
                } else {
                    in.add(Write.ACCUMULATE);
                }
            }
            List<Write> ps = new ArrayList<>();
            for (ParamDecl p : op.params()) {
                ps.add(!params ? Write.SKIP : paramsWritten.add(p.name()) ? paramWrites.get(p.name()) : Write.ACCUMULATE);
            }
            steps.add(new Step(i, op, in, ps));
        }
        for (Value v : wrt) {
            host.gradName(v);
        }
        for (int i = start; i < end; i++) {
            host.gradName(ops.get(i).out());
        }
        return new Plan(requires, contributes, Map.of(), List.of(), steps, List.of());
    }

    static Set<Value> writtenInputs(Plan plan) {
        Set<Value> out = new HashSet<>();
        for (Step s : plan.steps()) {
            for (int i = 0; i < s.inputs().size(); i++) {
                if (s.inputs().get(i) != Write.SKIP) {
                    out.add(s.op().inputs().get(i));
                }
            }
        }
        return out;
    }

    static Set<String> writtenParams(Plan plan) {
        Set<String> out = new HashSet<>();
        for (Step s : plan.steps()) {
            for (int i = 0; i < s.params().size(); i++) {
                if (s.params().get(i) != Write.SKIP) {
                    out.add(s.op().params().get(i).name());
                }
            }
        }
        return out;
    }


    /** As {@link #plan(FixedPointEmitter.Host, Region, Value, Set, Map, Map)}, every input's first write an overwrite. */
    static Plan plan(FixedPointEmitter.Host host, Region region, Value result, Set<Value> wrt, Map<String, Write> paramWrites) {
        return plan(host, region, result, wrt, paramWrites, Map.of());
    }
}
