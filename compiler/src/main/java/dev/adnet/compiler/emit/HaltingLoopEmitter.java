package dev.adnet.compiler.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The code of states and halting loops (after {@link LoopUnrolling}): a state's constant rows, the halting mean's
 * forward (keeping its steps for the backward and the ponder term), its backward, and the {@code ponder()} term.
 */
final class HaltingLoopEmitter {
    static final ClassName HALTING_MEAN = ClassName.get("dev.adnet.runtime.loop", "HaltingMean");
    static final ClassName STEPS = ClassName.get("dev.adnet.runtime.loop", "HaltingMean", "Steps");

    private HaltingLoopEmitter() {}

    /** Whether this emitter writes {@code op}'s forward. */
    static boolean owns(Op op) {
        return op instanceof Op.State || op instanceof Op.HaltingMean;
    }

    /**
     * The forward of {@code op} into {@code out} (already allocated).
     *
     * @param names each value's Java name
     * @param steps the name of the halting mean's {@code Steps}
     */
    static void forward(MethodSpec.Builder m, Op op, String out, Function<Value, String> names, String steps) {
        if (op instanceof Op.State s) {
            m.addStatement("$L.assign($L)", out, s.init() == Op.StateInit.ZEROS ? "0.0" : "1.0");
            return;
        }
        Op.HaltingMean h = (Op.HaltingMean) op;
        m.addStatement("$T $L = $T.forward($L, $L, $L, $L)", STEPS, steps, HALTING_MEAN, array(h.states(), names),
                array(h.halts(), names), JavaEmitter.lit(h.eps()), out);
    }

    /** The VJP of a halting mean: {@code gIn} holds the states' gradients, then the halting probabilities'. */
    static void backward(MethodSpec.Builder m, Op.HaltingMean h, String steps, String gOut, List<String> gIn,
            Function<Value, String> names, TrainSpec training) {
        int cap = h.states().size();
        m.addStatement("$T.backward($L, $L, $L, $L, new $T[] {$L}, new $T[] {$L})", HALTING_MEAN, steps, array(h.states(), names),
                gOut, ponderWeight(h, training), JavaEmitter.INDARRAY, String.join(", ", gIn.subList(0, cap)),
                JavaEmitter.INDARRAY, String.join(", ", gIn.subList(cap, 2 * cap)));
    }

    /** The weight of this loop's mean ponder cost in the loss: each ponder term's weight times the loop's tau. */
    private static String ponderWeight(Op.HaltingMean h, TrainSpec training) {
        double w = 0;
        for (TrainSpec.LossTerm t : training.terms()) {
            if (t instanceof TrainSpec.Ponder) {
                w += t.weight() * h.ponder();
            }
        }
        return JavaEmitter.lit(w);
    }

    /** The ponder term's value: each loop's tau times its batch mean of N + R. */
    static CodeBlock ponderTerm(Graph graph, Function<Op.HaltingMean, String> steps) {
        List<CodeBlock> parts = new ArrayList<>();
        for (Op op : graph.ops()) {
            if (op instanceof Op.HaltingMean h) {
                parts.add(CodeBlock.of("$L * $L.meanPonder()", JavaEmitter.lit(h.ponder()), steps.apply(h)));
            }
        }
        return CodeBlock.join(parts, " + ");
    }

    private static CodeBlock array(List<Value> values, Function<Value, String> names) {
        return CodeBlock.of("new $T[] {$L}", JavaEmitter.INDARRAY, String.join(", ", values.stream().map(names).toList()));
    }
}
