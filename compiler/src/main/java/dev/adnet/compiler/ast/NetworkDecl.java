package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;
import java.util.List;

/** {@code network Name { members }}. */
public record NetworkDecl(Ident name, List<Member> members, Span span) implements Node {
    public NetworkDecl {
        members = List.copyOf(members);
    }
}
