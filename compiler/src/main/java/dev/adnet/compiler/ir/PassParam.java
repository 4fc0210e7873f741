package dev.adnet.compiler.ir;

import java.util.List;

/**
 * A parameter of a loop's step that each pass has its own of ({@code repeat upto n gate(...)} without
 * {@code shared}): the step region's op reads pass 1's (element 0); pass {@code k} reads element {@code k - 1}. A
 * gate head's parameter has one fewer than the cap: no gate decides after the last pass. The batchnorms of such a
 * step are {@link PassNorm}s, as {@code shared(batchnorm = "per_pass")} makes them; this covers every other weight.
 *
 * @param perPass the tensors, one per pass that runs the op
 */
public record PassParam(List<ParamDecl> perPass) {
    public PassParam {
        perPass = List.copyOf(perPass);
        if (perPass.size() < 2) {
            throw new IllegalArgumentException("a per-pass parameter has a tensor for at least two passes");
        }
    }

    /** The step's parameter, which pass 1 uses. */
    public ParamDecl step() {
        return perPass.get(0);
    }

    /** The tensor pass {@code pass} (1-based) uses. */
    public ParamDecl at(int pass) {
        return perPass.get(pass - 1);
    }
}
