package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;
import java.util.List;

/** Expressions: literals, names, application, arithmetic, pipelines and the adaptive constructs. */
public sealed interface Expr extends Node {

    record IntLit(long value, Span span) implements Expr {}

    record FloatLit(double value, Span span) implements Expr {}

    record StringLit(String value, Span span) implements Expr {}

    record BoolLit(boolean value, Span span) implements Expr {}

    record ListLit(List<Expr> items, Span span) implements Expr {
        public ListLit {
            items = List.copyOf(items);
        }
    }

    /** A name: a value, a block parameter, a layer or a block. */
    record Name(String name, Span span) implements Expr {}

    /** {@code callee(args)}: configures a layer or block, or applies a stage to tensors. */
    record Apply(Expr callee, List<Arg> args, Span span) implements Expr {
        public Apply {
            args = List.copyOf(args);
        }
    }

    /** {@code left -> right}. */
    record Pipe(Expr left, Expr right, Span span) implements Expr {}

    record Negate(Expr operand, Span span) implements Expr {}

    enum BinaryOp {
        ADD("+"),
        SUB("-"),
        MUL("*"),
        DIV("/"),
        LT("<"),
        GT(">"),
        LE("<="),
        GE(">=");

        public final String symbol;

        BinaryOp(String symbol) {
            this.symbol = symbol;
        }
    }

    record Binary(BinaryOp op, Expr left, Expr right, Span span) implements Expr {}

    /** {@code { ... }} used as a value: a group of stages or a sub-graph. */
    record Group(Body body, Span span) implements Expr {}

    /** {@code residual(args) operand}: x + F(x), with an optional declared shortcut. */
    record Residual(List<Arg> args, Expr operand, Span span) implements Expr {
        public Residual {
            args = List.copyOf(args);
        }
    }

    /** {@code gate(args) operand}: per-input execute or skip. */
    record Gate(List<Arg> args, Expr operand, Span span) implements Expr {
        public Gate {
            args = List.copyOf(args);
        }
    }

    /** How a {@code repeat upto} loop decides whether to go on. */
    sealed interface RepeatPolicy extends Node {}

    /** {@code gate(args)} after each pass (dynamic recursion). */
    record GatedRepeat(List<Arg> args, Span span) implements RepeatPolicy {
        public GatedRepeat {
            args = List.copyOf(args);
        }
    }

    /** {@code halt act(args)}: a halting unit (Adaptive Computation Time). */
    record HaltingRepeat(CallSpec unit, Span span) implements RepeatPolicy {}

    /**
     * {@code repeat [upto] count [shared[(options)]] [policy] body}.
     *
     * @param sharing the options of {@code shared(...)} (per-pass batchnorm); empty without them
     * @param policy null for a fixed count
     */
    record Repeat(boolean upto, Expr count, boolean shared, List<Arg> sharing, RepeatPolicy policy, Body body, Span span)
            implements Expr {
        public Repeat {
            sharing = List.copyOf(sharing);
        }
    }

    /** {@code fixedpoint(args) [solver s(args)] body}: a deep-equilibrium layer; {@code solver} may be null. */
    record FixedPoint(List<Arg> args, CallSpec solver, Body body, Span span) implements Expr {
        public FixedPoint {
            args = List.copyOf(args);
        }
    }

    /** {@code ode(args) body}: a continuous-depth layer, {@code dz/dt = body(z, t)}. */
    record Ode(List<Arg> args, Body body, Span span) implements Expr {
        public Ode {
            args = List.copyOf(args);
        }
    }

    /** {@code exit [name] [(args)] [when condition] body}; name and condition may be null. */
    record Exit(Ident name, List<Arg> args, Expr condition, Body body, Span span) implements Expr {
        public Exit {
            args = List.copyOf(args);
        }
    }

    /** {@code share policy body}: per-task select or skip of each unit (AdaShare). */
    record Share(CallSpec policy, Body body, Span span) implements Expr {}

    /** {@code branch policy body}: learned branching of a multi-task tree. */
    record Branch(CallSpec policy, Body body, Span span) implements Expr {}
}
