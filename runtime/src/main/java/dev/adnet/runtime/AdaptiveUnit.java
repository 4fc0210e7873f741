package dev.adnet.runtime;

/**
 * One adaptive unit of a generated network: a construct whose work depends on the sample (a gated block, an early
 * exit, a loop). {@link Network#units()} lists them in schedule order, so that tools (evaluation reports, benchmarks,
 * calibration) iterate over units instead of asking the network about each construct. Each kind has a class of its
 * own in {@code dev.adnet.runtime.adaptive} with what only that kind has (a gate's target and mode, an exit's
 * policy, threshold and mode).
 */
public interface AdaptiveUnit {
    /** The kinds of unit. A new construct adds its kind here and its descriptor class beside its kernels. */
    enum Kind {
        /** A gated block ({@code gate(...) residual F}): runs per sample only when its gate is open. */
        GATE,
        /** An early exit ({@code exit name when policy { H }}): samples whose policy fires leave there. */
        EXIT,
        /** A halting or gated loop ({@code repeat upto n ... halt} or {@code gate}): each sample takes its own steps. */
        LOOP
    }

    Kind kind();

    /**
     * Its position among the network's units of the same kind, from 0, in schedule order: gate {@code g} is column
     * {@code g} of {@link Prediction#executed()}, exit {@code k} is the value {@code k} of {@link Prediction#exits()}.
     */
    int index();

    /** What reports call it: an exit's declared name; a gated block's path. */
    String name();

    /** Its path in the source's naming of instances, as {@code adnet describe} prints it, e.g. {@code body.gate1}. */
    String path();

    /** What it costs and what it saves, from the compiler's cost model. */
    UnitCost cost();
}
