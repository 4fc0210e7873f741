package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.BlockDecl;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.List;

/** What an expression evaluates to at compile time. */
sealed interface Val {

    /** A number; integers are kept apart because shapes and counts must be integers. */
    record Num(double value, boolean integer) implements Val {
        static Num ofInt(long v) {
            return new Num(v, true);
        }

        long asLong() {
            return (long) value;
        }

        /** As written: {@code 0} for an integer, {@code 0.5} for a number. */
        String text() {
            return integer ? Long.toString((long) value) : Double.toString(value);
        }
    }

    record Str(String value) implements Val {}

    record Bool(boolean value) implements Val {}

    record ListV(List<Val> items) implements Val {
        public ListV {
            items = List.copyOf(items);
        }
    }

    /** A tensor flowing through the network. */
    record Tensor(Value value) implements Val {}

    /** A layer or block named but not yet configured, such as {@code relu} or {@code Basic}. */
    record Callable(String name, LayerSpec layer, BlockDecl block, Span span) implements Val {}

    /** A function of tensors: a configured layer or block, a composition, a residual, a group. */
    record StageV(Stage stage) implements Val {}

    /**
     * A value that depends on the task: what a {@code share} computes (each task's trunk run with its own policy) or a
     * {@code branch} (one tree node per task), by task name in the network's order. It is read only where a task is
     * assigned, which picks that task's tensor.
     */
    record PerTask(java.util.Map<String, Value> byTask) implements Val {
        public PerTask {
            byTask = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(byTask));
        }
    }

    /** The result of an expression that already had an error reported. */
    record Err() implements Val {}

    Err ERR = new Err();

    /** How a value is described in messages: "a tensor [16, 28, 28]", "an integer", "a stage". */
    static String describe(Val v) {
        if (v instanceof Num n) {
            return n.integer() ? "an integer" : "a number";
        } else if (v instanceof Str) {
            return "a string";
        } else if (v instanceof Bool) {
            return "a boolean";
        } else if (v instanceof ListV) {
            return "a list";
        } else if (v instanceof Tensor t) {
            return "a tensor " + t.value().shapeText();
        } else if (v instanceof Callable c) {
            return "the " + (c.layer() != null ? "layer" : "block") + " '" + c.name() + "'";
        } else if (v instanceof StageV) {
            return "a stage";
        } else if (v instanceof PerTask p) {
            return "a tensor " + p.byTask().values().iterator().next().shapeText() + " per task";
        }
        return "an invalid value";
    }
}
