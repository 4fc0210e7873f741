package dev.adnet.runtime.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/** Writes unsigned-byte IDX files, optionally gzipped (used to build the shipped subset and in tests). */
public final class IdxWriter {
    private IdxWriter() {}

    public static void writeImages(Path file, IdxReader.Images images, boolean gzip) throws IOException {
        try (DataOutputStream out = open(file, gzip)) {
            out.writeInt(0x0803);
            out.writeInt(images.count());
            out.writeInt(images.rows());
            out.writeInt(images.cols());
            out.write(images.pixels());
        }
    }

    public static void writeLabels(Path file, int[] labels, boolean gzip) throws IOException {
        try (DataOutputStream out = open(file, gzip)) {
            out.writeInt(0x0801);
            out.writeInt(labels.length);
            for (int l : labels) {
                out.writeByte(l);
            }
        }
    }

    private static DataOutputStream open(Path file, boolean gzip) throws IOException {
        OutputStream os = Files.newOutputStream(file);
        if (gzip) {
            os = new GZIPOutputStream(os, 1 << 16) {
                {
                    def.setLevel(Deflater.BEST_COMPRESSION);
                }
            };
        }
        return new DataOutputStream(new BufferedOutputStream(os, 1 << 16));
    }
}
