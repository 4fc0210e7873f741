package dev.adnet.runtime.loop;

import dev.adnet.runtime.AdaptiveUnit;
import dev.adnet.runtime.GateMode;
import dev.adnet.runtime.UnitCost;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A halting or gated loop as an {@link AdaptiveUnit}: every sample takes its first step, and each further one costs
 * {@link #stepFlops()} only for the samples still running. {@code cost().flops()} is a sample's cost to the cap,
 * {@code cost().saved()} what a sample stopping after the first step does not compute.
 *
 * <p>A gated loop's gates run in the network's {@link GateMode}, the mode of its gated blocks: {@code ALL_OPEN} takes
 * every sample to the cap; {@code MASK} runs as {@code ADAPTIVE} (a loop keeps each sample's value at its stop
 * exactly either way). A halting loop (ACT) has no gates and no mode.
 */
public final class LoopUnit implements AdaptiveUnit {
    private final int index;
    private final String path;
    private final UnitCost cost;
    private final int cap;
    private final long stepFlops;
    private final double target;
    private final Supplier<GateMode> mode;
    private final Consumer<GateMode> setMode;

    /**
     * @param target a gated loop's execution-rate target of each gate; NaN for a halting loop
     * @param mode reads the network's gate mode; null for a halting loop
     * @param setMode sets it; null for a halting loop
     */
    public LoopUnit(int index, String path, UnitCost cost, int cap, long stepFlops, double target, Supplier<GateMode> mode,
            Consumer<GateMode> setMode) {
        if (cap < 1 || (mode == null) != (setMode == null) || (mode == null) != Double.isNaN(target)) {
            throw new IllegalArgumentException("loop " + path + ": a cap of at least 1, and a target and mode exactly when gated");
        }
        this.index = index;
        this.path = Objects.requireNonNull(path);
        this.cost = Objects.requireNonNull(cost);
        this.cap = cap;
        this.stepFlops = stepFlops;
        this.target = target;
        this.mode = mode;
        this.setMode = setMode;
    }

    @Override
    public Kind kind() {
        return Kind.LOOP;
    }

    /** The loop's position among the network's loops: column {@code index} of {@link dev.adnet.runtime.Prediction#steps()}. */
    @Override
    public int index() {
        return index;
    }

    /** A loop is called by its path. */
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

    /** The most steps (passes) a sample takes. */
    public int cap() {
        return cap;
    }

    /** FLOPs per sample of one step. */
    public long stepFlops() {
        return stepFlops;
    }

    /** Whether gates decide after each pass (else ACT's halting unit). */
    public boolean gated() {
        return mode != null;
    }

    /** A gated loop's execution-rate target of each gate; NaN for a halting loop. */
    public double target() {
        return target;
    }

    /** How the network runs its gates at inference. */
    public GateMode mode() {
        return gateMode().get();
    }

    /** Sets how the network runs its gates (all of them: gated blocks and gated loops; the mode is the network's). */
    public void mode(GateMode m) {
        gateMode();
        setMode.accept(Objects.requireNonNull(m));
    }

    private Supplier<GateMode> gateMode() {
        if (mode == null) {
            throw new UnsupportedOperationException("halting loop " + path + " has no gates, so no gate mode");
        }
        return mode;
    }

    @Override
    public String toString() {
        return (gated() ? "gated loop " : "halting loop ") + index + " " + path;
    }
}
