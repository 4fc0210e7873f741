package dev.adnet.runtime.implicit;

/** When a sample stops iterating. */
public enum Stopping {
    /** Each sample leaves the solve when its own residual is below the tolerance (adnet's way). */
    PER_SAMPLE,
    /**
     * Every sample iterates until all of them are below the tolerance, as published DEQ code does; kept to
     * measure what stopping per sample saves.
     */
    WHOLE_BATCH
}
