package dev.adnet.compiler.emit;

import java.util.Objects;

/**
 * What the emitter needs besides the IR.
 *
 * @param javaPackage the package of the generated class ({@code ""} for the unnamed package)
 * @param sourceFile the source file's display name, as in diagnostics (e.g. {@code models/net.adnet})
 * @param sourceHash a hex digest of the source, returned by {@code sourceHash()} and recorded in checkpoints
 * @param compilerVersion the adnet version named in the header
 * @param flopsPerSample the cost model's FLOPs per sample, returned by {@code flopsPerSample()}
 * @param channelsLast whether inference and training may run channels-last (when every image op of the network
 *     supports it; see {@code ImageLayout}); off only to compare the layouts
 */
public record EmitOptions(String javaPackage, String sourceFile, String sourceHash, String compilerVersion,
        long flopsPerSample, boolean channelsLast) {

    /** Options with the channels-last layout allowed. */
    public EmitOptions(String javaPackage, String sourceFile, String sourceHash, String compilerVersion,
            long flopsPerSample) {
        this(javaPackage, sourceFile, sourceHash, compilerVersion, flopsPerSample, true);
    }

    public EmitOptions {
        Objects.requireNonNull(javaPackage, "javaPackage");
        Objects.requireNonNull(sourceFile, "sourceFile");
        Objects.requireNonNull(sourceHash, "sourceHash");
        Objects.requireNonNull(compilerVersion, "compilerVersion");
        if (flopsPerSample < 0) {
            throw new IllegalArgumentException("flopsPerSample must be >= 0");
        }
    }
}
