package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * A network {@code state}: a per-sample value not computed from the inputs, the same for every sample (the
 * starting value of a recurrent loop). It reads nothing and costs nothing.
 */
public record State(String name, StateInit init, Value out, String path, Span origin) implements Op {
    @Override
    public List<Value> inputs() {
        return List.of();
    }

    @Override
    public String kind() {
        return "state";
    }
}
