package dev.adnet.runtime;

/**
 * How a gated network runs its gated blocks at inference. {@link #ADAPTIVE} is the point of adnet; the other two
 * exist to measure it against.
 */
public enum GateMode {
    /** Each block runs only on the samples whose gate is open (gathered into a sub-batch, scattered back). */
    ADAPTIVE,
    /** Every gate is forced open: the full network, for every sample. */
    ALL_OPEN,
    /** Every block runs on every sample and is multiplied by the 0/1 decision, as published code does. */
    MASK
}
