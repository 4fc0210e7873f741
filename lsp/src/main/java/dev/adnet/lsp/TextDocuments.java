package dev.adnet.lsp;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.diag.Severity;
import dev.adnet.compiler.index.SymbolIndex;
import dev.adnet.compiler.parse.Formatter;
import dev.adnet.compiler.source.SourceFile;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionList;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.DocumentFormattingParams;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.LocationLink;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PrepareRenameDefaultBehavior;
import org.eclipse.lsp4j.PrepareRenameParams;
import org.eclipse.lsp4j.PrepareRenameResult;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ReferenceParams;
import org.eclipse.lsp4j.RenameParams;
import org.eclipse.lsp4j.SemanticTokens;
import org.eclipse.lsp4j.SemanticTokensParams;
import org.eclipse.lsp4j.SignatureHelp;
import org.eclipse.lsp4j.SignatureHelpParams;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.SymbolKind;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Either3;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.TextDocumentService;

/**
 * The document features. Each document is checked when it opens and after every change, synchronously on the
 * protocol's thread, so every later request sees the check of the text it is about. Every handler runs inside
 * {@link #guard}: whatever it throws is logged to the client and answered with an empty result, and the server goes
 * on.
 */
final class TextDocuments implements TextDocumentService {
    private static final Pattern DID_YOU_MEAN = Pattern.compile("did you mean '([^']+)'\\?");
    private static final Pattern IDENTIFIER = Pattern.compile("[\\p{L}_][\\p{L}\\p{N}_]*");
    /** The grammar's keywords that cannot be names (the soft keywords upto, shared, halt, solver, when, from, task, state can). */
    private static final Set<String> RESERVED = Set.of("import", "network", "block", "input", "output", "train", "residual",
            "gate", "repeat", "fixedpoint", "ode", "exit", "share", "branch", "true", "false");

    private final Documents documents;
    private final Workspace workspace;
    private LanguageClient client;
    /** For each open document, the other files its last check published diagnostics to. */
    private final Map<String, Set<String>> publishedElsewhere = new HashMap<>();

    TextDocuments(Documents documents, Workspace workspace) {
        this.documents = documents;
        this.workspace = workspace;
    }

    void connect(LanguageClient client) {
        this.client = client;
    }

    // ------------------------------------------------------------------------------------------ guard

    private <T> CompletableFuture<T> guard(String what, T fallback, Supplier<T> body) {
        try {
            return CompletableFuture.completedFuture(body.get());
        } catch (ResponseErrorException e) {
            throw e;
        } catch (Throwable e) {
            log(what, e);
            return CompletableFuture.completedFuture(fallback);
        }
    }

    private void guard(String what, Runnable body) {
        try {
            body.run();
        } catch (Throwable e) {
            log(what, e);
        }
    }

    private void log(String what, Throwable e) {
        if (client != null) {
            try {
                client.logMessage(new MessageParams(MessageType.Error, "adnet: " + what + " failed: " + e));
            } catch (RuntimeException ignored) {
                // the client is gone; nothing more to tell
            }
        }
    }

    // ------------------------------------------------------------------------------------------ synchronisation

    @Override
    public void didOpen(DidOpenTextDocumentParams params) {
        guard("open", () -> {
            var d = params.getTextDocument();
            check(documents.open(d.getUri(), d.getText(), d.getVersion()));
        });
    }

    @Override
    public void didChange(DidChangeTextDocumentParams params) {
        guard("change", () -> {
            Documents.Doc doc = documents.change(params.getTextDocument().getUri(), params.getContentChanges(),
                    params.getTextDocument().getVersion() == null ? 0 : params.getTextDocument().getVersion());
            if (doc != null) {
                check(doc);
            }
        });
    }

    @Override
    public void didClose(DidCloseTextDocumentParams params) {
        guard("close", () -> {
            String uri = params.getTextDocument().getUri();
            documents.close(uri);
            workspace.forget(uri);
            publish(uri, List.of());
            for (String other : publishedElsewhere.getOrDefault(uri, Set.of())) {
                publish(other, List.of());
            }
            publishedElsewhere.remove(uri);
        });
    }

    @Override
    public void didSave(DidSaveTextDocumentParams params) {
        // the buffer is already checked; the files that import it read it from the buffer too
    }

    void recheckAll() {
        guard("recheck", () -> documents.all().forEach(this::check));
    }

    /** Checks a document, publishes its diagnostics, and rechecks the open documents that import it. */
    private void check(Documents.Doc doc) {
        checkOne(doc);
        for (Documents.Doc importer : workspace.importersOf(doc.name())) {
            checkOne(importer);
        }
    }

    private void checkOne(Documents.Doc doc) {
        CompileResult result = workspace.check(doc);
        publish(doc, result);
        // Indexed after publishing: the diagnostics do not wait for it, and later requests find it.
        workspace.index(doc, result);
    }

    private void publish(Documents.Doc doc, CompileResult result) {
        Map<String, List<Diagnostic>> byFile = new LinkedHashMap<>();
        byFile.put(doc.name(), new ArrayList<>());
        for (dev.adnet.compiler.diag.Diagnostic d : result.diagnostics()) {
            byFile.computeIfAbsent(d.span().file(), f -> new ArrayList<>()).add(diagnostic(d));
        }
        Set<String> elsewhere = new HashSet<>();
        for (Map.Entry<String, List<Diagnostic>> e : byFile.entrySet()) {
            if (e.getKey().equals(doc.name())) {
                publish(doc.uri(), e.getValue(), doc.version());
            } else if (documents.byName(e.getKey()).isEmpty()) {
                // an imported file the editor does not have open: its errors are shown on it
                String uri = Uris.uri(e.getKey(), documents);
                publish(uri, e.getValue());
                elsewhere.add(uri);
            }
        }
        for (String stale : publishedElsewhere.getOrDefault(doc.uri(), Set.of())) {
            if (!elsewhere.contains(stale)) {
                publish(stale, List.of());
            }
        }
        publishedElsewhere.put(doc.uri(), elsewhere);
    }

    private void publish(String uri, List<Diagnostic> diagnostics) {
        publish(uri, diagnostics, null);
    }

    private void publish(String uri, List<Diagnostic> diagnostics, Integer version) {
        if (client != null) {
            client.publishDiagnostics(new PublishDiagnosticsParams(uri, diagnostics, version));
        }
    }

    private static Diagnostic diagnostic(dev.adnet.compiler.diag.Diagnostic d) {
        Diagnostic out = new Diagnostic(Lines.range(d.span()), d.message(),
                d.severity() == Severity.ERROR ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, "adnet", d.code().id());
        return out;
    }

    // ------------------------------------------------------------------------------------------ requests

    private Optional<Analysis> analysis(String uri) {
        return workspace.analysis(uri);
    }

    private Optional<SymbolIndex.Occurrence> occurrence(String uri, Position p) {
        return analysis(uri).flatMap(Analysis::index).flatMap(i -> i.at(p.getLine() + 1, p.getCharacter() + 1));
    }

    @Override
    public CompletableFuture<Hover> hover(HoverParams params) {
        return guard("hover", null, () -> analysis(params.getTextDocument().getUri())
                .flatMap(a -> Hovers.at(a, params.getPosition().getLine() + 1, params.getPosition().getCharacter() + 1))
                .map(md -> new Hover(new MarkupContent(MarkupKind.MARKDOWN, md))).orElse(null));
    }

    @Override
    public CompletableFuture<Either<List<? extends Location>, List<? extends LocationLink>>> definition(DefinitionParams params) {
        return guard("definition", Either.forLeft(List.of()), () -> {
            String uri = params.getTextDocument().getUri();
            List<Location> result = new ArrayList<>();
            occurrence(uri, params.getPosition()).ifPresent(o -> {
                Span decl = o.symbol().declaration();
                if (decl == null) {
                    return;
                }
                // An output is declared, then assigned: both are its definition.
                for (SymbolIndex.Occurrence d : analysis(uri).flatMap(Analysis::index).map(i -> i.occurrencesOf(decl)).orElse(List.of())) {
                    if (d.declaration()) {
                        result.add(location(d.span()));
                    }
                }
                if (result.isEmpty()) {
                    result.add(location(decl));
                }
            });
            return Either.forLeft(result);
        });
    }

    private Location location(Span s) {
        return new Location(Uris.uri(s.file(), documents), Lines.range(s));
    }

    /**
     * Refuses a rename that would make {@code symbol} one of two names for different things where any of its
     * occurrences stands (another value, parameter or block of that name visible there): the edit would change what
     * the file means or make it fail to check.
     */
    private void clash(SymbolIndex.Symbol symbol, String name) {
        for (SymbolIndex index : workspace.allIndexes()) {
            for (SymbolIndex.Occurrence x : index.occurrencesOf(symbol.declaration())) {
                for (SymbolIndex.Symbol other : index.visibleAt(x.span().line())) {
                    if (other.name().equals(name) && !symbol.declaration().equals(other.declaration())) {
                        throw new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams, "'" + name
                                + "' is already a name at line " + x.span().line() + " of " + x.span().file()
                                + (other.declaration() == null ? "" : " (declared at line " + other.declaration().line() + ")"),
                                null));
                    }
                }
            }
        }
    }

    /** Every occurrence of a symbol in the workspace, each once. */
    private List<SymbolIndex.Occurrence> everywhere(Span declaration) {
        Map<Span, SymbolIndex.Occurrence> all = new LinkedHashMap<>();
        for (SymbolIndex index : workspace.allIndexes()) {
            index.occurrencesOf(declaration).forEach(o -> all.putIfAbsent(o.span(), o));
        }
        return List.copyOf(all.values());
    }

    @Override
    public CompletableFuture<List<? extends Location>> references(ReferenceParams params) {
        return guard("references", List.of(), () -> {
            Optional<SymbolIndex.Occurrence> o = occurrence(params.getTextDocument().getUri(), params.getPosition());
            if (o.isEmpty() || o.get().symbol().declaration() == null) {
                return List.of();
            }
            boolean withDeclaration = params.getContext() == null || params.getContext().isIncludeDeclaration();
            return everywhere(o.get().symbol().declaration()).stream().filter(x -> withDeclaration || !x.declaration())
                    .map(x -> location(x.span())).toList();
        });
    }

    @Override
    public CompletableFuture<Either3<Range, PrepareRenameResult, PrepareRenameDefaultBehavior>> prepareRename(PrepareRenameParams params) {
        return guard("prepareRename", null, () -> {
            Optional<SymbolIndex.Occurrence> o = occurrence(params.getTextDocument().getUri(), params.getPosition());
            if (o.isEmpty() || o.get().symbol().kind() == SymbolIndex.Kind.LAYER) {
                return null;
            }
            return Either3.forSecond(new PrepareRenameResult(Lines.range(o.get().span()), o.get().symbol().name()));
        });
    }

    @Override
    public CompletableFuture<WorkspaceEdit> rename(RenameParams params) {
        return guard("rename", null, () -> {
            String name = params.getNewName();
            if (!IDENTIFIER.matcher(name).matches() || RESERVED.contains(name)) {
                throw new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams,
                        "'" + name + "' is not a name adnet accepts", null));
            }
            Optional<SymbolIndex.Occurrence> o = occurrence(params.getTextDocument().getUri(), params.getPosition());
            if (o.isEmpty() || o.get().symbol().declaration() == null) {
                throw new ResponseErrorException(new ResponseError(ResponseErrorCode.InvalidParams,
                        "nothing to rename here: only values, parameters, blocks and networks can be renamed", null));
            }
            clash(o.get().symbol(), name);
            Map<String, List<TextEdit>> changes = new LinkedHashMap<>();
            for (SymbolIndex.Occurrence x : everywhere(o.get().symbol().declaration())) {
                changes.computeIfAbsent(Uris.uri(x.span().file(), documents), k -> new ArrayList<>())
                        .add(new TextEdit(Lines.range(x.span()), name));
            }
            return new WorkspaceEdit(changes);
        });
    }

    @Override
    public CompletableFuture<List<Either<SymbolInformation, DocumentSymbol>>> documentSymbol(DocumentSymbolParams params) {
        return guard("documentSymbol", List.of(), () -> {
            Optional<Analysis> a = analysis(params.getTextDocument().getUri());
            if (a.isEmpty() || a.get().index().isEmpty()) {
                return List.of();
            }
            Lines lines = new Lines(a.get().text());
            List<Either<SymbolInformation, DocumentSymbol>> result = new ArrayList<>();
            for (SymbolIndex.Outline o : a.get().index().get().outline()) {
                result.add(Either.forRight(symbol(o, lines, true)));
            }
            return result;
        });
    }

    private static DocumentSymbol symbol(SymbolIndex.Outline o, Lines lines, boolean top) {
        Range selection = Lines.range(o.symbol().declaration());
        Range range = selection;
        if (top) {
            int last = Math.min(lines.count() - 1, Math.max(selection.getStart().getLine(), o.endLine() - 1));
            range = new Range(new Position(selection.getStart().getLine(), 0), new Position(last, lines.line(last).length()));
            if (range.getEnd().getLine() == selection.getEnd().getLine() && range.getEnd().getCharacter() < selection.getEnd().getCharacter()) {
                range.setEnd(selection.getEnd());
            }
        }
        DocumentSymbol s = new DocumentSymbol(o.symbol().name(), kind(o.symbol().kind()), range, selection, o.symbol().detail());
        List<DocumentSymbol> children = new ArrayList<>();
        for (SymbolIndex.Outline c : o.children()) {
            children.add(symbol(c, lines, false));
        }
        s.setChildren(children);
        return s;
    }

    private static SymbolKind kind(SymbolIndex.Kind k) {
        return switch (k) {
            case NETWORK -> SymbolKind.Module;
            case BLOCK -> SymbolKind.Class;
            case PARAM -> SymbolKind.TypeParameter;
            case INPUT, OUTPUT -> SymbolKind.Field;
            case VALUE -> SymbolKind.Variable;
            case LAYER -> SymbolKind.Function;
        };
    }

    @Override
    public CompletableFuture<List<? extends TextEdit>> formatting(DocumentFormattingParams params) {
        return guard("formatting", List.of(), () -> {
            Optional<Documents.Doc> doc = documents.get(params.getTextDocument().getUri());
            if (doc.isEmpty()) {
                return List.of();
            }
            Formatter.Result r = Formatter.format(new SourceFile(doc.get().name(), doc.get().text()));
            if (r.text().isEmpty() || r.text().get().equals(doc.get().text())) {
                return List.of();
            }
            return List.of(new TextEdit(new Lines(doc.get().text()).all(), r.text().get()));
        });
    }

    @Override
    public CompletableFuture<Either<List<CompletionItem>, CompletionList>> completion(CompletionParams params) {
        return guard("completion", Either.forLeft(List.of()), () -> {
            Optional<Analysis> a = analysis(params.getTextDocument().getUri());
            Optional<Documents.Doc> doc = documents.get(params.getTextDocument().getUri());
            if (a.isEmpty() || doc.isEmpty()) {
                return Either.forLeft(List.of());
            }
            String text = doc.get().text();
            int offset = new Lines(text).offset(params.getPosition());
            return Either.forLeft(Completions.at(a.get(), text, offset, params.getPosition().getLine() + 1));
        });
    }

    @Override
    public CompletableFuture<SignatureHelp> signatureHelp(SignatureHelpParams params) {
        return guard("signatureHelp", null, () -> {
            Optional<Analysis> a = analysis(params.getTextDocument().getUri());
            Optional<Documents.Doc> doc = documents.get(params.getTextDocument().getUri());
            if (a.isEmpty() || doc.isEmpty()) {
                return null;
            }
            String text = doc.get().text();
            int offset = new Lines(text).offset(params.getPosition());
            return Completions.signatureHelp(a.get(), text, offset, params.getPosition().getLine() + 1).orElse(null);
        });
    }

    @Override
    public CompletableFuture<SemanticTokens> semanticTokensFull(SemanticTokensParams params) {
        return guard("semanticTokens", new SemanticTokens(List.of()), () -> new SemanticTokens(analysis(params.getTextDocument().getUri())
                .flatMap(Analysis::index).map(Highlighting::encode).orElse(List.of())));
    }

    @Override
    public CompletableFuture<List<Either<Command, CodeAction>>> codeAction(CodeActionParams params) {
        return guard("codeAction", List.of(), () -> {
            List<Either<Command, CodeAction>> actions = new ArrayList<>();
            String uri = params.getTextDocument().getUri();
            for (Diagnostic d : params.getContext().getDiagnostics()) {
                Matcher m = DID_YOU_MEAN.matcher(d.getMessage() == null ? "" : d.getMessage());
                if (!m.find()) {
                    continue;
                }
                CodeAction action = new CodeAction("Change to '" + m.group(1) + "'");
                action.setKind(CodeActionKind.QuickFix);
                action.setDiagnostics(List.of(d));
                action.setIsPreferred(true);
                action.setEdit(new WorkspaceEdit(Map.of(uri, List.of(new TextEdit(d.getRange(), m.group(1))))));
                actions.add(Either.forRight(action));
            }
            return actions;
        });
    }
}
