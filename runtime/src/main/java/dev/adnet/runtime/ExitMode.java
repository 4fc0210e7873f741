package dev.adnet.runtime;

/**
 * How a multi-exit network runs its exits at inference. {@link #ADAPTIVE} is the point of adnet; the other two
 * exist to measure it and to calibrate it.
 */
public enum ExitMode {
    /** A sample whose exit policy fires leaves the batch; the rest of the network runs on the samples that remain. */
    ADAPTIVE,
    /** No exit head runs and no sample leaves: the backbone and the final head, for every sample. */
    FULL,
    /**
     * Every exit head runs on every sample and nobody leaves; the heads' outputs are kept in the prediction, so that
     * policies and thresholds can be evaluated offline (sweeps, calibration).
     */
    ALL_HEADS
}
