package dev.adnet.runtime.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST format): a big-endian magic {@code 00 00 08 ndim} (unsigned bytes), {@code ndim}
 * big-endian int32 dimensions, then the data. Gzip compression is detected from the first two bytes. Every
 * malformed file raises a {@link DataException} naming the file.
 */
public final class IdxReader {
    private IdxReader() {}

    /** Images: {@code count} images of {@code rows x cols} unsigned bytes, row-major, one after another. */
    public record Images(int count, int rows, int cols, byte[] pixels) {}

    public static Images readImages(Path file) {
        try (InputStream in = open(file)) {
            return readImages(file.toString(), in);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public static int[] readLabels(Path file) {
        try (InputStream in = open(file)) {
            return readLabels(file.toString(), in);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads images from a stream (gzipped or not); {@code name} is used in error messages. */
    public static Images readImages(String name, InputStream raw) {
        InputStream in = decompress(name, raw);
        int[] dims = header(name, in, 3, "images");
        long n = (long) dims[0] * dims[1] * dims[2];
        if (n > Integer.MAX_VALUE - 16) {
            throw new DataException(name + ": too large (" + dims[0] + " images of " + dims[1] + "x" + dims[2] + ")");
        }
        byte[] px = body(name, in, (int) n, dims[0] + " images of " + dims[1] + "x" + dims[2]);
        return new Images(dims[0], dims[1], dims[2], px);
    }

    /** Reads labels from a stream (gzipped or not); {@code name} is used in error messages. */
    public static int[] readLabels(String name, InputStream raw) {
        InputStream in = decompress(name, raw);
        int[] dims = header(name, in, 1, "labels");
        byte[] b = body(name, in, dims[0], dims[0] + " labels");
        int[] labels = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            labels[i] = b[i] & 0xff;
        }
        return labels;
    }

    private static InputStream open(Path file) {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": file not found");
        } catch (IOException e) {
            throw new DataException(file + ": cannot open: " + e.getMessage(), e);
        }
    }

    private static InputStream decompress(String name, InputStream raw) {
        try {
            BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                return new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
            }
            return in;
        } catch (ZipException e) {
            throw new DataException(name + ": corrupt gzip header: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new DataException(name + ": truncated gzip header", e);
        } catch (IOException e) {
            throw new DataException(name + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static int[] header(String name, InputStream in, int expectedDims, String what) {
        byte[] magic = readFully(name, in, 4, "the 4-byte magic number");
        int m = ((magic[0] & 0xff) << 24) | ((magic[1] & 0xff) << 16) | ((magic[2] & 0xff) << 8) | (magic[3] & 0xff);
        int expected = 0x0800 | expectedDims;
        if (m != expected) {
            String hint = magic[0] != 0 || magic[1] != 0 ? "not an IDX file"
                    : (magic[2] & 0xff) != 0x08 ? "element type 0x" + Integer.toHexString(magic[2] & 0xff)
                            + ", only unsigned bytes (0x08) are supported"
                    : "an IDX file with " + (magic[3] & 0xff) + " dimensions, expected " + expectedDims + " for " + what;
            throw new DataException(String.format("%s: wrong magic number 0x%08x, expected 0x%08x (%s)",
                    name, m, expected, hint));
        }
        byte[] d = readFully(name, in, 4 * expectedDims, "the header's " + expectedDims + " dimension(s)");
        int[] dims = new int[expectedDims];
        for (int i = 0; i < expectedDims; i++) {
            dims[i] = ((d[4 * i] & 0xff) << 24) | ((d[4 * i + 1] & 0xff) << 16) | ((d[4 * i + 2] & 0xff) << 8)
                    | (d[4 * i + 3] & 0xff);
            if (dims[i] < 0) {
                throw new DataException(name + ": negative dimension " + dims[i] + " in the header");
            }
        }
        return dims;
    }

    private static byte[] body(String name, InputStream in, int n, String what) {
        byte[] data = readFully(name, in, n, what);
        try {
            int extra = 0;
            byte[] skip = new byte[8192];
            for (int r; (r = in.read(skip)) > 0; ) {
                extra += r;
            }
            if (extra > 0) {
                throw new DataException(name + ": " + extra + " unexpected byte(s) after the data; the header announces "
                        + what + " (" + n + " bytes)");
            }
        } catch (IOException e) {
            throw new DataException(name + ": corrupt data after the " + what + ": " + e.getMessage(), e);
        }
        return data;
    }

    private static byte[] readFully(String name, InputStream in, int n, String what) {
        byte[] b = new byte[n];
        int got = 0;
        try {
            while (got < n) {
                int r = in.read(b, got, n - got);
                if (r < 0) {
                    break;
                }
                got += r;
            }
        } catch (EOFException e) {
            throw new DataException(name + ": truncated (gzip stream ends early) while reading " + what, e);
        } catch (IOException e) {
            throw new DataException(name + ": corrupt while reading " + what + ": " + e.getMessage(), e);
        }
        if (got < n) {
            throw new DataException(name + ": truncated: expected " + n + " bytes for " + what + ", found " + got);
        }
        return b;
    }
}
