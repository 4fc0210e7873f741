package dev.adnet.compiler.check;

import dev.adnet.compiler.source.Span;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the checker learnt about each named binding, by the span of the name that declares it: a value's per-sample
 * shape ({@code tensor [16, 28, 28]}), a block parameter's value in each use ({@code 16}, {@code 32}). Editors show
 * it on hover. A name inside a block is bound once per use of the block, so it can hold several facts.
 */
public final class Facts {
    /** Enough for a hover; a block used a thousand times does not need a thousand lines. */
    private static final int MAX_PER_NAME = 8;

    private final Map<Span, Set<String>> values = new HashMap<>();

    void bound(Span declared, Val value) {
        if (declared == null || value instanceof Val.Err) {
            return;
        }
        Set<String> known = values.computeIfAbsent(declared, k -> new LinkedHashSet<>());
        if (known.size() < MAX_PER_NAME) {
            known.add(Catalogue.text(value));
        }
    }

    /** What the name declared at {@code declared} was bound to, in the order first seen; empty when unknown. */
    public List<String> at(Span declared) {
        return List.copyOf(values.getOrDefault(declared, Set.of()));
    }

    public int size() {
        return values.size();
    }
}
