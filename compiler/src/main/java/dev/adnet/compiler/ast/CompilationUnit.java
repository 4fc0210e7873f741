package dev.adnet.compiler.ast;

import dev.adnet.compiler.source.Span;
import java.util.List;

/** One parsed file: its imports, blocks and networks in source order. */
public record CompilationUnit(List<Import> imports, List<BlockDecl> blocks, List<NetworkDecl> networks, Span span)
        implements Node {
    public CompilationUnit {
        imports = List.copyOf(imports);
        blocks = List.copyOf(blocks);
        networks = List.copyOf(networks);
    }
}
