package dev.adnet.lsp;

import dev.adnet.compiler.check.Catalogue;
import dev.adnet.compiler.index.SymbolIndex;
import dev.adnet.compiler.index.SymbolIndex.Symbol;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionItemKind;
import org.eclipse.lsp4j.InsertTextFormat;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.ParameterInformation;
import org.eclipse.lsp4j.SignatureHelp;
import org.eclipse.lsp4j.SignatureInformation;

/**
 * Completion (the arguments of the call around the cursor with their defaults, the names in scope, the layers with
 * their signatures, the constructs, the train settings) and signature help.
 */
final class Completions {
    private static final List<String> KEYWORDS = List.of("import", "from", "network", "block", "input", "output", "train",
            "residual", "gate", "repeat", "upto", "shared", "exit", "when");

    private Completions() {}

    static List<CompletionItem> at(Analysis a, String text, int offset, int line) {
        CallContext ctx = CallContext.at(text, offset);
        Map<String, CompletionItem> items = new LinkedHashMap<>();
        if (ctx.inTrain() && ctx.lineStart() && ctx.call().isEmpty()) {
            for (String s : Catalogue.trainSettings()) {
                items.put(s, item(s, CompletionItemKind.Property, "train setting", null));
            }
            return List.copyOf(items.values());
        }
        ctx.call().flatMap(c -> signature(a, c, line)).ifPresent(sig -> {
            for (Catalogue.Parameter p : sig.params()) {
                CompletionItem item = item(p.name(), CompletionItemKind.Property, p.label(), null);
                item.setInsertText(p.name() + " = ");
                item.setSortText("0" + p.name());
                items.put(p.name() + " =", item);
            }
        });
        a.index().ifPresent(index -> {
            for (Symbol s : index.visibleAt(line)) {
                CompletionItemKind kind = switch (s.kind()) {
                    case BLOCK -> CompletionItemKind.Class;
                    case PARAM -> CompletionItemKind.TypeParameter;
                    default -> CompletionItemKind.Variable;
                };
                items.putIfAbsent(s.name(), item(s.name(), kind, s.detail(), null));
            }
        });
        for (Catalogue.Signature l : Catalogue.layers()) {
            CompletionItem item = item(l.name(), CompletionItemKind.Function, l.label(), l.doc());
            List<Catalogue.Parameter> required = l.params().stream().filter(p -> p.defaultText() == null).toList();
            if (!required.isEmpty()) {
                StringBuilder snippet = new StringBuilder(l.name()).append('(');
                for (int i = 0; i < required.size(); i++) {
                    snippet.append(i == 0 ? "" : ", ").append("${").append(i + 1).append(':').append(required.get(i).name()).append('}');
                }
                item.setInsertText(snippet.append(')').toString());
                item.setInsertTextFormat(InsertTextFormat.Snippet);
            }
            items.putIfAbsent(l.name(), item);
        }
        for (String k : KEYWORDS) {
            String doc = Catalogue.construct(k).map(Catalogue.Signature::doc).orElse(null);
            items.putIfAbsent(k, item(k, CompletionItemKind.Keyword, "keyword", doc));
        }
        return List.copyOf(items.values());
    }

    private static CompletionItem item(String label, CompletionItemKind kind, String detail, String doc) {
        CompletionItem item = new CompletionItem(label);
        item.setKind(kind);
        item.setDetail(detail);
        if (doc != null && !doc.isEmpty()) {
            item.setDocumentation(new MarkupContent(MarkupKind.MARKDOWN, doc));
        }
        return item;
    }

    /** The signature of a layer, construct or block by the name it is called with. */
    static Optional<Catalogue.Signature> signature(Analysis a, String callee, int line) {
        Optional<Catalogue.Signature> known = Catalogue.layer(callee).or(() -> Catalogue.construct(callee));
        if (known.isPresent() || a.index().isEmpty()) {
            return known;
        }
        SymbolIndex index = a.index().get();
        return index.visibleAt(line).stream().filter(s -> s.kind() == SymbolIndex.Kind.BLOCK && s.name().equals(callee)).findFirst()
                .map(b -> new Catalogue.Signature(b.name(), index.parametersOf(b).stream().map(Completions::parameter).toList(),
                        b.detail()));
    }

    private static Catalogue.Parameter parameter(Symbol p) {
        String detail = p.detail();
        int colon = detail.indexOf(": ");
        int eq = detail.indexOf(" = ");
        String type = colon < 0 ? "" : eq < 0 ? detail.substring(colon + 2) : detail.substring(colon + 2, eq);
        return new Catalogue.Parameter(p.name(), type, eq < 0 ? null : detail.substring(eq + 3));
    }

    static Optional<SignatureHelp> signatureHelp(Analysis a, String text, int offset, int line) {
        CallContext ctx = CallContext.at(text, offset);
        return ctx.call().flatMap(c -> signature(a, c, line)).map(sig -> {
            List<ParameterInformation> params = new ArrayList<>();
            sig.params().forEach(p -> params.add(new ParameterInformation(p.label())));
            SignatureInformation info = new SignatureInformation(sig.label(), new MarkupContent(MarkupKind.MARKDOWN, sig.doc()), params);
            SignatureHelp help = new SignatureHelp(List.of(info), 0, Math.min(ctx.argument(), Math.max(0, params.size() - 1)));
            return help;
        });
    }
}
