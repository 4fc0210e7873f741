package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;

/** A name as written, with its position. */
public record Ident(String name, Span span) implements Node {
    @Override
    public String toString() {
        return name;
    }
}
