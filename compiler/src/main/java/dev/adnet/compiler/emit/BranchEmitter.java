package dev.adnet.compiler.emit;

import static dev.adnet.compiler.emit.JavaEmitter.INDARRAY;
import static dev.adnet.compiler.emit.JavaEmitter.lit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.Value;
import java.util.List;

/**
 * The code of a learned tree's parent mixtures ({@code branch tree(tau)}): in the training step the Gumbel-softmax
 * mixture of the previous layer's nodes, keeping its weights for the backward, which sends the soft gradient into
 * the parents and the parent logits; at inference the argmax parent, copied.
 */
final class BranchEmitter {
    static final ClassName PARENT_MIXTURE = ClassName.get("dev.adnet.runtime.branch", "ParentMixture");

    private BranchEmitter() {}

    static void forward(MethodSpec.Builder m, JavaEmitter.Emission em, Op.ParentMixture p, int index, String out,
            boolean train) {
        CodeBlock parents = parents(em, p.parents());
        if (train) {
            m.addStatement("double[] $L = $T.forward($L, $L, $L, seedFor(context.seed(), $L), true, $L)", weights(em, p),
                    PARENT_MIXTURE, parents, em.param(p.logits()), temperature(em, p), index, out);
        } else {
            m.addStatement("$L.assign($L[$T.argmax($L)])", out, parents, PARENT_MIXTURE, em.param(p.logits()));
        }
    }

    static void backward(MethodSpec.Builder m, JavaEmitter.Emission em, Op.ParentMixture p, String gOut, List<String> gIn,
            String gLogits) {
        m.addStatement("$T.backward($L, $L, $L, $L, new $T[] {$L}, $L)", PARENT_MIXTURE, parents(em, p.parents()),
                weights(em, p), temperature(em, p), gOut, INDARRAY, String.join(", ", gIn), gLogits);
    }

    private static String weights(JavaEmitter.Emission em, Op.ParentMixture p) {
        return em.aux(p, "weights");
    }

    private static CodeBlock parents(JavaEmitter.Emission em, List<Value> values) {
        return CodeBlock.of("new $T[] {$L}", INDARRAY, String.join(", ", values.stream().map(em::v).toList()));
    }

    /** The train section's temperature (fixed, or annealed over training) or the branch's own tau. */
    private static String temperature(JavaEmitter.Emission em, Op.ParentMixture p) {
        TrainSpec.Temperature t = em.graph.training() == null ? null : em.graph.training().temperature();
        if (t == null) {
            return lit(p.temperature());
        }
        return t.from() == t.to() ? lit(t.from()) : "temperature";
    }
}
