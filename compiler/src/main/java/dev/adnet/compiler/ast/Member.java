package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;
import java.util.List;

/** What a network body holds. */
public sealed interface Member extends Node {

    /** {@code input name: [shape]}. */
    record Input(Ident name, Shape shape, Span span) implements Member {}

    /** {@code output name: [shape]}. */
    record Output(Ident name, Shape shape, Span span) implements Member {}

    /** {@code task name: kind}, for multi-task networks. */
    record Task(Ident name, Expr kind, Span span) implements Member {}

    /** {@code state name: [shape] = init}; either part may be missing (null). */
    record State(Ident name, Shape shape, Expr init, Span span) implements Member {}

    /** A block declared inside the network, visible only there. */
    record LocalBlock(BlockDecl block, Span span) implements Member {}

    /** {@code train { key value ... }}. */
    record Train(List<Setting> settings, Span span) implements Member {
        public Train {
            settings = List.copyOf(settings);
        }
    }

    /** One line of a train section. */
    record Setting(Ident key, Expr value, Span span) implements Node {}

    /** {@code name = expression}. */
    record Assignment(Ident name, Expr value, Span span) implements Member {}

    /** An expression that is not assigned to anything: always an error in a network body. */
    record Stray(Expr value, Span span) implements Member {}

    /** A shape written as {@code [d1, d2, ...]}; dimensions are expressions so block parameters may appear. */
    record Shape(List<Expr> dims, Span span) implements Node {
        public Shape {
            dims = List.copyOf(dims);
        }
    }
}
