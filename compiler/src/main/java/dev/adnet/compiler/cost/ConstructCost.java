package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;

/**
 * What one adaptive construct of a network costs, FLOPs per sample, as its {@link CostRule} computed it. The
 * generated class describes each as a unit ({@code Network.units()}) with the same figures.
 */
public interface ConstructCost {
    /** The construct's op. */
    Op.RegionOp op();

    /** Its position among the network's constructs of the same kind, from 0, in schedule order. */
    int index();

    /** What reports call it. */
    String name();

    /** Its instance path. */
    String path();

    /** FLOPs per sample of the construct's own work when it runs for a sample. */
    long flops();

    /** FLOPs per sample the network does not compute for a sample the construct adapts away. */
    long saved();
}
