package dev.adnet.runtime.adaptive;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The order of a batch's rows during gated inference, which may differ from the input's: instead of gathering a
 * gate's open rows into a sub-batch, {@link #window} can swap rows so that the open ones fill a contiguous range
 * of the batch, and the block then runs on a view of that range. The batch stays in its new order (every op of
 * inference treats rows alike), {@link #original} names the input sample of a row, and {@link #restore} puts an
 * output back in input order.
 *
 * <p>Why: a gather copies each open row (read and write), a swap moves two rows, so a window pays when fewer than
 * half of the open rows lie outside the best range. Successive gates' decisions are correlated (an image that
 * needs one block tends to need the next), and after one window the batch is sorted by that gate's decision, so
 * later windows find most of their rows in place: on {@code fashion_aig}'s test images 23,491 rows are written
 * instead of 38,399 gathered, and adaptive inference is 1-3% faster (docs/benchmarks.md, session 9). A window
 * also lets a block whose body ends with a convolution add its result into the window's rows inside oneDNN, where
 * a gathered sub-batch needs a scatter-add afterwards (6-9% faster than gathers then, 13-16% with OpenMP's workers
 * spinning; session 10). The cost rule still counts rows moved only; on those test images it gathers at 4 of 273
 * gates.
 *
 * <p>The generated code lists every array that is read after the block (the block's input, the gate head's pooled
 * means, the decision, anything kept for later): all of them are permuted alike, each array once.
 */
public final class BatchOrder {
    /** When a gate's open rows are moved into a window rather than gathered. */
    public enum Policy {
        /** Always gather (the order never changes). */
        GATHER,
        /** A window when it moves fewer rows than the gather would copy (the default). */
        CHEAPER,
        /** A window whenever some rows are open and some closed (tests). */
        WINDOW
    }

    private static volatile Policy policy = parse(System.getProperty("adnet.gates.rows", "cheaper"));

    private final int[] sample;
    private boolean permuted;

    /** The identity order of a batch of {@code batch} rows. */
    public BatchOrder(long batch) {
        sample = new int[Math.toIntExact(batch)];
        for (int n = 0; n < sample.length; n++) {
            sample[n] = n;
        }
    }

    public static Policy policy() {
        return policy;
    }

    /** Sets the policy of every network in this process (the system property {@code adnet.gates.rows} at start). */
    public static void policy(Policy p) {
        policy = Objects.requireNonNull(p);
    }

    private static Policy parse(String s) {
        try {
            return Policy.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("adnet.gates.rows: expected gather, cheaper or window, got '" + s + "'", e);
        }
    }

    /** The input samples of the given rows of the current order, ascending. */
    public int[] original(int[] rows) {
        int[] o = new int[rows.length];
        for (int j = 0; j < rows.length; j++) {
            o[j] = sample[rows[j]];
        }
        if (permuted) {
            Arrays.sort(o);
        }
        return o;
    }

    /** Whether rows have moved: {@link #restore} then reorders. */
    public boolean permuted() {
        return permuted;
    }

    /**
     * Moves the open rows {@code rows} (ascending, distinct) into one contiguous range of every array in
     * {@code live} (each {@code [B, ...]}), if the policy says so: returns the range's first row, or -1 when the
     * caller should gather instead (nothing has moved then). The range is the one of {@code rows.length} rows that
     * already holds the most open rows; each open row outside it swaps with a closed row inside it.
     */
    public int window(int[] rows, INDArray... live) {
        int b = sample.length;
        int k = rows.length;
        Policy p = policy;
        if (p == Policy.GATHER || k == 0 || k == b) {
            return -1;
        }
        boolean[] open = new boolean[b];
        for (int r : rows) {
            if (r < 0 || r >= b || open[r]) {
                throw new IllegalArgumentException("rows must be distinct and in [0, " + b + "), got " + r);
            }
            open[r] = true;
        }
        int inside = 0;
        for (int n = 0; n < k; n++) {
            inside += open[n] ? 1 : 0;
        }
        int best = inside;
        int start = 0;
        for (int s = 1; s + k <= b; s++) {
            inside += (open[s + k - 1] ? 1 : 0) - (open[s - 1] ? 1 : 0);
            if (inside > best) {
                best = inside;
                start = s;
            }
        }
        int moves = k - best;
        // a swap writes two rows, a gather one per open row
        if (p == Policy.CHEAPER && 2 * moves >= k) {
            return -1;
        }
        int[] from = new int[moves];
        int[] to = new int[moves];
        for (int n = 0, i = 0, j = 0; n < b; n++) {
            boolean in = n >= start && n < start + k;
            if (open[n] && !in) {
                from[i++] = n;
            } else if (!open[n] && in) {
                to[j++] = n;
            }
        }
        List<INDArray> arrays = distinct(live, b);
        for (INDArray a : arrays) {
            swapRows(a, from, to);
        }
        for (int i = 0; i < moves; i++) {
            int t = sample[from[i]];
            sample[from[i]] = sample[to[i]];
            sample[to[i]] = t;
        }
        permuted |= moves > 0;
        return start;
    }

    /**
     * Each array once, after checking its batch size: one array may stand for several values (a block updated in
     * place), and two array objects may be the same memory; swapping such rows twice would undo the swap.
     */
    private static List<INDArray> distinct(INDArray[] live, int b) {
        Set<Long> seen = new HashSet<>();
        List<INDArray> out = new ArrayList<>();
        for (INDArray a : live) {
            if (a.rank() < 1 || a.size(0) != b) {
                throw new IllegalArgumentException("live array " + Arrays.toString(a.shape()) + ": expected " + b
                        + " rows");
            }
            Buffers.requireOut("live array", a, Buffers.floating("live array", a));
            if (seen.add(a.data().address() + a.offset() * a.data().getElementSize())) {
                out.add(a);
            }
        }
        return out;
    }

    /** The rows {@code [start, start + k)}. */
    public static int[] range(int start, int k) {
        int[] r = new int[k];
        for (int j = 0; j < k; j++) {
            r[j] = start + j;
        }
        return r;
    }

    /** A view of rows {@code [start, start + k)} of a dense c-order array (the same memory). */
    public static INDArray rows(INDArray x, long start, long k) {
        long[] shape = x.shape().clone();
        shape[0] = k;
        long inner = Buffers.inner(x);
        return Nd4j.create(x.data(), shape, x.stride(), x.offset() + start * inner, 'c');
    }

    /** A new array holding {@code out}'s rows in input order. */
    public INDArray restore(INDArray out) {
        if (!permuted) {
            return out.dup('c');
        }
        int[] at = new int[sample.length];
        for (int n = 0; n < sample.length; n++) {
            at[sample[n]] = n;
        }
        INDArray r = Nd4j.createUninitialized(out.dataType(), out.shape(), 'c');
        Compaction.gather(out, at, r);
        return r;
    }

    /** Bytes per copy through the scratch: the scratch stays in the L1 cache (48 KB here) while both rows stream. */
    private static final int CHUNK = 16_384;

    /** Each thread's scratch, kept: a native allocation per call costs a javacpp deallocator registration. */
    private static final ThreadLocal<BytePointer> SCRATCH = ThreadLocal.withInitial(() -> new BytePointer(CHUNK));

    /**
     * Swaps rows {@code from[i]} and {@code to[i]} of a, chunk by chunk through a small native scratch, in parallel
     * parts. Bytes, not elements: a swap does no arithmetic, so one loop serves every element type.
     *
     * <p>Why native copies: each chunk is three memcpy calls (row p to the scratch, q to p, the scratch to q), where
     * the same swap through heap arrays was four bulk copies with bounds checks; on [256, 28, 28, 16] float rows (58
     * pairs, one thread) 280 us against 400 per call, 41 against 29 GB/s moved, and 1.7x on 12.5 KB rows.
     */
    static void swapRows(INDArray a, int[] from, int[] to) {
        int inner = Buffers.inner(a);
        if (from.length == 0 || inner == 0) {
            return;
        }
        int size = a.data().getElementSize();
        long rowBytes = (long) inner * size;
        long base = (long) Buffers.off(a) * size;
        ByteBuffer bytes = a.data().asNio();
        // memcpy checks nothing: the rows are in [0, B) (window checked them), so the array must lie in its buffer
        if (base + a.size(0) * rowBytes > bytes.capacity()) {
            throw new IllegalArgumentException("array " + Arrays.toString(a.shape()) + " at offset " + a.offset()
                    + " exceeds its buffer");
        }
        Parallel.forSamples(from.length, 2L * inner, (i0, i1) -> {
            int chunk = (int) Math.min(rowBytes, CHUNK);
            BytePointer scratch = SCRATCH.get();
            try (Pointer p = new Pointer(bytes); Pointer q = new Pointer(bytes)) {
                for (int i = i0; i < i1; i++) {
                    long pAt = base + from[i] * rowBytes;
                    long qAt = base + to[i] * rowBytes;
                    for (long c = 0; c < rowBytes; c += chunk) {
                        long len = Math.min(chunk, rowBytes - c);
                        // a plain Pointer's position counts bytes, and memcpy starts at it
                        p.position(pAt + c);
                        q.position(qAt + c);
                        Pointer.memcpy(scratch, p, len);
                        Pointer.memcpy(p, q, len);
                        Pointer.memcpy(q, scratch, len);
                    }
                }
            }
        });
        Reference.reachabilityFence(a);
    }
}
