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
        EmitOptions options = new EmitOptions(javaPackage, sourceFile, sourceHash, Compiler.VERSION, cost.totalFlops());
        return new JavaEmitter().emit(graph, options);
    }

    /**
     * The generated class compiled in memory and instantiated: the same code {@code adnet compile} writes, run
     * without a build ({@code adnet train}, benchmarks, tests).
     */
    public Network instantiate(DataType dataType, long seed) {
        return InMemoryCompiler.instantiate(toJava("adnet.generated"), dataType, seed);
    }
}
