package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * {@code { a, b => statements }}: the body of a block, a group, or an adaptive construct.
 *
 * @param inputs names bound to the body's inputs before {@code =>}; empty for a chain that takes one input
 *     implicitly
 * @param statements bindings and bare expressions, in order
 */
public record Body(List<Ident> inputs, List<Statement> statements, Span span) implements Node {
    public Body {
        inputs = List.copyOf(inputs);
        statements = List.copyOf(statements);
    }

    /** A statement of a body. */
    public sealed interface Statement extends Node {}

    /** {@code name = expression}. */
    public record Bind(Ident name, Expr value, Span span) implements Statement {}

    /** A bare expression: a stage in a chain, or the body's resulting tensor. */
    public record Eval(Expr value, Span span) implements Statement {}
}
