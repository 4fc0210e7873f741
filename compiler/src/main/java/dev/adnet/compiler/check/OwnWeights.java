package dev.adnet.compiler.check;

import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.PassParam;
import dev.adnet.compiler.ir.Region;
import java.util.ArrayList;
import java.util.List;

/**
 * A gated or halting loop written without {@code shared}: each pass (step) has weights of its own, as a fixed
 * {@code repeat n} gives each copy its own. The step region is lowered once, with pass 1's parameters; pass {@code k}
 * gets a copy of each (freshly initialised, named {@code NAME.passK.weight} where pass 1's is {@code NAME.weight}, as
 * per-pass batchnorms are). The gate head after pass {@code k} (or ACT's halting unit at step k) is pass k's too: it
 * judges the value a different block produced. The batchnorms are left to {@link LoopyBatchNorm} in its per-pass
 * mode, which names theirs the same way.
 */
final class OwnWeights {
    private OwnWeights() {}

    /**
     * The per-pass copies of every parameter of the step but its batchnorms' ({@code bodyLength} ops are the body,
     * the rest the gate, which runs after passes 1 to {@code cap - 1} only).
     */
    static List<PassParam> passParams(Region step, int bodyLength, int cap, boolean gated, Lowering lowering) {
        List<PassParam> params = new ArrayList<>();
        for (int i = 0; i < step.ops().size(); i++) {
            Op op = step.ops().get(i);
            if (op instanceof Op.BatchNorm) {
                continue;
            }
            int passes = gated && i >= bodyLength ? cap - 1 : cap;
            if (passes < 2) {
                continue;
            }
            for (ParamDecl p : op.params()) {
                List<ParamDecl> perPass = new ArrayList<>(List.of(p));
                for (int k = 2; k <= passes; k++) {
                    perPass.add(LoopyBatchNorm.copy(p, k, lowering));
                }
                params.add(new PassParam(perPass));
            }
        }
        return params;
    }
}
