package dev.adnet.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.CompletionParams;
import org.eclipse.lsp4j.DefinitionParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DocumentFormattingParams;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.FormattingOptions;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ReferenceContext;
import org.eclipse.lsp4j.ReferenceParams;
import org.eclipse.lsp4j.SemanticTokensParams;
import org.eclipse.lsp4j.SignatureHelpParams;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.WorkspaceFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parser's fuzz corpus (compiler/src/test/resources/dev/adnet/compiler/fuzz) sent through one server process:
 * each input opened, edited, and asked every kind of request at positions in and past the text. The server must
 * answer everything, log no failure, and still serve a good file and exit cleanly at the end.
 */
class FuzzCorpusThroughServerTest {
    @TempDir
    Path dir;

    static List<Path> corpus() throws Exception {
        Path root = Path.of("../compiler/src/test/resources/dev/adnet/compiler/fuzz");
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
            assertThat(files).hasSizeGreaterThan(10);
            return files;
        }
    }

    @Test
    void everyInputIsAnsweredAndTheServerSurvives() throws Exception {
        try (ServerProcess s = new ServerProcess()) {
            InitializeParams init = new InitializeParams();
            init.setWorkspaceFolders(List.of(new WorkspaceFolder(dir.toUri().toString(), "test")));
            init.setCapabilities(new ClientCapabilities());
            s.server.initialize(init).get(60, TimeUnit.SECONDS);
            var docs = s.server.getTextDocumentService();
            int n = 0;
            for (Path input : corpus()) {
                String text = new String(Files.readAllBytes(input), StandardCharsets.UTF_8);
                String uri = dir.resolve("fuzz" + (n++) + ".adnet").toUri().toString();
                TextDocumentIdentifier doc = new TextDocumentIdentifier(uri);
                CompletableFuture<PublishDiagnosticsParams> published = s.client.expect(p -> p.getUri().equals(uri)
                        && Integer.valueOf(2).equals(p.getVersion()));
                docs.didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "adnet", 1, text)));
                // An edit in the middle, then one with a range past the end of the text.
                docs.didChange(new DidChangeTextDocumentParams(new VersionedTextDocumentIdentifier(uri, 2), List.of(
                        new TextDocumentContentChangeEvent(new Range(new Position(1, 2), new Position(2, 0)), "x -> ("),
                        new TextDocumentContentChangeEvent(new Range(new Position(9999, 5), new Position(9999, 99)), "}"))));
                assertThat(published.get(60, TimeUnit.SECONDS)).as("diagnostics of %s", input).isNotNull();
                List<CompletableFuture<?>> answers = new ArrayList<>();
                for (Position p : List.of(new Position(0, 0), new Position(1, 3), new Position(3, 10), new Position(500, 500),
                        new Position(0, 100_000))) {
                    answers.add(docs.hover(new HoverParams(doc, p)));
                    answers.add(docs.definition(new DefinitionParams(doc, p)));
                    answers.add(docs.references(new ReferenceParams(doc, p, new ReferenceContext(true))));
                    answers.add(docs.completion(new CompletionParams(doc, p)));
                    answers.add(docs.signatureHelp(new SignatureHelpParams(doc, p)));
                }
                answers.add(docs.documentSymbol(new DocumentSymbolParams(doc)));
                answers.add(docs.semanticTokensFull(new SemanticTokensParams(doc)));
                answers.add(docs.formatting(new DocumentFormattingParams(doc, new FormattingOptions(2, true))));
                for (CompletableFuture<?> a : answers) {
                    a.get(60, TimeUnit.SECONDS);
                }
                docs.didClose(new DidCloseTextDocumentParams(doc));
                assertThat(s.process.isAlive()).as("server alive after %s", input).isTrue();
            }
            assertThat(s.errorsLogged()).isEmpty();

            // Still serving: a good file gets its hover.
            String uri = dir.resolve("good.adnet").toUri().toString();
            var published = s.client.expect(p -> p.getUri().equals(uri));
            docs.didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "adnet", 1, LanguageServerEndToEndTest.LIB)));
            assertThat(published.get(60, TimeUnit.SECONDS).getDiagnostics()).isEmpty();
            assertThat(LanguageServerEndToEndTest.hover(s, new TextDocumentIdentifier(uri), new Position(1, 2))).contains("conv(");
            assertThat(s.shutdownAndExit()).isZero();
        }
    }
}
