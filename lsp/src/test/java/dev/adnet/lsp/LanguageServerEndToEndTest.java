package dev.adnet.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.parse.Formatter;
import dev.adnet.compiler.source.SourceFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.CodeActionContext;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DocumentFormattingParams;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.FormattingOptions;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.Location;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ReferenceContext;
import org.eclipse.lsp4j.ReferenceParams;
import org.eclipse.lsp4j.RenameParams;
import org.eclipse.lsp4j.SemanticTokensParams;
import org.eclipse.lsp4j.SignatureHelpParams;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.TextEdit;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.WorkspaceEdit;
import org.eclipse.lsp4j.WorkspaceFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server in its own process, driven over stdio as an editor drives it, feature by feature. */
class LanguageServerEndToEndTest {
    static final String LIB = """
            block Basic(c: int, stride: int = 1) {
              conv(c, 3, stride = stride, bias = false) -> batchnorm -> relu
            }
            """;
    static final String MAIN = """
            import Basic from "lib.adnet"

            network Net {
              input image: [1, 8, 8]
              output logits: [10]

              stem = image -> conv(4, 3) -> rellu
              body = stem -> gate(target = 0.5) residual Basic(4) -> relu
              logits = body->global_avg_pool->dense(10)

              train {
                loss cross_entropy(logits) + target_rate()
              }
            }
            """;

    @TempDir
    Path dir;

    /** The 0-based position of the {@code nth} occurrence (from 0) of {@code what} on 0-based line {@code line}. */
    static Position at(String text, int line, String what, int nth) {
        String l = text.split("\n", -1)[line];
        int col = -1;
        for (int i = 0; i <= nth; i++) {
            col = l.indexOf(what, col + 1);
        }
        assertThat(col).as("'%s' on line %d", what, line).isGreaterThanOrEqualTo(0);
        return new Position(line, col);
    }

    @Test
    void anEditorSession() throws Exception {
        Path lib = Files.writeString(dir.resolve("lib.adnet"), LIB);
        Path main = Files.writeString(dir.resolve("main.adnet"), MAIN);
        String mainUri = main.toUri().toString();
        String libUri = lib.toUri().toString();
        TextDocumentIdentifier doc = new TextDocumentIdentifier(mainUri);

        try (ServerProcess s = new ServerProcess()) {
            InitializeParams init = new InitializeParams();
            init.setWorkspaceFolders(List.of(new WorkspaceFolder(dir.toUri().toString(), "test")));
            init.setCapabilities(new ClientCapabilities());
            InitializeResult result = s.server.initialize(init).get(60, TimeUnit.SECONDS);
            assertThat(result.getCapabilities().getHoverProvider().getLeft()).isTrue();
            s.server.initialized(new InitializedParams());

            // Open: the command line's diagnostics, at the same position.
            var opened = s.client.expect(p -> p.getUri().equals(mainUri));
            s.server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(mainUri, "adnet", 1, MAIN)));
            PublishDiagnosticsParams first = opened.get(60, TimeUnit.SECONDS);
            CompileResult cli = new Compiler().check(List.of(main));
            assertThat(cli.diagnostics()).hasSize(2); // the typo, and target_rate() without a gate that checked
            assertThat(first.getDiagnostics()).extracting(d -> d.getCode().getLeft() + " " + d.getRange())
                    .containsExactlyElementsOf(cli.diagnostics().stream().map(d -> d.code().id() + " " + Lines.range(d.span())).toList());
            Diagnostic typo = first.getDiagnostics().get(0);
            assertThat(typo.getRange().getStart()).isEqualTo(at(MAIN, 6, "rellu", 0));
            assertThat(typo.getMessage()).contains("did you mean 'relu'?");

            // The checker's suggestion as a quick fix.
            var actions = s.server.getTextDocumentService().codeAction(new CodeActionParams(doc, typo.getRange(),
                    new CodeActionContext(List.of(typo)))).get(30, TimeUnit.SECONDS);
            assertThat(actions).singleElement().satisfies(a -> {
                assertThat(a.getRight().getTitle()).isEqualTo("Change to 'relu'");
                assertThat(a.getRight().getEdit().getChanges().get(mainUri)).singleElement()
                        .satisfies(e -> assertThat(e.getNewText()).isEqualTo("relu"));
            });

            // An incremental change that fixes it: no diagnostics for version 2.
            var fixed = s.client.expect(p -> p.getUri().equals(mainUri) && Integer.valueOf(2).equals(p.getVersion()));
            s.server.getTextDocumentService().didChange(new DidChangeTextDocumentParams(new VersionedTextDocumentIdentifier(mainUri, 2),
                    List.of(new TextDocumentContentChangeEvent(typo.getRange(), "relu"))));
            assertThat(fixed.get(60, TimeUnit.SECONDS).getDiagnostics()).isEmpty();
            String text = MAIN.replace("rellu", "relu");

            // Hover: a value's shape, parameters and FLOPs with the gate's range; a layer's signature; the gate itself.
            String body = hover(s, doc, at(text, 7, "body", 0));
            assertThat(body).contains("`tensor [4, 8, 8]`").contains("parameters: ").contains("FLOPs per sample: min ")
                    .contains("expected").contains("max");
            assertThat(hover(s, doc, at(text, 6, "conv", 0))).contains("conv(channels: int, kernel: int, stride: int = 1")
                    .contains("2-D convolution");
            assertThat(hover(s, doc, at(text, 7, "gate", 0))).contains("target rate 0.5");

            // Definition: a value in this file, a block in the imported one.
            var stemDef = s.server.getTextDocumentService().definition(new DefinitionParams(doc, at(text, 7, "stem", 0)))
                    .get(30, TimeUnit.SECONDS).getLeft();
            assertThat(stemDef).singleElement().satisfies(l -> {
                assertThat(l.getUri()).isEqualTo(mainUri);
                assertThat(l.getRange().getStart()).isEqualTo(at(text, 6, "stem", 0));
            });
            var basicDef = s.server.getTextDocumentService().definition(new DefinitionParams(doc, at(text, 7, "Basic", 0)))
                    .get(30, TimeUnit.SECONDS).getLeft();
            assertThat(basicDef).singleElement().satisfies(l -> {
                assertThat(l.getUri()).isEqualTo(libUri);
                assertThat(l.getRange()).isEqualTo(new Range(new Position(0, 6), new Position(0, 11)));
            });

            // References across files: the declaration, the import and the use.
            List<? extends Location> refs = s.server.getTextDocumentService().references(new ReferenceParams(doc, at(text, 7, "Basic", 0),
                    new ReferenceContext(true))).get(30, TimeUnit.SECONDS);
            assertThat(refs).extracting(Location::getUri).containsExactlyInAnyOrder(libUri, mainUri, mainUri);

            // Rename: a value in one file; a block in both.
            WorkspaceEdit renameStem = s.server.getTextDocumentService().rename(new RenameParams(doc, at(text, 6, "stem", 0), "trunk"))
                    .get(30, TimeUnit.SECONDS);
            assertThat(renameStem.getChanges()).containsOnlyKeys(mainUri);
            assertThat(renameStem.getChanges().get(mainUri)).extracting(e -> e.getRange().getStart().getLine()).containsExactly(6, 7);
            var toTaken = s.server.getTextDocumentService().rename(new RenameParams(doc, at(text, 6, "stem", 0), "body"));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> toTaken.get(30, TimeUnit.SECONDS))
                    .hasMessageContaining("'body' is already a name");
            WorkspaceEdit renameBasic = s.server.getTextDocumentService().rename(new RenameParams(doc, at(text, 0, "Basic", 0), "Unit"))
                    .get(30, TimeUnit.SECONDS);
            assertThat(renameBasic.getChanges().get(libUri)).hasSize(1);
            assertThat(renameBasic.getChanges().get(mainUri)).hasSize(2).allMatch(e -> e.getNewText().equals("Unit"));

            // Completion and signature help inside conv(4, 3|
            Position inConv = at(text, 6, "3)", 0);
            List<CompletionItem> items = s.server.getTextDocumentService().completion(new CompletionParams(doc, inConv))
                    .get(30, TimeUnit.SECONDS).getLeft();
            assertThat(items).filteredOn(i -> i.getLabel().equals("stride")).singleElement()
                    .satisfies(i -> assertThat(i.getDetail()).isEqualTo("stride: int = 1"));
            assertThat(items).extracting(CompletionItem::getLabel).contains("image", "Basic", "dense", "gate");
            var help = s.server.getTextDocumentService().signatureHelp(new SignatureHelpParams(doc, inConv)).get(30, TimeUnit.SECONDS);
            assertThat(help.getSignatures().get(0).getLabel()).startsWith("conv(channels: int");
            assertThat(help.getActiveParameter()).isEqualTo(1);

            // Formatting: the formatter's layout, as one edit.
            List<? extends TextEdit> edits = s.server.getTextDocumentService().formatting(new DocumentFormattingParams(doc,
                    new FormattingOptions(2, true))).get(30, TimeUnit.SECONDS);
            assertThat(edits).singleElement().satisfies(e -> assertThat(e.getNewText())
                    .isEqualTo(Formatter.format(new SourceFile("main.adnet", text)).text().orElseThrow())
                    .contains("logits = body -> global_avg_pool -> dense(10)"));

            // Outline and semantic tokens.
            var symbols = s.server.getTextDocumentService().documentSymbol(new DocumentSymbolParams(doc)).get(30, TimeUnit.SECONDS);
            assertThat(symbols).singleElement().satisfies(e -> {
                assertThat(e.getRight().getName()).isEqualTo("Net");
                assertThat(e.getRight().getChildren()).extracting(c -> c.getName()).containsExactly("image", "logits", "stem", "body");
            });
            var tokens = s.server.getTextDocumentService().semanticTokensFull(new SemanticTokensParams(doc)).get(30, TimeUnit.SECONDS);
            assertThat(tokens.getData()).isNotEmpty().hasSize(tokens.getData().size() / 5 * 5);

            assertThat(s.errorsLogged()).isEmpty();
            assertThat(s.shutdownAndExit()).isZero();
        }
    }

    static String hover(ServerProcess s, TextDocumentIdentifier doc, Position p) throws Exception {
        var h = s.server.getTextDocumentService().hover(new HoverParams(doc, p)).get(30, TimeUnit.SECONDS);
        assertThat(h).as("hover at %s", p).isNotNull();
        return h.getContents().getRight().getValue();
    }
}
