package dev.adnet.runtime.data;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The header of a NumPy {@code .npy} array (format versions 1 to 3): element type, shape and where the data starts.
 * Little-endian numbers ({@code u1 i4 i8 f4 f8}) in C order are read; fixed-width unicode strings ({@code <U}) only
 * for class names.
 *
 * @param type the element type, null for a string array
 * @param stringWidth characters per string of a {@code <Un} array, 0 otherwise
 * @param shape the whole array's shape
 * @param dataOffset bytes from the start of the file to the first element
 */
record NpyHeader(ElementType type, int stringWidth, long[] shape, int dataOffset) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Bytes needed to know the header's length. */
    static final int PREAMBLE = 12;

    /** The header's total length from the first {@link #PREAMBLE} bytes (fewer: the file is too short). */
    static int length(String name, byte[] preamble, int got) {
        if (got < 10 || !Arrays.equals(Arrays.copyOf(preamble, 6), MAGIC)) {
            throw new DataException(name + ": not a NumPy .npy array (" + (got < 10 ? "only " + got + " bytes" : "bad magic") + ")");
        }
        int major = preamble[6];
        if (major == 1) {
            return 10 + ((preamble[8] & 0xff) | (preamble[9] & 0xff) << 8);
        }
        if ((major == 2 || major == 3) && got >= 12) {
            long len = (preamble[8] & 0xffL) | (preamble[9] & 0xffL) << 8 | (preamble[10] & 0xffL) << 16 | (preamble[11] & 0xffL) << 24;
            if (len > 1 << 20) {
                throw new DataException(name + ": .npy header of " + len + " bytes is implausibly long");
            }
            return 12 + (int) len;
        }
        throw new DataException(name + ": unsupported .npy format version " + major);
    }

    /** Parses a whole header ({@code bytes} starts with the magic and holds at least the header). */
    static NpyHeader parse(String name, byte[] bytes, int headerLength) {
        int dictStart = bytes[6] == 1 ? 10 : 12;
        String dict = new String(bytes, dictStart, headerLength - dictStart, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(dict);
        Matcher f = FORTRAN.matcher(dict);
        Matcher s = SHAPE.matcher(dict);
        if (!d.find() || !f.find() || !s.find()) {
            throw new DataException(name + ": malformed .npy header: " + dict.trim());
        }
        if (f.group(1).equals("True")) {
            throw new DataException(name + ": Fortran-ordered array; save it in C order (numpy.ascontiguousarray)");
        }
        String descr = d.group(1);
        ElementType type = null;
        int width = 0;
        char order = descr.isEmpty() ? '?' : descr.charAt(0);
        String code = descr.length() > 1 ? descr.substring(1) : descr;
        if (code.startsWith("U") && order == '<') {
            try {
                width = Integer.parseInt(code.substring(1));
            } catch (NumberFormatException e) {
                width = -1;
            }
        } else {
            type = ElementType.ofCode(code);
            boolean endianOk = order == '<' || (order == '|' && type == ElementType.U1);
            if (type == null || !endianOk) {
                throw new DataException(name + ": element type '" + descr + "' is not supported; use little-endian "
                        + "u1, i4, i8, f4 or f8 (numpy: astype('<f4'), for instance)");
            }
        }
        if (type == null && width <= 0) {
            throw new DataException(name + ": element type '" + descr + "' is not supported");
        }
        String[] dims = s.group(1).split(",");
        long[] shape = Arrays.stream(dims).map(String::trim).filter(x -> !x.isEmpty()).mapToLong(x -> {
            try {
                long v = Long.parseLong(x);
                if (v < 0) {
                    throw new NumberFormatException();
                }
                return v;
            } catch (NumberFormatException e) {
                throw new DataException(name + ": malformed shape (" + s.group(1) + ") in the .npy header");
            }
        }).toArray();
        return new NpyHeader(type, width, shape, headerLength);
    }

    /** Bytes of data the header announces. */
    long dataBytes() {
        long n = type != null ? type.width() : 4L * stringWidth;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}
