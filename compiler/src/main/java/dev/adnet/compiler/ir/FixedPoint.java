package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * {@code input -> fixedpoint solver s { z => f }}: {@code out = z*} with {@code z* = f(z*)}, where the
 * {@code bodyRegion} computes f from the iterate ({@link #iterate()}, its first argument, bound by this op) and
 * the {@code captures}, the values of the network it reads (the injected input), which are its other arguments.
 * Each sample is solved on its own and leaves the solver when its residual is below {@code tol}; the backward
 * pass solves {@code g = g J_f(z*) + dL/dz*} the same way with {@code backwardTol} and {@code backwardMax}.
 *
 * @param input what the construct is applied to: the iterate's shape, and its start when {@code initFromInput}
 * @param memory Anderson's window (1 for the other solvers, which keep no window of their own)
 */
public record FixedPoint(Value input, Value iterate, Region bodyRegion, List<Value> captures, Value out, SolverKind solver,
        int memory, double tol, int maxIterations, double backwardTol, int backwardMax, boolean initFromInput,
        String path, Span origin) implements Op.RegionOp {
    public FixedPoint {
        captures = List.copyOf(captures);
    }

    /** f's value: the body's result. */
    public Value body() {
        return bodyRegion.result();
    }

    /** The input and the captures, each once: what the solution is computed from. */
    @Override
    public List<Value> inputs() {
        java.util.LinkedHashSet<Value> in = new java.util.LinkedHashSet<>();
        in.add(input);
        in.addAll(captures);
        return List.copyOf(in);
    }

    /** The body's parameters, each once, in the order its ops use them: the backward pass writes their gradients. */
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
        return List.of(iterate);
    }

    @Override
    public FixedPoint withRegions(List<Region> regions) {
        return new FixedPoint(input, iterate, regions.get(0), captures, out, solver, memory, tol, maxIterations,
                backwardTol, backwardMax, initFromInput, path, origin);
    }

    @Override
    public String kind() {
        return "fixedpoint";
    }
}
