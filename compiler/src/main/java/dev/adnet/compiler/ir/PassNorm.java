package dev.adnet.compiler.ir;

import java.util.List;

/**
 * Loopy batchnorm (DRNN's loopy variable batch normalization): one batchnorm of a loop's step with the tensors each
 * pass uses. The step region's op refers to pass 1's (element 0); pass {@code k} normalises with element
 * {@code k - 1}. A gate head's batchnorm has one fewer than the cap: no gate decides after the last pass. With {@code shared(batchnorm = "statistics")} only the running statistics differ per pass (the
 * gamma and beta lists repeat one parameter); with {@code "per_pass"} gamma and beta do too.
 *
 * @param means the running means, one per pass that runs the batchnorm
 * @param vars the running variances, likewise
 * @param gammas the scales, likewise
 * @param betas the shifts, likewise
 */
public record PassNorm(List<BufferDecl> means, List<BufferDecl> vars, List<ParamDecl> gammas, List<ParamDecl> betas) {
    public PassNorm {
        means = List.copyOf(means);
        vars = List.copyOf(vars);
        gammas = List.copyOf(gammas);
        betas = List.copyOf(betas);
        if (means.size() != vars.size() || means.size() != gammas.size() || means.size() != betas.size()) {
            throw new IllegalArgumentException("a loopy batchnorm has one of each tensor per pass");
        }
    }

    /** Whether {@code b} is this batchnorm (the step's op, which reads pass 1's statistics). */
    public boolean normalises(Op.BatchNorm b) {
        return b.runningMean().equals(means.get(0));
    }

    /** The batchnorm {@code b} (the step's op) as pass {@code pass} (1-based) runs it. */
    public Op.BatchNorm atPass(Op.BatchNorm b, int pass) {
        int i = pass - 1;
        return new Op.BatchNorm(b.in(), b.out(), gammas.get(i), betas.get(i), means.get(i), vars.get(i), b.momentum(),
                b.eps(), b.path(), b.origin());
    }

    /** Whether gamma and beta are per pass too ({@code "per_pass"}), not only the statistics. */
    public boolean affinePerPass() {
        return gammas.size() > 1 && !gammas.get(0).equals(gammas.get(1));
    }
}
