package dev.adnet.compiler;

import com.palantir.javapoet.JavaFile;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.emit.EmitOptions;
import dev.adnet.compiler.emit.InMemoryCompiler;
import dev.adnet.compiler.emit.JavaEmitter;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.runtime.Network;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A network that checked cleanly, ready for code generation.
 *
 * @param graph the lowered network
 * @param sourceFile the file it was declared in
 * @param sourceHash SHA-256 (hex) of the file and everything it imports
 * @param cost its cost table
 */
public record CompiledNetwork(Graph graph, String sourceFile, String sourceHash, CostModel.Report cost) {

    /** The generated class, in {@code javaPackage}: what {@code adnet compile} writes. */
    public JavaFile toJava(String javaPackage) {
        return toJava(javaPackage, true);
    }

    /**
     * The generated class, with channels-last inference allowed or not: both layouts compute the same function on
     * the same parameters; the switch exists to compare them (tests, benchmarks).
     */
    public JavaFile toJava(String javaPackage, boolean channelsLast) {
        EmitOptions options = new EmitOptions(javaPackage, sourceFile, sourceHash, Compiler.VERSION, cost.totalFlops(),
                channelsLast);
        return new JavaEmitter().emit(graph, options);
    }

    /**
     * The generated class compiled in memory and instantiated: the same code {@code adnet compile} writes, run
     * without a build ({@code adnet train}, benchmarks, tests).
     */
    public Network instantiate(DataType dataType, long seed) {
        return instantiate(dataType, seed, true);
    }

    /** {@link #instantiate(DataType, long)} with channels-last inference allowed or not. */
    public Network instantiate(DataType dataType, long seed, boolean channelsLast) {
        return InMemoryCompiler.instantiate(toJava("adnet.generated", channelsLast), dataType, seed);
    }
}
