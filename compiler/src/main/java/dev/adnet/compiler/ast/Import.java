package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * {@code import "path"} (every block of the file, {@code names} empty) or {@code import A, B from "path"}.
 *
 * @param path the path as written, relative to the importing file
 * @param pathSpan where the path string is
 */
public record Import(List<Ident> names, String path, Span pathSpan, Span span) implements Node {
    public Import {
        names = List.copyOf(names);
    }
}
