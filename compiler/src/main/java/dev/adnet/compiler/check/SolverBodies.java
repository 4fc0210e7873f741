package dev.adnet.compiler.check;

import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Region;

/**
 * The rule a solver's body (a fixed point's function, an ODE's dz/dt) obeys: the solver runs it on whichever samples
 * are still solving, so it must give each sample the same value whatever the others are, and the same value at each
 * evaluation. Batchnorm (batch statistics), dropout (a new mask per call) and nested constructs break that.
 */
final class SolverBodies {
    private SolverBodies() {}

    /**
     * Whether {@code body} obeys the rule; reports the first op that does not.
     *
     * @param what the body as a message names it ("a fixed-point body")
     * @param solving what the samples still in the solver are doing ("iterating")
     * @param dropoutEffect what a fresh dropout mask per evaluation would do, after "a mask drawn anew at each "
     */
    static boolean runsPerSample(Region body, String what, String solving, String dropoutEffect, Lowering lowering) {
        for (Op op : body.schedule()) {
            String why = op instanceof Op.RegionOp ? "a construct inside " + what + " is not supported yet"
                    : op instanceof Op.BatchNorm ? "batchnorm inside " + what + " is not supported: its batch statistics "
                            + "would change with the samples still " + solving + "; use layernorm"
                    : op instanceof Op.Dropout ? "dropout inside " + what + " is not supported: a mask drawn anew at each "
                            + dropoutEffect
                    : null;
            if (why != null) {
                lowering.diagnostics.error(Code.NOT_SUPPORTED_YET, op.origin(), why);
                return false;
            }
        }
        return true;
    }
}
