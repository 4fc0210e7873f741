package dev.adnet.runtime.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy's {@code .npy} format, version 1.0, for FLOAT ({@code <f4}) and DOUBLE ({@code <f8}) arrays in c-order:
 * the magic {@code \x93NUMPY}, version 1 0, a little-endian uint16 header length, a Python dict literal padded with
 * spaces and a newline to a multiple of 64 bytes, then the little-endian data.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    public static byte[] toBytes(INDArray a) {
        DataType t = a.dataType();
        String descr;
        int width;
        if (t == DataType.FLOAT) {
            descr = "<f4";
            width = 4;
        } else if (t == DataType.DOUBLE) {
            descr = "<f8";
            width = 8;
        } else {
            throw new IllegalArgumentException("only FLOAT and DOUBLE arrays can be stored, got " + t);
        }
        long[] shape = a.shape();
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            s.append(shape[i]).append(shape.length == 1 ? "," : i + 1 < shape.length ? ", " : "");
        }
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + s + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        int total = (unpadded + 63) / 64 * 64;
        String header = dict + " ".repeat(total - unpadded) + "\n";
        long n = a.length();
        if (n > (Integer.MAX_VALUE - total) / width) {
            // one entry is one byte array; the compiler allows parameters of up to 2^31 - 1 elements, so this is a
            // real limit of checkpoints (about 537 million FLOAT or 268 million DOUBLE elements per tensor)
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "an array of %,d %s elements is "
                    + "%,d bytes as .npy, more than the %,d one checkpoint entry can hold", n, t, total + n * width,
                    Integer.MAX_VALUE));
        }
        ByteBuffer b = ByteBuffer.allocate((int) (total + n * width)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        INDArray c = a.dup('c');
        if (width == 4) {
            for (float f : c.data().asFloat()) {
                b.putFloat(f);
            }
        } else {
            for (double d : c.data().asDouble()) {
                b.putDouble(d);
            }
        }
        return b.array();
    }

    /** Parses an array; {@code name} is used in error messages. */
    public static INDArray fromBytes(String name, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), MAGIC)) {
            throw new CheckpointException(name + ": not an .npy array (bad magic)");
        }
        int major = bytes[6];
        if (major != 1) {
            throw new CheckpointException(name + ": unsupported .npy version " + major + "." + bytes[7]);
        }
        int hlen = b.getShort(8) & 0xffff;
        if (10 + hlen > bytes.length) {
            throw new CheckpointException(name + ": truncated .npy header");
        }
        String header = new String(bytes, 10, hlen, StandardCharsets.US_ASCII);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new CheckpointException(name + ": malformed .npy header: " + header.trim());
        }
        if (f.group(1).equals("True")) {
            throw new CheckpointException(name + ": Fortran-ordered arrays are not supported");
        }
        int width = switch (d.group(1)) {
            case "<f4" -> 4;
            case "<f8" -> 8;
            default -> throw new CheckpointException(name + ": unsupported dtype " + d.group(1) + " (expected <f4 or <f8)");
        };
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            if (!part.isBlank()) {
                try {
                    dims.add(Long.parseLong(part.trim()));
                } catch (NumberFormatException e) {
                    throw new CheckpointException(name + ": malformed shape (" + s.group(1) + ")");
                }
            }
        }
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long x : shape) {
            if (x < 0 || x > 0 && n > Integer.MAX_VALUE / x) {
                // a wrapped count could match the entry's length and read a wrong array
                throw new CheckpointException(name + ": shape " + Arrays.toString(shape) + " is not an array this runtime "
                        + "can hold (at most " + Integer.MAX_VALUE + " elements)");
            }
            n *= x;
        }
        long expected = 10L + hlen + n * width;
        if (bytes.length != expected) {
            throw new CheckpointException(name + ": expected " + expected + " bytes for shape " + Arrays.toString(shape)
                    + ", found " + bytes.length);
        }
        b.position(10 + hlen);
        if (width == 4) {
            float[] v = new float[(int) n];
            b.asFloatBuffer().get(v);
            return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, shape, 'c');
        }
        double[] v = new double[(int) n];
        b.asDoubleBuffer().get(v);
        return shape.length == 0 ? Nd4j.scalar(v[0]) : Nd4j.create(v, shape, 'c');
    }
}
