package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * {@code input -> ode(t0, t1, rtol, atol, max_steps) { z, t => f }}: {@code out = z(t1)} with {@code z(t0) = input}
 * and {@code dz/dt = f(z, t)}, integrated per sample by Dormand-Prince 5(4). The {@code bodyRegion} computes f from
 * the state ({@link #state()}, its first argument), the time ({@link #time()}, its second when the body names it:
 * a tensor of the state's shape holding the sample's time) and the {@code captures}, the network values it reads.
 *
 * @param time null when the body does not name the time
 */
public record Ode(Value input, Value state, Value time, Region bodyRegion, List<Value> captures, Value out, double t0,
        double t1, double rtol, double atol, int maxSteps, String path, Span origin) implements Op.RegionOp {
    public Ode {
        captures = List.copyOf(captures);
    }

    /** f's value: the body's result. */
    public Value body() {
        return bodyRegion.result();
    }

    /** The input (the start) and the captures, each once. */
    @Override
    public List<Value> inputs() {
        java.util.LinkedHashSet<Value> in = new java.util.LinkedHashSet<>();
        in.add(input);
        in.addAll(captures);
        return List.copyOf(in);
    }

    /** The body's parameters, each once, in the order its ops use them. */
    @Override
    public List<ParamDecl> params() {
        java.util.LinkedHashMap<String, ParamDecl> ps = new java.util.LinkedHashMap<>();
        for (Op op : bodyRegion.schedule()) {
            for (ParamDecl p : op.params()) {
                ps.putIfAbsent(p.name(), p);
            }
        }
        return List.copyOf(ps.values());
    }

    @Override
    public List<Region> regions() {
        return List.of(bodyRegion);
    }

    @Override
    public List<String> regionNames() {
        return List.of("body");
    }

    @Override
    public List<Value> operands() {
        return inputs();
    }

    @Override
    public List<Value> bound() {
        return time == null ? List.of(state) : List.of(state, time);
    }

    @Override
    public Ode withRegions(List<Region> regions) {
        return new Ode(input, state, time, regions.get(0), captures, out, t0, t1, rtol, atol, maxSteps, path, origin);
    }

    @Override
    public String kind() {
        return "ode";
    }
}
