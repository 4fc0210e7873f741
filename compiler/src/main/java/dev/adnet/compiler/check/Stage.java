package dev.adnet.compiler.check;

import dev.adnet.compiler.source.Span;
import java.util.List;

/** A function of tensors, applied by lowering it into the graph being built. */
interface Stage {
    /**
     * Lowers this stage applied to {@code inputs} into the graph; returns the resulting tensor or {@link Val.Err}.
     *
     * @param at where the application is written (for errors about the inputs)
     */
    Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at);

    /** How many tensors the stage takes. */
    default int arity() {
        return 1;
    }

    /** For messages. */
    String describe();
}
