package dev.adnet.compiler.emit;

import dev.adnet.compiler.ir.BufferDecl;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.TrainingSetup;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;

/** Hand-built IR for the emitter tests. */
public final class TestGraphs {
    private TestGraphs() {}

    /** A small IR builder: values get increasing ids, ops get a source line each. */
    static final class Builder {
        final String file;
        final List<Graph.Port> inputs = new ArrayList<>();
        final List<Graph.Port> outputs = new ArrayList<>();
        final List<Op> ops = new ArrayList<>();
        final List<ParamDecl> params = new ArrayList<>();
        final List<BufferDecl> buffers = new ArrayList<>();
        int nextId;
        int line = 2;

        Builder(String file) {
            this.file = file;
        }

        Value value(long... shape) {
            return new Value(nextId++, shape);
        }

        Value input(String name, long... shape) {
            Value v = value(shape);
            inputs.add(new Graph.Port(name, v));
            return v;
        }

        void output(String name, Value v) {
            outputs.add(new Graph.Port(name, v));
        }

        Span span() {
            return Span.of(file, line++, 5, 4);
        }

        ParamDecl param(String name, ParamDecl.Init init, long fanIn, long fanOut, boolean decay, long... shape) {
            ParamDecl p = new ParamDecl(name, shape, init, fanIn, fanOut, decay);
            params.add(p);
            return p;
        }

        BufferDecl buffer(String name, long size, double init) {
            BufferDecl b = new BufferDecl(name, size, init);
            buffers.add(b);
            return b;
        }

        <T extends Op> T add(T op) {
            ops.add(op);
            return op;
        }

        Value conv(String path, Value in, int outC, int k, int stride, int pad, boolean bias) {
            long inC = in.dim(0);
            long h = (in.dim(1) + 2 * pad - k) / stride + 1;
            long w = (in.dim(2) + 2 * pad - k) / stride + 1;
            ParamDecl weight = param(path + ".weight", ParamDecl.Init.HE_NORMAL, inC * k * k, outC * k * k, true, outC,
                    inC, k, k);
            ParamDecl b = bias ? param(path + ".bias", ParamDecl.Init.ZEROS, 0, 0, false, outC) : null;
            Value out = value(outC, h, w);
            add(new Op.Conv2d(in, out, weight, b, k, k, stride, stride, pad, pad, 1, 1, 1, path, span()));
            return out;
        }

        Value dense(String path, Value in, ParamDecl weight, ParamDecl bias) {
            Value out = value(weight.shape()[1]);
            add(new Op.Dense(in, out, weight, bias, path, span()));
            return out;
        }

        Value dense(String path, Value in, int out) {
            ParamDecl w = param(path + ".weight", ParamDecl.Init.XAVIER_UNIFORM, in.dim(0), out, true, in.dim(0), out);
            ParamDecl b = param(path + ".bias", ParamDecl.Init.ZEROS, 0, 0, false, out);
            return dense(path, in, w, b);
        }

        Value batchNorm(String path, Value in) {
            long c = in.dim(0);
            ParamDecl g = param(path + ".gamma", ParamDecl.Init.ONES, 0, 0, false, c);
            ParamDecl b = param(path + ".beta", ParamDecl.Init.ZEROS, 0, 0, false, c);
            BufferDecl rm = buffer(path + ".running_mean", c, 0);
            BufferDecl rv = buffer(path + ".running_var", c, 1);
            Value out = value(in.shape());
            add(new Op.BatchNorm(in, out, g, b, rm, rv, 0.1, 1e-5, path, span()));
            return out;
        }

        Value layerNorm(String path, Value in) {
            long d = in.dim(in.rank() - 1);
            ParamDecl g = param(path + ".gamma", ParamDecl.Init.ONES, 0, 0, false, d);
            ParamDecl b = param(path + ".beta", ParamDecl.Init.ZEROS, 0, 0, false, d);
            Value out = value(in.shape());
            add(new Op.LayerNorm(in, out, g, b, 1e-5, path, span()));
            return out;
        }

        Value act(Op.ActivationKind k, String path, Value in) {
            Value out = value(in.shape());
            add(new Op.Activation(k, in, out, path, span()));
            return out;
        }

        Value maxPool(String path, Value in, int k, int s) {
            Value out = value(in.dim(0), (in.dim(1) - k) / s + 1, (in.dim(2) - k) / s + 1);
            add(new Op.Pool2d(Op.PoolKind.MAX, in, out, k, k, s, s, 0, 0, path, span()));
            return out;
        }

        Value gap(String path, Value in) {
            Value out = value(in.dim(0));
            add(new Op.GlobalAvgPool(in, out, path, span()));
            return out;
        }

        Value elementwise(Op.ElementwiseKind k, String path, Value a, Value b) {
            Value out = value(a.shape());
            add(new Op.Elementwise(k, a, b, out, path, span()));
            return out;
        }

        Value dropout(String path, Value in, double rate) {
            Value out = value(in.shape());
            add(new Op.Dropout(in, out, rate, path, span()));
            return out;
        }

        Graph build(String name, TrainSpec training) {
            return Graph.of(name, inputs, outputs, ops, params, buffers, training, Span.of(file, 1, 1, 7));
        }
    }

    static TrainingSetup sgd(long seed) {
        return new TrainingSetup(TrainingSetup.Optimizer.sgd(0.1, 0.9, true, 5e-4),
                new TrainingSetup.Schedule(TrainingSetup.ScheduleKind.STEP, new double[] {30, 60}, 0.1, 0, 1), 90, 64, seed);
    }

    /** conv(bias) -> batchnorm -> relu -> max_pool -> conv -> relu -> add residual -> global_avg_pool -> dense. */
    public static Graph cnn() {
        return cnn(false);
    }

    /** With {@code extraHead}, one more dense layer at the end (to check that earlier initial values stay). */
    static Graph cnn(boolean extraHead) {
        Builder b = new Builder("cnn.adnet");
        Value x = b.input("image", 2, 8, 8);
        Value c1 = b.conv("trunk.conv1", x, 4, 3, 1, 1, true);
        Value n1 = b.batchNorm("trunk.bn1", c1);
        Value r1 = b.act(Op.ActivationKind.RELU, "trunk.relu1", n1);
        Value p1 = b.maxPool("trunk.pool", r1, 2, 2);
        Value c2 = b.conv("trunk.block.conv2", p1, 4, 3, 1, 1, false);
        Value r2 = b.act(Op.ActivationKind.RELU, "trunk.block.relu2", c2);
        Value res = b.elementwise(Op.ElementwiseKind.ADD, "trunk.block.add", r2, p1);
        Value g = b.gap("head.pool", res);
        Value logits = b.dense("head.fc", g, 3);
        if (extraHead) {
            logits = b.dense("head.fc2", logits, 3);
        }
        b.output("logits", logits);
        TrainSpec spec = new TrainSpec(
                List.of(new TrainSpec.CrossEntropy("logits", 1.0, 0.1, "cross_entropy(logits)")), sgd(42));
        return b.build("SmallCnn", spec);
    }

    /** An MLP with layernorm, gelu, dropout and a dense layer whose weights are used twice. */
    static Graph mlp(double dropoutRate) {
        Builder b = new Builder("mlp.adnet");
        Value x = b.input("features", 6);
        Value h1 = b.dense("fc1", x, 8);
        Value h2 = b.layerNorm("norm", h1);
        Value h3 = b.act(Op.ActivationKind.GELU, "act1", h2);
        Value h4 = b.dropout("drop", h3, dropoutRate);
        ParamDecl w = b.param("shared.weight", ParamDecl.Init.XAVIER_UNIFORM, 8, 8, true, 8, 8);
        ParamDecl bias = b.param("shared.bias", ParamDecl.Init.ZEROS, 0, 0, false, 8);
        Value h5 = b.dense("shared1", h4, w, bias);
        Value h6 = b.act(Op.ActivationKind.TANH, "act2", h5);
        Value h7 = b.dense("shared2", h6, w, bias);
        Value h8 = b.elementwise(Op.ElementwiseKind.MUL, "gate", h7, h4);
        Value out = b.dense("head", h8, 3);
        b.output("scores", out);
        TrainSpec spec = new TrainSpec(List.of(new TrainSpec.CrossEntropy("scores", 1.0, 0.0, "cross_entropy(scores)"),
                new TrainSpec.MeanSquaredError("scores", 0.5, "mse(scores)")),
                new TrainingSetup(TrainingSetup.Optimizer.adamw(1e-3, 0.01, 0.9, 0.999, 1e-8),
                        new TrainingSetup.Schedule(TrainingSetup.ScheduleKind.COSINE, new double[0], 1, 1e-5, 0.5), 10, 32, 7));
        return b.build("Mlp", spec);
    }

    /**
     * Fan-out through add and sub: {@code t} feeds two branches, {@code b} feeds an add and a gelu, the loss is
     * an MSE only, and an output without a loss term has parameters the loss does not depend on.
     */
    static Graph fanOut() {
        Builder b = new Builder("fan.adnet");
        Value x = b.input("x", 5);
        Value t = b.dense("t", x, 6);
        Value a = b.act(Op.ActivationKind.TANH, "a", t);
        Value s = b.act(Op.ActivationKind.SIGMOID, "b", t);
        Value c = b.act(Op.ActivationKind.GELU, "c", s);
        Value d = b.elementwise(Op.ElementwiseKind.ADD, "d", a, s);
        Value e = b.elementwise(Op.ElementwiseKind.SUB, "e", d, c);
        Value f = b.value(e.shape());
        b.add(new Op.Scale(e, f, 0.5, "f", b.span()));
        Value sq = b.elementwise(Op.ElementwiseKind.ADD, "twice", f, f);
        Value out = b.dense("out", sq, 3);
        Value aux = b.dense("aux", t, 2);
        b.output("y", out);
        b.output("aux", aux);
        TrainSpec spec = new TrainSpec(List.of(new TrainSpec.MeanSquaredError("y", 2.0, "mse(y)")), sgd(1));
        return b.build("FanOut", spec);
    }

    /** Concat, average pooling with (uncounted) padding, flatten, sigmoid and softmax; CE and MSE on two outputs. */
    static Graph concatPool() {
        Builder b = new Builder("cat.adnet");
        Value x = b.input("x", 2, 6, 6);
        Value t = b.conv("stem", x, 3, 3, 1, 1, true);
        Value r = b.act(Op.ActivationKind.RELU, "r", t);
        Value s = b.act(Op.ActivationKind.SIGMOID, "s", t);
        Value catOut = b.value(9, 6, 6);
        b.add(new Op.Concat(List.of(r, s, r), catOut, "cat", b.span()));
        Value avg = b.value(9, 3, 3);
        b.add(new Op.Pool2d(Op.PoolKind.AVG, catOut, avg, 3, 3, 2, 2, 1, 1, "avg", b.span()));
        Value flat = b.value(81);
        b.add(new Op.Flatten(avg, flat, "flat", b.span()));
        Value logits = b.dense("fc", flat, 4);
        Value probs = b.act(Op.ActivationKind.SOFTMAX, "sm", logits);
        Value reg = b.dense("reg", probs, 3);
        b.output("logits", logits);
        b.output("reg", reg);
        TrainSpec spec = new TrainSpec(List.of(new TrainSpec.CrossEntropy("logits", 1.0, 0.0, "ce"),
                new TrainSpec.MeanSquaredError("reg", 0.5, "mse")), sgd(3));
        return b.build("ConcatPool", spec);
    }

    /** Names that need mangling: a network called {@code class}, an input {@code größe}, keyword paths. */
    static Graph awkwardNames() {
        return awkwardNames("class");
    }

    static Graph awkwardNames(String networkName) {
        Builder b = new Builder("naïve net.adnet");
        Value x = b.input("größe", 5);
        Value h = b.dense("new.int", x, 4);
        Value r = b.act(Op.ActivationKind.SIGMOID, "größe", h);
        Value s = b.act(Op.ActivationKind.SOFTMAX, "Dense", r);
        b.output("record", s);
        b.output("var-1", r);
        return b.build(networkName, null);
    }

    static EmitOptions options(String file) {
        return new EmitOptions("dev.adnet.generated", file, "0123456789abcdef", "0.1.0-test", 12345);
    }
}
