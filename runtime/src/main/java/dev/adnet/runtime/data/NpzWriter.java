package dev.adnet.runtime.data;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes {@code .npz} archives as NumPy's {@code savez} (stored entries) or {@code savez_compressed} (deflated) do,
 * and single {@code .npy} arrays: to export a dataset, or to build test data.
 */
public final class NpzWriter {
    private final Map<String, byte[]> entries = new LinkedHashMap<>();

    /** Adds an array of little-endian {@code data} in C order; {@code shape} is the whole array's. */
    public NpzWriter add(String name, ElementType type, byte[] data, long... shape) {
        entries.put(name, npy("'<" + type.code() + "'", shape, data));
        return this;
    }

    public NpzWriter add(String name, float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return add(name, ElementType.F4, b.array(), shape);
    }

    public NpzWriter add(String name, double[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return add(name, ElementType.F8, b.array(), shape);
    }

    public NpzWriter add(String name, int[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return add(name, ElementType.I4, b.array(), shape);
    }

    public NpzWriter add(String name, long[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return add(name, ElementType.I8, b.array(), shape);
    }

    /** Unsigned bytes (pixels). */
    public NpzWriter addUnsigned(String name, byte[] values, long... shape) {
        entries.put(name, npy("'|u1'", shape, values));
        return this;
    }

    /** Strings, as NumPy's fixed-width unicode ({@code <Un}): class names, for instance. */
    public NpzWriter add(String name, List<String> strings) {
        int width = Math.max(1, strings.stream().mapToInt(s -> s.codePointCount(0, s.length())).max().orElse(1));
        ByteBuffer b = ByteBuffer.allocate(strings.size() * width * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < strings.size(); i++) {
            b.position(i * width * 4);
            strings.get(i).codePoints().forEach(b::putInt);
        }
        entries.put(name, npy("'<U" + width + "'", new long[] {strings.size()}, b.array()));
        return this;
    }

    /** Writes the archive; {@code deflate} compresses every entry (then it is read into memory, not mapped). */
    public void write(Path file, boolean deflate) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry z = new ZipEntry(e.getKey() + ".npy");
                byte[] bytes = e.getValue();
                if (!deflate) {
                    z.setMethod(ZipEntry.STORED);
                    z.setSize(bytes.length);
                    z.setCompressedSize(bytes.length);
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    z.setCrc(crc.getValue());
                }
                zip.putNextEntry(z);
                zip.write(bytes);
                zip.closeEntry();
            }
        }
    }

    /** Writes one array as an {@code .npy} file. */
    public static void writeNpy(Path file, ElementType type, byte[] data, long... shape) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(npy(type == ElementType.U1 ? "'|u1'" : "'<" + type.code() + "'", shape, data));
        }
    }

    /** The {@code .npy} header for {@code shape} (version 1.0, padded to 64 bytes). */
    public static byte[] header(String descr, long[] shape) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            s.append(shape[i]).append(shape.length == 1 ? "," : i + 1 < shape.length ? ", " : "");
        }
        String dict = "{'descr': " + descr + ", 'fortran_order': False, 'shape': (" + s + "), }";
        int unpadded = 10 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    private static byte[] npy(String descr, long[] shape, byte[] data) {
        byte[] h = header(descr, shape);
        byte[] all = new byte[h.length + data.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(data, 0, all, h.length, data.length);
        return all;
    }
}
