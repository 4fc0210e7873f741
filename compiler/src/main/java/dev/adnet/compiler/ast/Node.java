package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;

/** Anything in the tree: it knows where it came from. */
public interface Node {
    Span span();
}
