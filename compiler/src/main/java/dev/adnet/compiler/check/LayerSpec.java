package dev.adnet.compiler.check;

import dev.adnet.compiler.source.Span;
import java.util.List;
import java.util.Map;

/**
 * A built-in layer: its name, its configuration parameters, and how it lowers when applied to tensors.
 *
 * @param tensorArity how many tensors it takes (-1 for any number of at least one, as concat)
 */
record LayerSpec(String name, List<Args.Param> params, int tensorArity, Lowerer lowerer) {

    /** Lowers the configured layer applied to inputs; reports and returns {@link Val.Err} on a bad shape. */
    interface Lowerer {
        Val lower(LayerCall call);
    }

    /** Everything a lowerer needs. */
    record LayerCall(LayerSpec spec, Map<String, Val> args, List<Val.Tensor> inputs, Lowering lowering, String scope,
            Span configSpan, Span at) {
        Val.Tensor input() {
            return inputs.get(0);
        }
    }
}
