package dev.adnet.lsp;

import dev.adnet.compiler.Compiler;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

/**
 * The server as an editor sees it: a separate JVM ({@code java -cp ... dev.adnet.lsp.Main}) driven over its
 * standard input and output by lsp4j's client launcher. The class path is the one the server's own classes and
 * its libraries were loaded from here: the compiler, grammar, ANTLR, JavaPoet, lsp4j and gson, no runtime.
 */
final class ServerProcess implements AutoCloseable {
    final Process process;
    final LanguageServer server;
    final Client client = new Client();

    /** What the server sent without being asked. */
    static final class Client implements LanguageClient {
        final List<PublishDiagnosticsParams> diagnostics = new CopyOnWriteArrayList<>();
        final List<MessageParams> logs = new CopyOnWriteArrayList<>();
        private final Map<Predicate<PublishDiagnosticsParams>, CompletableFuture<PublishDiagnosticsParams>> waiting =
                new ConcurrentHashMap<>();

        @Override
        public void telemetryEvent(Object object) {}

        @Override
        public void publishDiagnostics(PublishDiagnosticsParams p) {
            diagnostics.add(p);
            waiting.forEach((test, future) -> {
                if (test.test(p)) {
                    future.complete(p);
                }
            });
        }

        @Override
        public void showMessage(MessageParams p) {
            logs.add(p);
        }

        @Override
        public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams p) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void logMessage(MessageParams p) {
            logs.add(p);
        }

        /** A future of the first diagnostics from now on that match. */
        CompletableFuture<PublishDiagnosticsParams> expect(Predicate<PublishDiagnosticsParams> test) {
            CompletableFuture<PublishDiagnosticsParams> f = new CompletableFuture<>();
            waiting.put(test, f);
            f.whenComplete((r, e) -> waiting.remove(test));
            return f;
        }
    }

    ServerProcess() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xss4m", "-cp", classPath(), Main.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Launcher<LanguageServer> launcher = LSPLauncher.createClientLauncher(client, process.getInputStream(), process.getOutputStream());
        launcher.startListening();
        server = launcher.getRemoteProxy();
    }

    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(Main.class, Compiler.class, dev.adnet.grammar.AdnetLexer.class, org.antlr.v4.runtime.Token.class,
                com.palantir.javapoet.JavaFile.class, LanguageServer.class, Launcher.class, com.google.gson.Gson.class)) {
            try {
                entries.add(Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    /** Shuts down and exits as an editor does; the process's exit code. */
    int shutdownAndExit() throws Exception {
        server.shutdown().get(30, TimeUnit.SECONDS);
        server.exit();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the server did not exit");
        }
        return process.exitValue();
    }

    List<String> errorsLogged() {
        List<String> errors = new ArrayList<>();
        client.logs.forEach(m -> errors.add(m.getMessage()));
        return errors;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
