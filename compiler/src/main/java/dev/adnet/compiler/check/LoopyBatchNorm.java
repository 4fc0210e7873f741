package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.BufferDecl;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.PassNorm;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code shared(batchnorm = ...)}: what the passes of a shared body share of its batchnorms (DRNN's loopy variable
 * batch normalization). A body applied again and again sees a different distribution at every pass, so one set of
 * running statistics, averaged over the passes, fits none of them at inference.
 */
final class LoopyBatchNorm {
    /** What each pass has of its own. */
    enum Mode {
        /** Nothing: one batchnorm for every pass (the default). */
        SHARED,
        /** The running mean and variance; gamma and beta are shared. */
        STATISTICS,
        /** The running statistics, gamma and beta: a batchnorm per pass, as DRNN has it. */
        PER_PASS
    }

    static final List<Args.Param> PARAMS = List.of(new Args.Param("batchnorm", Args.Type.STRING, new Val.Str("shared")));

    private LoopyBatchNorm() {}

    /** The mode that {@code options} (bound to {@link #PARAMS}) ask for, or null after reporting a wrong value. */
    static Mode mode(Map<String, Val> options, Span span, Diagnostics diagnostics) {
        String v = ((Val.Str) options.get("batchnorm")).value();
        return switch (v) {
            case "shared" -> Mode.SHARED;
            case "statistics" -> Mode.STATISTICS;
            case "per_pass" -> Mode.PER_PASS;
            default -> {
                diagnostics.error(Code.INVALID_VALUE, span, "batchnorm is \"shared\", \"statistics\" (running statistics per pass) "
                        + "or \"per_pass\" (statistics, gamma and beta per pass), not \"" + v + "\"");
                yield null;
            }
        };
    }

    /** Where an option of {@code shared(...)} stands, for its errors. */
    static Span span(List<Arg> sharing, Span fallback) {
        return sharing.isEmpty() ? fallback : sharing.get(0).span();
    }

    /** Whether {@code ops} (and the regions of their constructs) hold a batchnorm. */
    static boolean anyBatchNorm(List<Op> ops) {
        for (Op op : ops) {
            if (op instanceof Op.BatchNorm) {
                return true;
            }
            if (op instanceof Op.RegionOp r && r.regions().stream().anyMatch(g -> anyBatchNorm(g.ops()))) {
                return true;
            }
        }
        return false;
    }

    /** Reports that a body without a batchnorm was given per-pass batchnorms. */
    static void noBatchNorm(Span at, Diagnostics diagnostics) {
        diagnostics.error(Code.INVALID_VALUE, at, "'shared(batchnorm = ...)' gives each pass a batchnorm of its own, but the "
                + "loop's body has no batchnorm");
    }

    /**
     * The per-pass tensors of each batchnorm of a loop's step (body and gate head; {@code bodyLength} ops are the
     * body): pass 1 keeps the step's, pass
     * {@code k} gets {@code NAME.passK.running_mean} (and {@code .gamma}, {@code .beta} with {@link Mode#PER_PASS}),
     * where the step's are {@code NAME.running_mean}.
     */
    static List<PassNorm> passNorms(Region step, int bodyLength, int cap, boolean gated, Mode mode, Lowering lowering) {
        List<PassNorm> norms = new ArrayList<>();
        if (mode == Mode.SHARED) {
            return norms;
        }
        for (int i = 0; i < step.ops().size(); i++) {
            if (!(step.ops().get(i) instanceof Op.BatchNorm b)) {
                continue;
            }
            // no gate decides after the cap's pass: the gate head's batchnorms run in passes 1 to cap - 1
            int passes = gated && i >= bodyLength ? cap - 1 : cap;
            List<BufferDecl> means = new ArrayList<>(List.of(b.runningMean()));
            List<BufferDecl> vars = new ArrayList<>(List.of(b.runningVar()));
            List<ParamDecl> gammas = new ArrayList<>(List.of(b.gamma()));
            List<ParamDecl> betas = new ArrayList<>(List.of(b.beta()));
            for (int k = 2; k <= passes; k++) {
                means.add(lowering.buffer(atPass(b.runningMean().name(), k), b.runningMean().size(), b.runningMean().initialValue()));
                vars.add(lowering.buffer(atPass(b.runningVar().name(), k), b.runningVar().size(), b.runningVar().initialValue()));
                gammas.add(mode == Mode.PER_PASS ? copy(b.gamma(), k, lowering) : b.gamma());
                betas.add(mode == Mode.PER_PASS ? copy(b.beta(), k, lowering) : b.beta());
            }
            norms.add(new PassNorm(means, vars, gammas, betas));
        }
        return norms;
    }

    /** A new parameter like {@code p}, freshly initialised, named as pass {@code k}'s. */
    static ParamDecl copy(ParamDecl p, int k, Lowering lowering) {
        return lowering.param(atPass(p.name(), k), p.shape(), p.init(), p.fanIn(), p.fanOut(), p.decay(), p.values());
    }

    /** {@code a.b.batchnorm1.gamma} of pass k: {@code a.b.batchnorm1.passK.gamma}. */
    static String atPass(String name, int k) {
        int dot = name.lastIndexOf('.');
        return name.substring(0, dot) + ".pass" + k + name.substring(dot);
    }
}
