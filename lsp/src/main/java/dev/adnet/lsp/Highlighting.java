package dev.adnet.lsp;

import dev.adnet.compiler.index.SymbolIndex;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.lsp4j.SemanticTokensLegend;

/**
 * Semantic tokens for names, which TextMate cannot tell apart: blocks, networks, parameters, values, inputs and
 * outputs, layers; declarations are marked. Keywords, numbers, strings and comments are left to the grammar.
 */
final class Highlighting {
    static final List<String> TYPES = List.of("namespace", "class", "parameter", "variable", "property", "function");
    static final List<String> MODIFIERS = List.of("declaration");
    static final SemanticTokensLegend LEGEND = new SemanticTokensLegend(TYPES, MODIFIERS);

    private Highlighting() {}

    static List<Integer> encode(SymbolIndex index) {
        List<Integer> data = new ArrayList<>();
        int line = 0;
        int column = 0;
        for (SymbolIndex.Occurrence o : index.occurrences()) {
            if (!o.span().file().equals(index.file())) {
                continue;
            }
            int l = o.span().line() - 1;
            int c = o.span().column() - 1;
            if (!data.isEmpty() && (l < line || l == line && c <= column)) {
                continue; // overlapping occurrences (an output and its assignment) are sent once
            }
            data.add(l - line);
            data.add(l == line ? c - column : c);
            data.add(o.span().length());
            data.add(type(o.symbol().kind()));
            data.add(o.declaration() ? 1 : 0);
            line = l;
            column = c;
        }
        return data;
    }

    private static int type(SymbolIndex.Kind kind) {
        return switch (kind) {
            case NETWORK -> 0;
            case BLOCK -> 1;
            case PARAM -> 2;
            case VALUE -> 3;
            case INPUT, OUTPUT -> 4;
            case LAYER -> 5;
        };
    }
}
