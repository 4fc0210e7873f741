package dev.adnet.runtime.adaptive;

import dev.adnet.runtime.AdaptiveUnit;
import dev.adnet.runtime.GateMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.UnitCost;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A gated block as an {@link AdaptiveUnit}: its body's FLOPs are spent on a sample only when its gate is open, so
 * per sample it costs between 0 and {@code cost().flops()}, {@link #expectedFlops()} at its declared target rate.
 *
 * <p>The {@link GateMode} is the network's: its gated blocks run in one mode, so setting it through any gate sets it
 * for all ({@link #mode(Network, GateMode)} says so at the call site).
 */
public final class GateUnit implements AdaptiveUnit {
    private final int index;
    private final String path;
    private final UnitCost cost;
    private final double target;
    private final Supplier<GateMode> mode;
    private final Consumer<GateMode> setMode;

    /**
     * @param mode reads the network's gate mode
     * @param setMode sets it
     */
    public GateUnit(int index, String path, UnitCost cost, double target, Supplier<GateMode> mode,
            Consumer<GateMode> setMode) {
        this.index = index;
        this.path = Objects.requireNonNull(path);
        this.cost = Objects.requireNonNull(cost);
        this.target = target;
        this.mode = Objects.requireNonNull(mode);
        this.setMode = Objects.requireNonNull(setMode);
    }

    @Override
    public Kind kind() {
        return Kind.GATE;
    }

    @Override
    public int index() {
        return index;
    }

    /** A gated block is called by its path. */
    @Override
    public String name() {
        return path;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public UnitCost cost() {
        return cost;
    }

    /** The execution rate the complexity loss trained it towards. */
    public double target() {
        return target;
    }

    /** FLOPs per sample the block is expected to cost at its target rate. */
    public double expectedFlops() {
        return target * cost.flops();
    }

    /** How the network runs its gated blocks at inference. */
    public GateMode mode() {
        return mode.get();
    }

    /** Sets how the network runs its gated blocks (all of them: the mode is the network's). */
    public void mode(GateMode m) {
        setMode.accept(Objects.requireNonNull(m));
    }

    /**
     * Runs every gate of {@code net}, of gated blocks and of gated loops, in mode {@code m}; a network without gates
     * is left as it is.
     */
    public static void mode(Network net, GateMode m) {
        for (GateUnit g : net.units(GateUnit.class)) {
            g.mode(m);
        }
        for (dev.adnet.runtime.loop.LoopUnit l : net.units(dev.adnet.runtime.loop.LoopUnit.class)) {
            if (l.gated()) {
                l.mode(m);
            }
        }
    }

    @Override
    public String toString() {
        return "gate " + index + " " + path;
    }
}
