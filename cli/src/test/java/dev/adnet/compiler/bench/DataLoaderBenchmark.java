package dev.adnet.compiler.bench;

import dev.adnet.runtime.TensorSpec;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.DataSchema;
import dev.adnet.runtime.data.DataSources;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.Batch;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Batches per second of the loader alone (no network), so that what loading costs can be set against a training step:
 * Fashion-MNIST in memory (IDX), the same images from an {@code .npz} (memory-mapped) and from a folder of PNG files
 * (decoded on background threads), alternated in one process. Arguments: {@code NPZ IMAGE_DIR [batch=128] [rounds=5]
 * [limit=10000]}; {@code IMAGE_DIR} holds the images as {@code <class>/<n>.png} ({@code write=1} writes them first).
 */
public final class DataLoaderBenchmark {
    private DataLoaderBenchmark() {}

    public static void main(String[] args) throws Exception {
        var o = BenchSupport.options(args, 2);
        int batch = o.getOrDefault("batch", 128);
        int rounds = o.getOrDefault("rounds", 5);
        int limit = o.getOrDefault("limit", 10000);
        DataSchema schema = DataSchema.classifier("bench", new TensorSpec("image", new long[] {1, 28, 28}),
                new TensorSpec("logits", new long[] {10}));
        Dataset idx = DataSources.match(FashionMnist.locate(null).train().limit(limit).asPositional(), schema, true);
        Dataset npz = DataSources.open(Path.of(args[0]), schema, DataSources.Part.TRAIN, true).limit(limit).normalised(Map.of());
        Path images = Path.of(args[1]);
        if (o.getOrDefault("write", 0) == 1) {
            writeImages(idx, images);
        }
        Dataset png = DataSources.open(images, schema, DataSources.Part.TRAIN, true).normalised(idx.spec().normalisation());
        for (int r = 0; r < rounds; r++) {
            System.out.printf(Locale.ROOT, "round %d: idx %,.0f, npz %,.0f, png folder %,.0f samples/s%n", r + 1,
                    rate(idx, batch), rate(npz, batch), rate(png, batch));
        }
    }

    private static double rate(Dataset d, int batch) {
        DataLoader l = DataLoader.builder(d).batchSize(batch).shuffle(1).build();
        long t0 = System.nanoTime();
        long n = 0;
        for (Batch b : l.epoch(0)) {
            n += b.size();
        }
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static void writeImages(Dataset d, Path dir) throws java.io.IOException {
        for (int i = 0; i < d.size(); i++) {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < 784; p++) {
                img.getRaster().setSample(p % 28, p / 28, 0, d.pixel(i, p));
            }
            Path f = dir.resolve(String.format(Locale.ROOT, "%d/%05d.png", d.label(i), i));
            java.nio.file.Files.createDirectories(f.getParent());
            javax.imageio.ImageIO.write(img, "png", f.toFile());
        }
    }
}
