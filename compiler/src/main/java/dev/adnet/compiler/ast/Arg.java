package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;

/** A call argument, {@code name = value} or positional ({@code name} null). */
public record Arg(Ident name, Expr value, Span span) implements Node {
    public boolean named() {
        return name != null;
    }
}
