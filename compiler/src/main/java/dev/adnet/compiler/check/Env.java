package dev.adnet.compiler.check;

import dev.adnet.compiler.source.Span;
import java.util.HashMap;
import java.util.Map;

/**
 * A lexical scope: names bound to values, with the blocks visible there. Scopes nest (block bodies, groups); a
 * block body does not see the network's values, only its parameters, so a block means the same wherever used.
 */
final class Env {
    private final Env parent;
    private final Map<String, Binding> names = new HashMap<>();
    final Blocks blocks;
    /** Where bindings are recorded for editors; null when nobody asks. */
    private final Facts facts;

    record Binding(Val value, Span declared) {}

    Env(Env parent, Blocks blocks) {
        this(parent, blocks, parent == null ? null : parent.facts);
    }

    Env(Env parent, Blocks blocks, Facts facts) {
        this.parent = parent;
        this.blocks = blocks;
        this.facts = facts;
    }

    Env child() {
        return new Env(this, blocks);
    }

    Env childWithBlocks(Blocks b) {
        return new Env(this, b);
    }

    Binding lookup(String name) {
        for (Env e = this; e != null; e = e.parent) {
            Binding b = e.names.get(name);
            if (b != null) {
                return b;
            }
        }
        return null;
    }

    /** The binding in this scope only (for duplicate checks). */
    Binding local(String name) {
        return names.get(name);
    }

    /** Every value name visible here, for "did you mean" suggestions. */
    java.util.Set<String> visibleNames() {
        java.util.Set<String> all = new java.util.TreeSet<>();
        for (Env e = this; e != null; e = e.parent) {
            all.addAll(e.names.keySet());
        }
        return all;
    }

    void bind(String name, Val value, Span declared) {
        names.put(name, new Binding(value, declared));
        if (facts != null) {
            facts.bound(declared, value);
        }
    }
}
