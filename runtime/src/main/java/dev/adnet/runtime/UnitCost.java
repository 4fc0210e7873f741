package dev.adnet.runtime;

/**
 * The cost of one {@link AdaptiveUnit}, in FLOPs per sample (a multiply-add is two), as the compiler's cost model
 * computed it.
 *
 * @param flops what the unit itself computes when it runs for a sample: a gated block's body; an exit's head and
 *     its decision
 * @param saved what the network does not compute for a sample the unit adapts away: a skipped block's body; for a
 *     sample leaving at an exit, everything after the exit up to the final output, every gated block run
 */
public record UnitCost(long flops, long saved) {
    public UnitCost {
        if (flops < 0 || saved < 0) {
            throw new IllegalArgumentException("negative cost: " + flops + " FLOPs, " + saved + " saved");
        }
    }
}
