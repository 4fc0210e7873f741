package dev.adnet.compiler.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The IR as readable text ({@code adnet describe --ir}, golden IR files): one line per op,
 * {@code %out [shape] = kind %operands attributes  # path @line:col}, a construct's regions indented under it, each
 * region opened with the values it reads and closed with the values it yields.
 */
public final class IrPrinter {
    private static final int ATTRIBUTES_COLUMN = 64;

    private final StringBuilder out = new StringBuilder();

    private IrPrinter() {}

    public static String print(Graph graph) {
        IrPrinter p = new IrPrinter();
        p.graph(graph);
        return p.out.toString();
    }

    private void graph(Graph g) {
        out.append("network ").append(g.name()).append("  # ").append(g.span().file()).append('\n');
        for (Graph.Port p : g.inputs()) {
            out.append("  input ").append(p.name()).append(": ").append(ref(p.value())).append(' ').append(p.value().shapeText()).append('\n');
        }
        for (Graph.Port p : g.outputs()) {
            out.append(g.tasks().contains(p.name()) ? "  task " : "  output ").append(p.name()).append(": ").append(ref(p.value())).append(' ').append(p.value().shapeText()).append('\n');
        }
        for (ParamDecl p : g.params()) {
            out.append("  param ").append(p.name()).append(' ').append(Shapes.text(p.shape())).append(' ')
                    .append(p.init().name().toLowerCase(Locale.ROOT)).append(p.decay() ? " decay" : "").append('\n');
        }
        for (BufferDecl b : g.buffers()) {
            out.append("  buffer ").append(b.name()).append(" [").append(b.size()).append("] = ").append(num(b.initialValue())).append('\n');
        }
        region("body", g.body(), 1);
        if (g.training() != null) {
            for (TrainSpec.LossTerm t : g.training().terms()) {
                out.append("  loss ").append(t.display()).append('\n');
            }
        }
    }

    private void region(String name, Region r, int depth) {
        indent(depth).append(name).append('(').append(refs(r.arguments())).append("):\n");
        for (Op op : r.ops()) {
            op(op, depth + 1);
        }
        indent(depth + 1).append("yield ").append(refs(r.results())).append('\n');
    }

    private void op(Op op, int depth) {
        StringBuilder line = new StringBuilder();
        line.append(ref(op.out())).append(' ').append(op.out().shapeText()).append(" = ").append(op.kind());
        List<Value> operands = op instanceof Op.RegionOp r ? r.operands() : op.inputs();
        if (!operands.isEmpty()) {
            line.append(' ').append(refs(operands));
        }
        String attrs = attributes(op);
        if (!attrs.isEmpty()) {
            line.append(' ').append(attrs);
        }
        indent(depth).append(line);
        int pad = ATTRIBUTES_COLUMN - depth * 2 - line.length();
        out.append(" ".repeat(Math.max(2, pad))).append("# ").append(op.path()).append(" @")
                .append(op.origin().line()).append(':').append(op.origin().column()).append('\n');
        if (op instanceof Op.RegionOp r) {
            List<String> names = r.regionNames();
            for (int i = 0; i < r.regions().size(); i++) {
                region(names.get(i), r.regions().get(i), depth + 1);
            }
        }
    }

    private static String attributes(Op op) {
        List<String> a = new ArrayList<>();
        if (op instanceof Op.Fused f) {
            // a fused op's parts' attributes in order (their paths name the parts)
            f.parts().forEach(part -> ownAttributes(part, a));
            kernelAttributes(f, a);
        } else {
            ownAttributes(op, a);
        }
        if (!op.params().isEmpty() && !(op instanceof FixedPoint) && !(op instanceof Ode)) {
            // a fixed point's and an ODE's are listed on their body's ops
            a.add("params=" + op.params().stream().map(ParamDecl::name).collect(Collectors.joining(",")));
        }
        return String.join(" ", a);
    }

    /** What a fused kernel writes besides its value: the operand whose array it reuses, poolings it computes. */
    private static void kernelAttributes(Op.Fused f, List<String> a) {
        if (f instanceof Op.InPlace p) {
            a.add("into=" + ref(p.overwrites()));
        }
        if (f instanceof FusedOp.GatedResidualInPlace g) {
            if (g.pool() != null) {
                a.add("pools=" + ref(g.pool().out()));
            }
            if (g.closedPool() != null) {
                a.add("closed_means=" + ref(g.closedPool().out()));
            }
            if (g.lastConvAdds()) {
                a.add("body_adds_into_rows");
            }
        } else if (f instanceof FusedOp.AddReluPool p) {
            a.add("pools=" + ref(p.pool().out()));
        }
    }

    private static void ownAttributes(Op op, List<String> a) {
        if (op instanceof Op.Conv2d c) {
            a.add("kernel=" + c.kernelH() + "x" + c.kernelW());
            a.add("stride=" + c.strideH() + "x" + c.strideW());
            a.add("pad=" + c.padH() + "x" + c.padW());
            if (c.dilationH() != 1 || c.dilationW() != 1) {
                a.add("dilation=" + c.dilationH() + "x" + c.dilationW());
            }
            if (c.groups() != 1) {
                a.add("groups=" + c.groups());
            }
        } else if (op instanceof Op.BatchNorm b) {
            a.add("momentum=" + num(b.momentum()));
            a.add("eps=" + num(b.eps()));
            a.add("running=" + b.runningMean().name() + "," + b.runningVar().name());
        } else if (op instanceof Op.LayerNorm l) {
            a.add("eps=" + num(l.eps()));
        } else if (op instanceof Op.Pool2d p) {
            a.add("kernel=" + p.kernelH() + "x" + p.kernelW());
            a.add("stride=" + p.strideH() + "x" + p.strideW());
            a.add("pad=" + p.padH() + "x" + p.padW());
        } else if (op instanceof Op.Dropout d) {
            a.add("rate=" + num(d.rate()));
        } else if (op instanceof Op.Scale s) {
            a.add("factor=" + num(s.factor()));
        } else if (op instanceof Op.GumbelGate g) {
            if (g.gateIndex() >= 0) {
                a.add("gate=" + g.gateIndex()); // a loop's gates have no index among the gated blocks
            }
            a.add("temperature=" + num(g.temperature()));
            a.add("estimator=" + g.estimator().name().toLowerCase(Locale.ROOT));
            a.add("inference=" + (g.sampleAtInference() ? "sample" : "argmax"));
        } else if (op instanceof Op.GatedResidual g) {
            a.add("gate=" + g.gateIndex());
            a.add("target=" + num(g.target()));
        } else if (op instanceof Op.ParentMixture m) {
            a.add("temperature=" + num(m.temperature()));
        } else if (op instanceof State st) {
            a.add("init=" + st.init().name().toLowerCase(Locale.ROOT));
        } else if (op instanceof HaltingLoop l) {
            a.add("loop=" + l.loopIndex());
            a.add("cap=" + l.cap());
            if (l.policy() instanceof LoopPolicy.Act act) {
                a.add("ponder=" + num(act.ponder()));
                a.add("eps=" + num(act.eps()));
            } else {
                a.add("target=" + num(((LoopPolicy.Gate) l.policy()).target()));
            }
            if (l.ownWeights()) {
                a.add("weights=per_pass");
            }
            if (!l.passNorms().isEmpty()) {
                // which batchnorms of the step have tensors per pass, named by their pass-1 running mean
                a.add("batchnorm=" + (l.passNorms().get(0).affinePerPass() ? "per_pass" : "statistics") + "("
                        + l.passNorms().stream().map(n -> n.means().get(0).name()).collect(Collectors.joining(",")) + ")");
            }
        } else if (op instanceof Op.Exit x) {
            a.add("exit=" + x.exitIndex());
            a.add("name=" + x.name());
            a.add("policy=" + x.policy().name().toLowerCase(Locale.ROOT));
            if (x.policy() != Op.ExitPolicyKind.NONE) {
                a.add("threshold=" + num(x.threshold()));
            }
            a.add("weight=" + num(x.weight()));
            a.add("output=" + x.output());
        } else if (op instanceof ShareUnit u) {
            a.add("share=" + u.shareIndex());
            a.add("task=" + u.task());
            a.add("unit=" + (u.unit() + 1) + "/" + u.units());
            a.add("estimator=" + (u.soft() ? "soft" : "straight_through"));
        } else if (op instanceof FixedPoint f) {
            a.add("iterate=" + ref(f.iterate()));
            a.add("init=" + (f.initFromInput() ? "input" : "zeros"));
            a.add("solver=" + f.solver().name().toLowerCase(Locale.ROOT));
            if (f.solver() == SolverKind.ANDERSON) {
                a.add("m=" + f.memory());
            }
            a.add("tol=" + num(f.tol()));
            a.add("max=" + f.maxIterations());
            a.add("backward_tol=" + num(f.backwardTol()));
            a.add("backward_max=" + f.backwardMax());
        } else if (op instanceof Ode o) {
            a.add("state=" + ref(o.state()));
            if (o.time() != null) {
                a.add("time=" + ref(o.time()));
            }
            a.add("t0=" + num(o.t0()));
            a.add("t1=" + num(o.t1()));
            a.add("rtol=" + num(o.rtol()));
            a.add("atol=" + num(o.atol()));
            a.add("max_steps=" + o.maxSteps());
        }
    }

    private StringBuilder indent(int depth) {
        return out.append("  ".repeat(depth));
    }

    private static String ref(Value v) {
        return "%" + v.id();
    }

    private static String refs(List<Value> values) {
        return values.stream().map(IrPrinter::ref).collect(Collectors.joining(", "));
    }

    /** Shortest round-trip text: {@code 0.1}, {@code 1e-05}, {@code 2}. */
    private static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }
}
