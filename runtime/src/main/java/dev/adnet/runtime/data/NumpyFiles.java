package dev.adnet.runtime.data;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Reads NumPy's {@code .npy} arrays and {@code .npz} archives. An {@code .npy} file and the stored (uncompressed)
 * entries of an {@code .npz} ({@code numpy.savez}) are memory-mapped, so an array larger than the heap is paged in
 * as training reads it; deflated entries ({@code numpy.savez_compressed}) are inflated into memory, their CRC checked.
 * The zip directory is read directly (zip64 included) because the JDK's zip API does not tell where an entry's data lies.
 */
public final class NumpyFiles {
    private NumpyFiles() {}

    /** An {@code .npy} file's array. */
    public static SampleArray readNpy(Path file) {
        try (FileChannel ch = open(file)) {
            long size = ch.size();
            byte[] pre = new byte[NpyHeader.PREAMBLE];
            int got = readAt(ch, 0, pre);
            int len = NpyHeader.length(file.toString(), pre, got);
            if (len > size) {
                throw new DataException(file + ": truncated .npy header");
            }
            byte[] head = new byte[len];
            readAt(ch, 0, head);
            NpyHeader h = NpyHeader.parse(file.toString(), head, len);
            return mapped(file.toString(), ch, 0, size, h);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** One entry of an {@code .npz}: a numeric array or, for {@code <U} arrays, strings. */
    public record NpzArray(String name, BufferArray numbers, List<String> strings) {}

    /** Every array of an {@code .npz} file, by name (the entry name without {@code .npy}), in the archive's order. */
    public static Map<String, NpzArray> readNpz(Path file) {
        try (FileChannel ch = open(file)) {
            Map<String, NpzArray> out = new LinkedHashMap<>();
            for (ZipEntryInfo e : ZipDirectory.read(file.toString(), ch)) {
                if (!e.name().endsWith(".npy")) {
                    throw new DataException(file + ": entry '" + e.name() + "' is not an .npy array");
                }
                String array = e.name().substring(0, e.name().length() - 4);
                String where = file + ": array '" + array + "'";
                out.put(array, entry(where, ch, e));
            }
            if (out.isEmpty()) {
                throw new DataException(file + ": the archive holds no arrays");
            }
            return out;
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static NpzArray entry(String where, FileChannel ch, ZipEntryInfo e) throws IOException {
        long dataStart = e.dataOffset();
        if (dataStart + e.compressedSize() > ch.size()) {
            throw new DataException(where + ": truncated: the entry's data ends beyond the end of the file");
        }
        if (e.method() == 0) {
            byte[] pre = new byte[NpyHeader.PREAMBLE];
            int got = readAt(ch, dataStart, pre);
            int len = NpyHeader.length(where, pre, Math.min(got, (int) Math.min(e.size(), NpyHeader.PREAMBLE)));
            if (len > e.size()) {
                throw new DataException(where + ": truncated .npy header");
            }
            byte[] head = new byte[len];
            readAt(ch, dataStart, head);
            NpyHeader h = NpyHeader.parse(where, head, len);
            BufferArray a = mapped(where, ch, dataStart, e.size(), h);
            return wrap(e.name(), h, a);
        }
        if (e.method() != 8) {
            throw new DataException(where + ": compression method " + e.method() + " is not supported (only stored and deflated)");
        }
        InputStream raw = Channels.newInputStream(ch.position(dataStart));
        CheckedInputStream in = new CheckedInputStream(new InflaterInputStream(new Bounded(raw, e.compressedSize()),
                new Inflater(true), 1 << 16), new CRC32());
        try {
            byte[] pre = readFully(where, in, NpyHeader.PREAMBLE);
            int len = NpyHeader.length(where, pre, pre.length);
            byte[] head = Arrays.copyOf(pre, len);
            byte[] rest = readFully(where, in, len - NpyHeader.PREAMBLE);
            System.arraycopy(rest, 0, head, NpyHeader.PREAMBLE, rest.length);
            NpyHeader h = NpyHeader.parse(where, head, len);
            long bytes = h.dataBytes();
            if (len + bytes != e.size()) {
                throw new DataException(where + ": the header announces " + bytes + " bytes of data but the entry holds "
                        + (e.size() - len));
            }
            List<ByteBuffer> chunks = new ArrayList<>();
            for (long done = 0; done < bytes || chunks.isEmpty(); ) {
                int n = (int) Math.min(BufferArray.CHUNK, bytes - done);
                chunks.add(ByteBuffer.wrap(readFully(where, in, n)));
                done += n;
            }
            if (in.read() >= 0) {
                throw new DataException(where + ": more data than the header announces");
            }
            if (in.getChecksum().getValue() != e.crc()) {
                throw new DataException(where + ": corrupt: CRC mismatch");
            }
            BufferArray a = BufferArray.ofChunks(h.type() != null ? h.type() : ElementType.I4, chunks.toArray(ByteBuffer[]::new),
                    numberShape(h));
            return wrap(e.name(), h, a);
        } catch (java.util.zip.ZipException ex) {
            throw new DataException(where + ": corrupt compressed data (" + ex.getMessage() + ")", ex);
        }
    }

    private static NpzArray wrap(String entry, NpyHeader h, BufferArray a) {
        String name = entry.substring(0, entry.length() - 4);
        if (h.type() != null) {
            return new NpzArray(name, a, null);
        }
        List<String> strings = new ArrayList<>();
        double[] cps = new double[h.stringWidth()];
        for (int i = 0; i < a.count(); i++) {
            a.read(i, cps, 0);
            StringBuilder sb = new StringBuilder();
            for (double cp : cps) {
                if (cp == 0) {
                    break;
                }
                sb.appendCodePoint((int) cp);
            }
            strings.add(sb.toString());
        }
        return new NpzArray(name, null, strings);
    }

    /** A numeric array's shape; a string array is read as code points {@code [count, width]}. */
    private static long[] numberShape(NpyHeader h) {
        if (h.type() != null) {
            return h.shape().length == 0 ? new long[] {1} : h.shape();
        }
        long count = 1;
        for (long d : h.shape()) {
            count *= d;
        }
        return new long[] {count, h.stringWidth()};
    }

    private static BufferArray mapped(String where, FileChannel ch, long start, long available, NpyHeader h) throws IOException {
        long bytes = h.dataBytes();
        if (h.dataOffset() + bytes > available) {
            throw new DataException(where + ": truncated: the header announces " + bytes + " bytes of data, "
                    + (available - h.dataOffset()) + " are there");
        }
        return BufferArray.mapped(ch, start + h.dataOffset(), h.type() != null ? h.type() : ElementType.I4, numberShape(h));
    }

    private static FileChannel open(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": file not found");
        } catch (IOException e) {
            throw new DataException(file + ": cannot open: " + e.getMessage(), e);
        }
    }

    static int readAt(FileChannel ch, long pos, byte[] dest) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(dest);
        while (b.hasRemaining()) {
            int r = ch.read(b, pos + b.position());
            if (r < 0) {
                break;
            }
        }
        return b.position();
    }

    private static byte[] readFully(String where, InputStream in, int n) throws IOException {
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
            got = -1;
        }
        if (got < n) {
            throw new DataException(where + ": truncated compressed data");
        }
        return b;
    }

    /** At most {@code limit} bytes of a stream (one zip entry's compressed data). */
    private static final class Bounded extends InputStream {
        private final InputStream in;
        private long left;

        Bounded(InputStream in, long limit) {
            this.in = in;
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int r = in.read(b, off, (int) Math.min(len, left));
            if (r > 0) {
                left -= r;
            }
            return r;
        }
    }

    /** Little-endian reads from a byte array. */
    static long le(byte[] b, int off, int n) {
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }
}
