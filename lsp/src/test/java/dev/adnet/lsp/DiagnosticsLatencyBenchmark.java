package dev.adnet.lsp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.VersionedTextDocumentIdentifier;
import org.eclipse.lsp4j.WorkspaceFolder;

/**
 * How long after a change to a 2,000-line file its diagnostics arrive, measured in the client: from sending
 * {@code didChange} (one incremental edit in the middle of the file, alternately making and fixing a typo) to
 * receiving {@code publishDiagnostics} for that version, through a server in its own process; then, for comparison,
 * the facade's check of the same text in this JVM. Not a unit test; it asserts nothing and prints the median, 90th
 * percentile and maximum of each.
 *
 * <pre>
 * ./mvnw -q -o -pl lsp -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "$(cat lsp/target/cp.txt):lsp/target/classes:lsp/target/test-classes" \
 *     dev.adnet.lsp.DiagnosticsLatencyBenchmark [warmup=20] [runs=50]
 * </pre>
 */
public final class DiagnosticsLatencyBenchmark {
    private DiagnosticsLatencyBenchmark() {}

    /** A network of {@code lines} lines: a stem, residual blocks line by line, a head and a train section. */
    static String file(int lines) {
        StringBuilder sb = new StringBuilder("block Unit(c: int) {\n  conv(c, 3) -> batchnorm -> relu\n}\n\n");
        sb.append("network Long {\n  input image: [8, 16, 16]\n  output logits: [10]\n\n  h0 = image -> conv(8, 3) -> relu\n");
        int blocks = lines - 9 - 7;
        for (int i = 1; i <= blocks; i++) {
            sb.append("  h").append(i).append(" = h").append(i - 1).append(" -> residual Unit(8) -> relu\n");
        }
        sb.append("  logits = h").append(blocks).append(" -> global_avg_pool -> dense(10)\n\n");
        sb.append("  train {\n    loss cross_entropy(logits)\n    batch 32\n  }\n}\n");
        return sb.toString();
    }

    public static void main(String[] args) throws Exception {
        int warmup = args.length > 0 ? Integer.parseInt(args[0].replace("warmup=", "")) : 20;
        int runs = args.length > 1 ? Integer.parseInt(args[1].replace("runs=", "")) : 50;
        String text = file(2_000);
        int middle = 1_000;
        String line = text.split("\n", -1)[middle];
        int col = line.lastIndexOf("relu");
        System.out.printf(Locale.ROOT, "file: %d lines, %d bytes; editing line %d: %s%n", text.split("\n").length, text.length(),
                middle + 1, line.trim());
        Path dir = Files.createTempDirectory("adnet-lsp-bench");
        String uri = dir.resolve("long.adnet").toUri().toString();
        try (ServerProcess s = new ServerProcess()) {
            InitializeParams init = new InitializeParams();
            init.setWorkspaceFolders(List.of(new WorkspaceFolder(dir.toUri().toString(), "test")));
            init.setCapabilities(new ClientCapabilities());
            s.server.initialize(init).get(60, TimeUnit.SECONDS);
            var opened = s.client.expect(p -> p.getUri().equals(uri));
            long t0 = System.nanoTime();
            s.server.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(new TextDocumentItem(uri, "adnet", 1, text)));
            int errors = opened.get(120, TimeUnit.SECONDS).getDiagnostics().size();
            System.out.printf(Locale.ROOT, "open: %.1f ms, %d diagnostics%n", (System.nanoTime() - t0) / 1e6, errors);
            List<Double> typo = new ArrayList<>();
            List<Double> fix = new ArrayList<>();
            int version = 1;
            for (int i = 0; i < warmup + runs; i++) {
                // Insert a letter into "relu" (an unknown layer, with a suggestion), then remove it.
                for (boolean insert : new boolean[] {true, false}) {
                    int v = ++version;
                    var published = s.client.expect(p -> p.getUri().equals(uri) && Integer.valueOf(v).equals(p.getVersion()));
                    Range range = insert ? new Range(new Position(middle, col + 4), new Position(middle, col + 4))
                            : new Range(new Position(middle, col + 4), new Position(middle, col + 5));
                    long start = System.nanoTime();
                    s.server.getTextDocumentService().didChange(new DidChangeTextDocumentParams(new VersionedTextDocumentIdentifier(uri, v),
                            List.of(new TextDocumentContentChangeEvent(range, insert ? "u" : ""))));
                    int n = published.get(60, TimeUnit.SECONDS).getDiagnostics().size();
                    double ms = (System.nanoTime() - start) / 1e6;
                    if (n != (insert ? 1 : 0)) {
                        throw new IllegalStateException("expected " + (insert ? 1 : 0) + " diagnostics, got " + n);
                    }
                    if (i >= warmup) {
                        (insert ? typo : fix).add(ms);
                    }
                }
            }
            report("change -> diagnostics (typo, 1 error)", typo);
            report("change -> diagnostics (fixed, 0 errors)", fix);
            s.shutdownAndExit();
        }
        // The floor: the facade's check of the same text in this JVM, warm, without the protocol.
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        dev.adnet.compiler.Compiler compiler = new dev.adnet.compiler.Compiler(p -> bytes);
        List<Double> check = new ArrayList<>();
        for (int i = 0; i < warmup + runs; i++) {
            long start = System.nanoTime();
            compiler.check(List.of(Path.of("long.adnet")));
            if (i >= warmup) {
                check.add((System.nanoTime() - start) / 1e6);
            }
        }
        report("Compiler.check in-process (no protocol)", check);
    }

    private static void report(String what, List<Double> ms) {
        List<Double> sorted = ms.stream().sorted().toList();
        System.out.printf(Locale.ROOT, "%s: median %.1f ms, p90 %.1f ms, max %.1f ms over %d runs%n", what,
                sorted.get(sorted.size() / 2), sorted.get((int) (sorted.size() * 0.9)), sorted.get(sorted.size() - 1), sorted.size());
    }
}
