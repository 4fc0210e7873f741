package dev.adnet.compiler.cli;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.runtime.Network;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A network compiled in memory from its source and instantiated: what {@code train}, {@code eval} and
 * {@code predict} run. It is the same generated class the Maven plugin writes, loaded without a build.
 */
record LoadedNetwork(CompiledNetwork compiled, Network network) {

    /** Compiles {@code file}; null after printing diagnostics or a message. */
    static LoadedNetwork load(Path file, String networkName, long seedOverride, PrintWriter err) {
        CompileResult result = new Compiler().check(List.of(file));
        if (Reports.diagnostics(result, err)) {
            return null;
        }
        List<CompiledNetwork> candidates = result.networks().stream()
                .filter(n -> networkName == null || n.graph().name().equals(networkName)).toList();
        if (candidates.size() != 1) {
            err.println("adnet: " + file + (candidates.isEmpty() ? " declares no network" + (networkName == null ? "" : " named '" + networkName + "'")
                    : " declares several networks; choose one with --network NAME: "
                    + String.join(", ", candidates.stream().map(n -> n.graph().name()).toList())));
            return null;
        }
        CompiledNetwork n = candidates.get(0);
        long seed = seedOverride != Long.MIN_VALUE ? seedOverride
                : n.graph().training() != null ? n.graph().training().config().seed() : 0;
        try {
            return new LoadedNetwork(n, InMemoryCompiler.instantiate(n, DataType.FLOAT, seed));
        } catch (InMemoryCompiler.TooLargeException e) {
            dev.adnet.compiler.source.Span at = n.graph().span();
            err.println(at.file() + ":" + at.line() + ":" + at.column() + ": error: " + e.getMessage());
            return null;
        }
    }
}
