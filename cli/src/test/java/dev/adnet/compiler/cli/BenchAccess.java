package dev.adnet.compiler.cli;

import dev.adnet.runtime.Network;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.DataSpec;
import dev.adnet.runtime.data.Dataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;

/** For benchmarks: a trained network and its evaluation data, loaded exactly as {@code adnet eval} loads them. */
public final class BenchAccess {
    private BenchAccess() {}

    public record Loaded(Network network, DataLoader loader) {}

    /** {@code file} with {@code checkpoint}'s parameters; {@code test} ({@code null}: Fashion-MNIST's test set) in batches. */
    public static Loaded load(Path file, Path checkpoint, Path test, int batch, int limit) {
        LoadedNetwork loaded = LoadedNetwork.load(file, null, Long.MIN_VALUE, new PrintWriter(System.err, true));
        if (loaded == null) {
            throw new IllegalArgumentException("cannot compile " + file);
        }
        DataSpec spec = DataSelection.spec(Checkpoints.load(checkpoint, loaded.network(), null), loaded);
        Dataset data = DataSelection.forEvaluation(loaded, null, test, null, spec, new ArrayList<>());
        DataLoader loader = DataLoader.builder(data).batchSize(batch).limit(Math.min(limit, data.size())).build();
        return new Loaded(loaded.network(), loader);
    }
}
