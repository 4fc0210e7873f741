package dev.adnet.compiler;

import com.palantir.javapoet.JavaFile;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.emit.EmitOptions;
import dev.adnet.compiler.emit.JavaEmitter;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.pass.Pipeline;

/**
 * A network that checked cleanly, ready for code generation. Running it (compiling the class in memory and
 * instantiating it) is the command line's job ({@code dev.adnet.compiler.cli.InMemoryCompiler}): the front end
 * never loads the runtime.
 *
 * @param graph the lowered network
 * @param sourceFile the file it was declared in
 * @param sourceHash SHA-256 (hex) of the file and everything it imports
 * @param cost its cost table
 */
public record CompiledNetwork(Graph graph, String sourceFile, String sourceHash, CostModel.Report cost) {

    /** What inference runs: the graph rewritten by the inference passes into fused ops ({@code describe --ir}). */
    public Graph inferenceProgram() {
        return JavaEmitter.inferenceProgram(graph, true);
    }

    /** What a training step's forward runs: the graph rewritten by the training passes. */
    public Graph trainingProgram() {
        return Pipeline.training().run(graph);
    }

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
}
