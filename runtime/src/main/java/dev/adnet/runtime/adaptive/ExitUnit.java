package dev.adnet.runtime.adaptive;

import dev.adnet.runtime.AdaptiveUnit;
import dev.adnet.runtime.ExitMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.UnitCost;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An early exit as an {@link AdaptiveUnit}: a sample whose {@link ExitPolicy} fires leaves the batch there and
 * costs {@link #leavingFlops()}. Its threshold lives in a one-element buffer of the network ({@code
 * <exit>.threshold}), so a calibrated value travels with the checkpoint.
 *
 * <p>The {@link ExitMode} is the network's: its exits run in one mode (in {@link ExitMode#ALL_HEADS} every head's
 * output is kept, in {@link ExitMode#FULL} none runs), so setting it through any exit sets it for all.
 */
public final class ExitUnit implements AdaptiveUnit {
    private final int index;
    private final String name;
    private final String path;
    private final UnitCost cost;
    private final long leavingFlops;
    private final ExitPolicy policy;
    private final INDArray threshold;
    private final Supplier<ExitMode> mode;
    private final Consumer<ExitMode> setMode;

    /**
     * @param leavingFlops FLOPs per sample that leaves here: everything computed up to the decision, earlier exit
     *     heads included, every gated block before it run
     * @param threshold the network's one-element buffer holding the policy's threshold
     * @param mode reads the network's exit mode
     * @param setMode sets it
     */
    public ExitUnit(int index, String name, String path, UnitCost cost, long leavingFlops, ExitPolicy policy,
            INDArray threshold, Supplier<ExitMode> mode, Consumer<ExitMode> setMode) {
        this.index = index;
        this.name = Objects.requireNonNull(name);
        this.path = Objects.requireNonNull(path);
        this.cost = Objects.requireNonNull(cost);
        this.leavingFlops = leavingFlops;
        this.policy = Objects.requireNonNull(policy);
        this.threshold = Objects.requireNonNull(threshold);
        this.mode = Objects.requireNonNull(mode);
        this.setMode = Objects.requireNonNull(setMode);
    }

    @Override
    public Kind kind() {
        return Kind.EXIT;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public UnitCost cost() {
        return cost;
    }

    /** FLOPs per sample that leaves here. */
    public long leavingFlops() {
        return leavingFlops;
    }

    public ExitPolicy policy() {
        return policy;
    }

    /** The policy's threshold (a confidence, an entropy or a patience) as the network stores it. */
    public double threshold() {
        return threshold.getDouble(0);
    }

    /** Sets the threshold (for sweeps and calibration); a FLOAT network stores it rounded to a float. */
    public void threshold(double t) {
        threshold.putScalar(0, t);
    }

    /** How the network runs its exits at inference. */
    public ExitMode mode() {
        return mode.get();
    }

    /** Sets how the network runs its exits (all of them: the mode is the network's). */
    public void mode(ExitMode m) {
        setMode.accept(Objects.requireNonNull(m));
    }

    /** Runs every exit of {@code net} in mode {@code m}; a network without exits is left as it is. */
    public static void mode(Network net, ExitMode m) {
        for (ExitUnit x : net.units(ExitUnit.class)) {
            x.mode(m);
        }
    }

    /**
     * FLOPs per sample leaving at each exit, then at the final output ({@code exits.size() + 1} entries): the costs
     * {@link ExitSimulation} replays.
     */
    public static long[] leavingFlops(Network net) {
        List<ExitUnit> exits = net.units(ExitUnit.class);
        long[] f = new long[exits.size() + 1];
        for (ExitUnit x : exits) {
            f[x.index()] = x.leavingFlops();
        }
        f[exits.size()] = net.flopsPerSample();
        return f;
    }

    /**
     * FLOPs per sample of the network run to its final output without any exit head ({@link ExitMode#FULL}): the
     * reference that exit savings and budgets are measured against.
     */
    public static long fullFlops(Network net) {
        long heads = 0;
        for (ExitUnit x : net.units(ExitUnit.class)) {
            heads = Math.addExact(heads, x.cost().flops());
        }
        return Math.subtractExact(net.flopsPerSample(), heads);
    }

    /** Each exit's policy, in exit order. */
    public static ExitPolicy[] policies(Network net) {
        return net.units(ExitUnit.class).stream().map(ExitUnit::policy).toArray(ExitPolicy[]::new);
    }

    /** Each exit's threshold, in exit order. */
    public static double[] thresholds(Network net) {
        return net.units(ExitUnit.class).stream().mapToDouble(ExitUnit::threshold).toArray();
    }

    /** Sets every exit's threshold, in exit order; {@code thresholds} has one per exit. */
    public static void thresholds(Network net, double[] thresholds) {
        List<ExitUnit> exits = net.units(ExitUnit.class);
        if (thresholds.length != exits.size()) {
            throw new IllegalArgumentException(net.name() + ": " + exits.size() + " exit thresholds expected, got "
                    + thresholds.length);
        }
        for (ExitUnit x : exits) {
            x.threshold(thresholds[x.index()]);
        }
    }

    @Override
    public String toString() {
        return "exit " + index + " " + name;
    }
}
