package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;
import java.util.List;

/** {@code block Name(params) { body }}: a reusable, parameterised stage. */
public record BlockDecl(Ident name, List<Param> params, Body body, Span span) implements Node {
    public BlockDecl {
        params = List.copyOf(params);
    }

    /** A block parameter {@code name: type = default}; {@code defaultValue} is null when there is none. */
    public record Param(Ident name, TypeRef type, Expr defaultValue, Span span) implements Node {}

    /** A parameter's declared type: a name such as {@code int}, or a list of one, {@code [int]}. */
    public record TypeRef(Ident name, boolean list, Span span) implements Node {}
}
