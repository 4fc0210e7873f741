package dev.adnet.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.junit.jupiter.api.Test;

/** A handler that throws is answered empty and logged; the server keeps serving. */
class GuardTest {
    @Test
    void aThrowingRequestIsLoggedAndTheNextOneIsAnswered() throws Exception {
        AdnetLanguageServer server = new AdnetLanguageServer();
        ServerProcess.Client client = new ServerProcess.Client();
        server.connect(client);
        var docs = server.getTextDocumentService();

        assertThat(docs.hover(null).get()).isNull(); // no parameters at all: the handler throws
        docs.didOpen(null);
        assertThat(client.logs).extracting(m -> m.getMessage()).hasSize(2)
                .allSatisfy(m -> assertThat(m).startsWith("adnet: ").contains("failed: java.lang.NullPointerException"));

        String uri = "untitled:Untitled-1";
        docs.didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "adnet", 1, LanguageServerEndToEndTest.LIB)));
        assertThat(client.diagnostics).singleElement().satisfies(p -> assertThat(p.getDiagnostics()).isEmpty());
        var hover = docs.hover(new HoverParams(new TextDocumentIdentifier(uri), new Position(1, 3))).get();
        assertThat(hover.getContents().getRight().getValue()).contains("conv(channels: int");
        assertThat(client.logs).hasSize(2);
        assertThat(server.shutdown().get()).isNull();
    }
}
