package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * One unit of an AdaShare {@code share} as one task runs it: {@code out = input + z * (unit - input)}, where
 * {@code z} is the task's select-or-skip decision for this unit, drawn from its two logits ({@code logits}: [select,
 * skip], as AdaShare's) with a Gumbel-softmax in training and their argmax at inference. Its {@code unitRegion}
 * computes the unit from {@code input} alone; the units of every task share their weights (the first task's
 * instances), each task owns its logits. A share lowers to one such op per task and unit, a task's units in order.
 *
 * @param shareIndex which share of the network, in lowering order
 * @param taskIndex the task's position among the network's tasks
 * @param unit the unit's position in the share, from 0; {@code units} is their number
 * @param soft whether training uses the soft sample (else straight-through: hard forward, soft backward)
 * @param sparsity the share's {@code sparsity} weight (the {@code sparsity()} loss term)
 * @param sharing the share's {@code sharing} weight (the {@code sharing()} loss term)
 */
public record ShareUnit(Value input, Region unitRegion, Value out, ParamDecl logits, int shareIndex, String task, int taskIndex,
        int unit, int units, boolean soft, double sparsity, double sharing, String path, Span origin) implements Op.RegionOp {
    /** The unit's result when it runs. */
    public Value unitResult() {
        return unitRegion.result();
    }

    @Override
    public List<Value> inputs() {
        return List.of(input, unitResult());
    }

    @Override
    public List<ParamDecl> params() {
        return List.of(logits);
    }

    @Override
    public List<Region> regions() {
        return List.of(unitRegion);
    }

    @Override
    public List<String> regionNames() {
        return List.of("unit");
    }

    @Override
    public List<Value> operands() {
        return List.of(input);
    }

    @Override
    public ShareUnit withRegions(List<Region> regions) {
        return new ShareUnit(input, regions.get(0), out, logits, shareIndex, task, taskIndex, unit, units, soft, sparsity,
                sharing, path, origin);
    }

    @Override
    public String kind() {
        return "share_unit";
    }
}
