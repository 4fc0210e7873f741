package dev.adnet.compiler.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a large stored {@code .npz} for the streaming measurement without holding it in memory: {@code x}, float32
 * vectors {@code [n, features]} drawn around one centre per class, and {@code logits}, int64 class indices. A stored
 * entry needs its CRC before its data, so the (seeded, repeatable) data is generated twice.
 * Arguments: {@code FILE [n=680000] [features=784] [classes=10]} (the defaults make 2.1 GB).
 */
public final class LargeNpz {
    private LargeNpz() {}

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        var o = BenchSupport.options(args, 1);
        int n = o.getOrDefault("n", 680_000);
        int features = o.getOrDefault("features", 784);
        int classes = o.getOrDefault("classes", 10);
        byte[] xHeader = dev.adnet.runtime.data.NpzWriter.header("'<f4'", new long[] {n, features});
        byte[] yHeader = dev.adnet.runtime.data.NpzWriter.header("'<i8'", new long[] {n});
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20))) {
            CRC32 crc = new CRC32();
            crc.update(xHeader);
            long size = xHeader.length + rows(n, features, classes, crc::update);
            entry(zip, "x.npy", size, crc.getValue());
            zip.write(xHeader);
            rows(n, features, classes, zip::write);
            zip.closeEntry();
            ByteBuffer y = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                y.putLong(i % classes);
            }
            CRC32 ycrc = new CRC32();
            ycrc.update(yHeader);
            ycrc.update(y.array());
            entry(zip, "logits.npy", yHeader.length + (long) n * 8, ycrc.getValue());
            zip.write(yHeader);
            zip.write(y.array());
            zip.closeEntry();
        }
        System.out.printf("%s: %,d bytes%n", file, Files.size(file));
    }

    private interface Sink {
        void accept(byte[] b) throws IOException;
    }

    /** Streams the rows, sample {@code i} around the centre of class {@code i % classes}; returns the byte count. */
    private static long rows(int n, int features, int classes, Sink sink) throws IOException {
        SplittableRandom r = new SplittableRandom(42);
        ByteBuffer row = ByteBuffer.allocate(features * 4).order(ByteOrder.LITTLE_ENDIAN);
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            row.clear();
            int c = i % classes;
            for (int k = 0; k < features; k++) {
                row.putFloat((float) ((k % classes == c ? 1.0 : 0.0) + r.nextGaussian()));
            }
            sink.accept(row.array());
            bytes += row.capacity();
        }
        return bytes;
    }

    private static void entry(ZipOutputStream zip, String name, long size, long crc) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(size);
        e.setCompressedSize(size);
        e.setCrc(crc);
        zip.putNextEntry(e);
    }
}
