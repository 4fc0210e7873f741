package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.HaltingLoop;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.PassNorm;
import dev.adnet.compiler.ir.PassParam;
import java.util.ArrayList;
import java.util.List;

/** A halting loop's own row holds the first step's accumulation and the steps after the first ({@link LoopCost}). */
final class LoopCostRule implements CostRule<HaltingLoop> {
    @Override
    public Class<HaltingLoop> opType() {
        return HaltingLoop.class;
    }

    @Override
    public long ownFlops(HaltingLoop op) {
        return LoopCost.of(op).loopOpFlops();
    }

    /** The tensors of passes 2 and on: per-pass batchnorms' gamma and beta, and a loop's own weights per pass. */
    @Override
    public List<ParamDecl> ownParams(HaltingLoop op) {
        List<ParamDecl> params = new ArrayList<>();
        for (PassNorm n : op.passNorms()) {
            params.addAll(n.gammas().subList(1, n.gammas().size()));
            params.addAll(n.betas().subList(1, n.betas().size()));
        }
        for (PassParam p : op.passParams()) {
            params.addAll(p.perPass().subList(1, p.perPass().size()));
        }
        return params;
    }

    @Override
    public LoopCost cost(HaltingLoop op, ScheduleCosts costs) {
        return LoopCost.of(op);
    }
}
