package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * A task's decision for one unit of a share, {@code [1]} per sample and the same for every sample (what the emitter
 * runs for a {@link ShareUnit}, {@code emit/ShareUnrolling}): in training a Gumbel-softmax sample of its two logits
 * ([select, skip]), drawn once per step, soft or straight-through; at inference their argmax (1 runs the unit).
 * It keeps the share, task and unit it decides for and the share's weights, for the loss terms.
 */
public record TaskPolicy(ParamDecl logits, Value out, boolean soft, int shareIndex, int taskIndex, int unit, double sparsity,
        double sharing, String path, Span origin) implements Op {
    @Override
    public List<Value> inputs() {
        return List.of();
    }

    @Override
    public List<ParamDecl> params() {
        return List.of(logits);
    }

    @Override
    public String kind() {
        return "task_policy";
    }
}
