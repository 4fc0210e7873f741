package dev.adnet.runtime.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * A {@link SampleArray} over little-endian bytes in C order: in memory, or memory-mapped from a file so that data
 * larger than the heap is paged in as it is read. The bytes are held in chunks of at most 1 GiB (one
 * {@link ByteBuffer} cannot address more than 2 GiB); every element type's width divides the chunk size, so no
 * element straddles two chunks.
 */
public final class BufferArray implements SampleArray {
    static final int CHUNK_BITS = 30;
    static final long CHUNK = 1L << CHUNK_BITS;

    private final ElementType type;
    private final int count;
    private final long[] sampleShape;
    private final int elements;
    private final ByteBuffer[] chunks;

    private BufferArray(ElementType type, long[] shape, ByteBuffer[] chunks) {
        if (shape.length == 0) {
            throw new IllegalArgumentException("an array of samples needs a first (sample) dimension");
        }
        this.type = type;
        this.count = Math.toIntExact(shape[0]);
        this.sampleShape = Arrays.copyOfRange(shape, 1, shape.length);
        long e = 1;
        for (long d : sampleShape) {
            e *= d;
        }
        this.elements = Math.toIntExact(e);
        this.chunks = chunks;
        long have = 0;
        for (ByteBuffer c : chunks) {
            have += c.capacity();
        }
        if (have < (long) count * elements * type.width()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + (long) count * elements
                    * type.width() + " bytes, got " + have);
        }
    }

    /** Little-endian bytes in memory ({@code bytes.length < 2 GiB}); {@code shape} starts with the sample count. */
    public static BufferArray of(ElementType type, ByteBuffer bytes, long... shape) {
        return new BufferArray(type, shape, split(bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN)));
    }

    /** Maps {@code length} bytes of {@code channel} from {@code offset} read-only. */
    public static BufferArray mapped(FileChannel channel, long offset, ElementType type, long... shape) throws IOException {
        long length = type.width();
        for (long d : shape) {
            length *= d;
        }
        int n = (int) ((length + CHUNK - 1) / CHUNK);
        ByteBuffer[] chunks = new ByteBuffer[Math.max(1, n)];
        if (n == 0) {
            chunks[0] = ByteBuffer.allocate(0);
        }
        for (int i = 0; i < n; i++) {
            long from = (long) i * CHUNK;
            chunks[i] = channel.map(FileChannel.MapMode.READ_ONLY, offset + from, Math.min(CHUNK, length - from))
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        return new BufferArray(type, shape, chunks);
    }

    /** Float values, {@code shape} starting with the sample count. */
    public static BufferArray of(float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return of(ElementType.F4, b, checked(values.length, shape));
    }

    public static BufferArray of(double[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return of(ElementType.F8, b, checked(values.length, shape));
    }

    /** Integer values (class indices, for instance), {@code shape} starting with the sample count. */
    public static BufferArray of(int[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        return of(ElementType.I4, b, checked(values.length, shape));
    }

    /** Unsigned bytes (pixels, divided by 255 before normalisation), {@code shape} starting with the sample count. */
    public static BufferArray ofUnsigned(byte[] values, long... shape) {
        return of(ElementType.U1, ByteBuffer.wrap(values), checked(values.length, shape));
    }

    private static long[] checked(long have, long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != have) {
            throw new IllegalArgumentException(have + " values do not make an array of shape " + Arrays.toString(shape));
        }
        return shape;
    }

    /** Chunks of exactly {@link #CHUNK} bytes each but the last (an inflated array larger than 2 GiB). */
    static BufferArray ofChunks(ElementType type, ByteBuffer[] chunks, long... shape) {
        ByteBuffer[] le = new ByteBuffer[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            le[i] = chunks[i].duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
        return new BufferArray(type, shape, le);
    }

    private static ByteBuffer[] split(ByteBuffer b) {
        return new ByteBuffer[] {b.slice().order(ByteOrder.LITTLE_ENDIAN)};
    }

    @Override
    public int count() {
        return count;
    }

    @Override
    public long[] sampleShape() {
        return sampleShape.clone();
    }

    @Override
    public int sampleElements() {
        return elements;
    }

    @Override
    public ElementType type() {
        return type;
    }

    @Override
    public void read(int sample, double[] dest, int off) {
        long first = (long) sample * elements;
        for (int k = 0; k < elements; k++) {
            dest[off + k] = get(first + k);
        }
    }

    @Override
    public double scalar(int sample) {
        return get((long) sample * elements);
    }

    /** Element {@code index} of the whole array, in C order. */
    public double get(long index) {
        long pos = index * type.width();
        ByteBuffer c = chunks[(int) (pos >>> CHUNK_BITS)];
        int p = (int) (pos & (CHUNK - 1));
        return switch (type) {
            case U1 -> c.get(p) & 0xff;
            case I4 -> c.getInt(p);
            case I8 -> c.getLong(p);
            case F4 -> c.getFloat(p);
            case F8 -> c.getDouble(p);
        };
    }
}
