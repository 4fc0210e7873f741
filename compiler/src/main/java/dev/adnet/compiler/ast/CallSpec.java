package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;
import java.util.List;

/** A policy or solver named with optional arguments: {@code anderson(m = 5)}, {@code act(ponder = 0.01)}. */
public record CallSpec(Ident name, List<Arg> args, Span span) implements Node {
    public CallSpec {
        args = List.copyOf(args);
    }
}
