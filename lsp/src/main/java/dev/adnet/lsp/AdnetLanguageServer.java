package dev.adnet.lsp;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.eclipse.lsp4j.CodeActionKind;
import org.eclipse.lsp4j.CodeActionOptions;
import org.eclipse.lsp4j.CompletionOptions;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.RenameOptions;
import org.eclipse.lsp4j.SemanticTokensWithRegistrationOptions;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.ServerInfo;
import org.eclipse.lsp4j.SignatureHelpOptions;
import org.eclipse.lsp4j.TextDocumentSyncKind;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageClientAware;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

/** The server's lifecycle and capabilities; the document features are in {@link TextDocuments}. */
public final class AdnetLanguageServer implements LanguageServer, LanguageClientAware {
    private final Documents documents = new Documents();
    private final Workspace workspace = new Workspace(documents);
    private final TextDocuments textDocuments = new TextDocuments(documents, workspace);
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private volatile boolean shutdown;

    /**
     * Serves the protocol on {@code in} and {@code out} until the client sends {@code exit} or closes the stream;
     * the exit code: 0 after {@code shutdown}, 1 otherwise (as the protocol asks).
     */
    public static int run(InputStream in, OutputStream out) {
        AdnetLanguageServer server = new AdnetLanguageServer();
        Launcher<LanguageClient> launcher = LSPLauncher.createServerLauncher(server, in, out);
        server.connect(launcher.getRemoteProxy());
        Future<Void> listening = launcher.startListening();
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                listening.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // the stream broke: the same as closing it
            }
        });
        CompletableFuture.anyOf(server.exited, closed).join();
        return server.exited.getNow(server.shutdown ? 0 : 1);
    }

    @Override
    public void connect(LanguageClient client) {
        textDocuments.connect(client);
    }

    @Override
    public CompletableFuture<InitializeResult> initialize(InitializeParams params) {
        workspace.roots(roots(params));

        ServerCapabilities caps = new ServerCapabilities();
        caps.setTextDocumentSync(TextDocumentSyncKind.Incremental);
        caps.setHoverProvider(true);
        caps.setDefinitionProvider(true);
        caps.setReferencesProvider(true);
        caps.setRenameProvider(new RenameOptions(true));
        caps.setDocumentSymbolProvider(true);
        caps.setDocumentFormattingProvider(true);
        caps.setCompletionProvider(new CompletionOptions(false, List.of("(", ",", " ", "=")));
        caps.setSignatureHelpProvider(new SignatureHelpOptions(List.of("(", ",")));
        caps.setSemanticTokensProvider(new SemanticTokensWithRegistrationOptions(Highlighting.LEGEND, Boolean.TRUE));
        caps.setCodeActionProvider(new CodeActionOptions(List.of(CodeActionKind.QuickFix)));
        InitializeResult result = new InitializeResult(caps);
        result.setServerInfo(new ServerInfo("adnet", dev.adnet.compiler.Compiler.VERSION));
        return CompletableFuture.completedFuture(result);
    }

    /** The workspace folders, or the root of a client that sends only the older {@code rootUri}. */
    @SuppressWarnings("deprecation") // rootUri: Neovim and Emacs clients of a few years ago send nothing else
    private static List<Path> roots(InitializeParams params) {
        List<Path> roots = new ArrayList<>();
        if (params.getWorkspaceFolders() != null) {
            params.getWorkspaceFolders().forEach(f -> roots.add(Path.of(Uris.name(f.getUri()))));
        } else if (params.getRootUri() != null) {
            roots.add(Path.of(Uris.name(params.getRootUri())));
        }
        return roots;
    }

    @Override
    public void initialized(InitializedParams params) {
        // nothing to do until documents open
    }

    @Override
    public CompletableFuture<Object> shutdown() {
        shutdown = true;
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void exit() {
        exited.complete(shutdown ? 0 : 1);
    }

    @Override
    public TextDocumentService getTextDocumentService() {
        return textDocuments;
    }

    @Override
    public WorkspaceService getWorkspaceService() {
        return workspaceService;
    }

    private final WorkspaceService workspaceService = new WorkspaceService() {
        @Override
        public void didChangeConfiguration(DidChangeConfigurationParams params) {
            // the server has no settings
        }

        @Override
        public void didChangeWatchedFiles(DidChangeWatchedFilesParams params) {
            textDocuments.recheckAll();
        }
    };
}
