package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.BlockDecl;
import java.util.LinkedHashMap;
import java.util.Map;

/** The blocks visible in a scope: imported, file-level, and a network's local blocks over those. */
final class Blocks {
    private final Blocks parent;
    private final Map<String, BlockDecl> declared = new LinkedHashMap<>();

    Blocks(Blocks parent) {
        this.parent = parent;
    }

    BlockDecl get(String name) {
        BlockDecl b = declared.get(name);
        return b != null || parent == null ? b : parent.get(name);
    }

    BlockDecl local(String name) {
        return declared.get(name);
    }

    void add(BlockDecl b) {
        declared.put(b.name().name(), b);
    }

    Iterable<String> allNames() {
        Map<String, BlockDecl> all = new LinkedHashMap<>();
        collect(all);
        return all.keySet();
    }

    private void collect(Map<String, BlockDecl> into) {
        if (parent != null) {
            parent.collect(into);
        }
        into.putAll(declared);
    }
}
