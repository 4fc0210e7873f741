package dev.adnet.compiler.emit;

import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Value;
import java.util.function.UnaryOperator;

/** A copy of a primitive op reading renamed values and defining a new one, with the same (or renamed) parameters. */
final class OpCopy {
    private OpCopy() {}

    static Op of(Op op, UnaryOperator<Value> in, Value out, String path) {
        return of(op, in, UnaryOperator.identity(), out, path);
    }

    /** The copy with each parameter replaced by {@code params}' (a pass's own weights). */
    static Op of(Op op, UnaryOperator<Value> in, UnaryOperator<ParamDecl> params, Value out, String path) {
        UnaryOperator<ParamDecl> w = d -> d == null ? null : params.apply(d);
        if (op instanceof Op.Conv2d c) {
            return new Op.Conv2d(in.apply(c.in()), out, w.apply(c.weight()), w.apply(c.bias()), c.kernelH(), c.kernelW(),
                    c.strideH(), c.strideW(), c.padH(), c.padW(), c.dilationH(), c.dilationW(), c.groups(), path, c.origin());
        } else if (op instanceof Op.Dense d) {
            return new Op.Dense(in.apply(d.in()), out, w.apply(d.weight()), w.apply(d.bias()), path, d.origin());
        } else if (op instanceof Op.BatchNorm b) {
            return new Op.BatchNorm(in.apply(b.in()), out, w.apply(b.gamma()), w.apply(b.beta()), b.runningMean(),
                    b.runningVar(), b.momentum(), b.eps(), path, b.origin());
        } else if (op instanceof Op.LayerNorm l) {
            return new Op.LayerNorm(in.apply(l.in()), out, w.apply(l.gamma()), w.apply(l.beta()), l.eps(), path, l.origin());
        } else if (op instanceof Op.Activation a) {
            return new Op.Activation(a.activation(), in.apply(a.in()), out, path, a.origin());
        } else if (op instanceof Op.Pool2d p) {
            return new Op.Pool2d(p.pool(), in.apply(p.in()), out, p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(),
                    p.padW(), path, p.origin());
        } else if (op instanceof Op.GlobalAvgPool g) {
            return new Op.GlobalAvgPool(in.apply(g.in()), out, path, g.origin());
        } else if (op instanceof Op.Flatten f) {
            return new Op.Flatten(in.apply(f.in()), out, path, f.origin());
        } else if (op instanceof Op.Dropout d) {
            return new Op.Dropout(in.apply(d.in()), out, d.rate(), path, d.origin());
        } else if (op instanceof Op.Concat c) {
            return new Op.Concat(c.ins().stream().map(in).toList(), out, path, c.origin());
        } else if (op instanceof Op.Elementwise e) {
            return new Op.Elementwise(e.op(), in.apply(e.a()), in.apply(e.b()), out, path, e.origin());
        } else if (op instanceof Op.Scale s) {
            return new Op.Scale(in.apply(s.in()), out, s.factor(), path, s.origin());
        } else if (op instanceof Op.GumbelGate g) {
            return new Op.GumbelGate(in.apply(g.logits()), out, g.gateIndex(), g.temperature(), g.estimator(),
                    g.sampleAtInference(), path, g.origin());
        }
        throw new IllegalArgumentException(op.kind() + " " + op.path() + " cannot be copied into an unrolled loop");
    }
}
