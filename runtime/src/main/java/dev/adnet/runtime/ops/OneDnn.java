package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_sum;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_iterator_ends;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_iterator_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_iterator_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_iterator_fetch;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_iterator_next;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_impl_info_str;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc_iterator;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * oneDNN 2.5 called directly, through JavaCPP's {@code org.bytedeco:dnnl} preset: the CPU backend's way to run a
 * primitive with descriptors built once per shape, layouts and algorithms of our choosing, which libnd4j's ops
 * (oneDNN 2.3 inside, descriptors rebuilt on every call) do not expose. It runs on libnd4j's OpenMP runtime (the
 * same {@code libgomp.so.1}) and on ND4J's buffers, so no data is copied in or out.
 *
 * <p>Used when its native library loads and {@code -Dadnet.onednn=false} is not set; every caller falls back to
 * libnd4j otherwise, and for what it does not take (DOUBLE, groups, views with an offset).
 */
final class OneDnn {
    private OneDnn() {}

    private static final dnnl_engine ENGINE = load();

    /** One stream per thread: a stream is an in-order queue, not to be shared by threads running at once. */
    private static final ThreadLocal<dnnl_stream> STREAM = ThreadLocal.withInitial(() -> {
        dnnl_stream s = new dnnl_stream();
        check(dnnl_stream_create(s, ENGINE, dnnl_stream_default_flags), "stream");
        return s;
    });

    private static dnnl_engine load() {
        if (!Boolean.parseBoolean(System.getProperty("adnet.onednn", "true"))) {
            return null;
        }
        try {
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            dnnl_engine e = new dnnl_engine();
            check(dnnl_engine_create(e, dnnl_cpu, 0), "engine");
            return e;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | IllegalStateException e) {
            return null; // no native library for this platform: libnd4j's ops serve
        }
    }

    /** The CPU engine (null when {@link #available} is false). */
    static dnnl_engine engine() {
        return ENGINE;
    }

    /** Whether oneDNN is loaded and enabled. */
    static boolean available() {
        return ENGINE != null;
    }

    /**
     * A FLOAT dense c-order array whose buffer pointer is at its first element (what {@link #point} can hand to
     * oneDNN): an array of its own, or a range of rows of one (a gate's window of the batch, see
     * {@code BatchOrder}), whose ND4J buffer starts at the view's offset.
     */
    static boolean takes(INDArray a) {
        return a.dataType() == DataType.FLOAT && Direct.isDense(a)
                && (a.offset() == 0 || a.data().addressPointer().address() == a.data().address() + 4 * a.offset());
    }

    /** {@code a} itself if {@link #takes} it, else a dense copy (null stays null). */
    static INDArray dense(INDArray a) {
        return a == null || takes(a) ? a : a.dup('c');
    }

    /** {@code a} itself if {@link #takes} it, else a new array of its shape to be copied back with {@link #writeBack}. */
    static INDArray target(INDArray a) {
        return a == null || takes(a) ? a : Nd4j.createUninitialized(DataType.FLOAT, a.shape());
    }

    /** Copies a {@link #target} into the array it stands for, if it is not that array. */
    static void writeBack(INDArray target, INDArray a) {
        if (target != null && target != a) {
            a.assign(target);
        }
    }

    /** Most shapes one thread keeps: beyond it, its least recently used primitives are dropped. */
    static final int CAPACITY = 1024;

    /**
     * Primitives (or anything built once per shape) by key, made on a thread's first use of the key: per thread, a
     * least-recently-used map of at most {@link #CAPACITY} entries. Per thread for two reasons. oneDNN's default
     * (library) scratchpad is the creating thread's, so a primitive is run only on the thread that made it (oneDNN's
     * own primitive cache makes a second thread's copy cheap: the kernels are not generated again). And the memory
     * objects kept next to a primitive are pointed at each call's arrays, so threads running networks at once need
     * their own; with them, their calls run side by side, without a lock.
     */
    static final class Cache<K, V> {
        private final Function<K, V> make;
        private final ThreadLocal<Map<K, V>> byKey = ThreadLocal.withInitial(() -> new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > CAPACITY;
            }
        });

        Cache(Function<K, V> make) {
            this.make = make;
        }

        /** This thread's value for {@code key}, made now if it has none. */
        V get(K key) {
            return byKey.get().computeIfAbsent(key, make);
        }
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN: " + what + " failed with status " + status);
        }
    }

    /** A plain FLOAT memory descriptor of the given dimensions and format tag. */
    static dnnl_memory_desc_t desc(long[] dims, int tag) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(d, dims.length, dims, dnnl_f32, tag), "memory descriptor");
        return d;
    }

    static dnnl_primitive_desc primitiveDesc(Pointer opDesc) {
        return primitiveDesc(opDesc, null);
    }

    /** A primitive descriptor; a backward one takes its forward's as the hint ({@code null} otherwise). */
    static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_desc hint) {
        return primitiveDesc(opDesc, null, hint);
    }

    /**
     * A primitive descriptor with attributes (post-ops; null for none): of oneDNN's implementations, in its order of
     * preference, the first direct JIT kernel ({@code jit:...}, {@code jit_1x1:...}), else its first choice. Why:
     * oneDNN 2.5 ranks its brgemm convolution ({@code brgconv}) first on AVX-512, and on this project's shapes it
     * is slower, most of all at batch sizes that are not a multiple of 16, which are what batch compaction (gates,
     * exits) produces: channels-last forward, 16 channels at 28x28, batch 177: 3.68 ms brgconv against 1.77 ms
     * {@code jit:avx512_common}; batch 128: 1.56 against 1.42 (docs/benchmarks.md). A fixed rule rather than
     * timing each candidate keeps the choice, and so the results' rounding, the same from run to run.
     */
    static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_attr attr, dnnl_primitive_desc hint) {
        return primitiveDesc(opDesc, attr, hint, "jit");
    }

    /**
     * {@link #primitiveDesc(Pointer, dnnl_primitive_attr, dnnl_primitive_desc)} preferring the first implementation
     * whose name starts with {@code preferred} (with {@link #preferJit}; else oneDNN's first choice).
     */
    static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_attr attr, dnnl_primitive_desc hint,
            String preferred) {
        dnnl_primitive_desc_iterator it = new dnnl_primitive_desc_iterator();
        check(dnnl_primitive_desc_iterator_create(it, new const_dnnl_op_desc_t(opDesc), attr, ENGINE, hint),
                "primitive descriptor iterator");
        try {
            dnnl_primitive_desc first = dnnl_primitive_desc_iterator_fetch(it);
            if (!preferJit || implementation(first).startsWith(preferred)) {
                return first;
            }
            while (dnnl_primitive_desc_iterator_next(it) != dnnl_iterator_ends) {
                dnnl_primitive_desc pd = dnnl_primitive_desc_iterator_fetch(it);
                if (implementation(pd).startsWith(preferred)) {
                    dnnl_primitive_desc_destroy(first);
                    return pd;
                }
                dnnl_primitive_desc_destroy(pd);
            }
            return first;
        } finally {
            dnnl_primitive_desc_iterator_destroy(it);
        }
    }

    /**
     * Whether {@link #primitiveDesc} prefers the direct JIT kernels over oneDNN's first choice
     * ({@code -Dadnet.onednn.preferJit=false} turns it off, to compare the two in separate processes: primitives are
     * cached with the kernel they were built with).
     */
    static boolean preferJit = Boolean.parseBoolean(System.getProperty("adnet.onednn.preferJit", "true"));

    /** The name of a primitive descriptor's implementation, as oneDNN's verbose mode prints it. */
    static String implementation(dnnl_primitive_desc pd) {
        try (PointerPointer<BytePointer> name = new PointerPointer<>(1)) {
            check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, name), "implementation name");
            return name.getString(0);
        }
    }

    /** Attributes that apply a ReLU to the primitive's result before it is written. */
    /**
     * Attributes for a result added to what the destination holds ({@code sum}: {@code dst = result + dst}) and/or
     * passed through a ReLU, in that order; null for neither.
     */
    static dnnl_primitive_attr postOps(boolean sum, boolean relu) {
        if (!sum && !relu) {
            return null;
        }
        dnnl_post_ops ops = new dnnl_post_ops();
        check(dnnl_post_ops_create(ops), "post-ops");
        if (sum) {
            check(dnnl_post_ops_append_sum(ops, 1f), "sum post-op");
        }
        if (relu) {
            check(dnnl_post_ops_append_eltwise(ops, 1f, dnnl_eltwise_relu, 0f, 0f), "ReLU post-op");
        }
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "attributes");
        check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post-ops");
        return attr;
    }

    static dnnl_primitive_desc reorderDesc(dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, from, ENGINE, to, ENGINE, null), "reorder descriptor");
        return pd;
    }

    static dnnl_primitive primitive(dnnl_primitive_desc pd) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), "primitive");
        return p;
    }

    /**
     * A buffer for oneDNN's own layouts, aligned to 64 bytes as oneDNN's kernels may require (ND4J's buffers start 16
     * bytes past a cache line); {@code array} keeps the memory alive, {@code data} points into it.
     */
    record Buffer(INDArray array, Pointer data, long bytes) {}

    static Buffer alignedBuffer(long bytes) {
        INDArray a = Nd4j.createUninitialized(DataType.FLOAT, (bytes + 3) / 4 + 16);
        long base = a.data().addressPointer().address();
        return new Buffer(a, new Address(base + (64 - base % 64) % 64), bytes);
    }

    /** A pointer to a fixed native address (no memory of its own). */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }

    /** A memory object over {@code data} (null: to be pointed at an array by {@link #point} before use). */
    static dnnl_memory memory(dnnl_memory_desc_t d, Pointer data) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, d, ENGINE, data == null ? new Pointer() : data), "memory");
        return m;
    }

    /** Points a memory object at an array's first element (an array {@link #takes}: see the callers' checks). */
    static void point(dnnl_memory m, INDArray a) {
        check(dnnl_memory_set_data_handle(m, a.data().addressPointer()), "set data handle");
    }

    /** Points a memory object at native memory (a {@link Buffer}'s data). */
    static void pointAt(dnnl_memory m, Pointer data) {
        check(dnnl_memory_set_data_handle(m, data), "set data handle");
    }

    /**
     * Runs a primitive with its arguments on this thread's stream and waits for it; an argument whose memory is null
     * is left out (an optional bias).
     */
    static void execute(dnnl_primitive p, int[] args, dnnl_memory[] memories) {
        int n = 0;
        for (dnnl_memory m : memories) {
            n += m == null ? 0 : 1;
        }
        dnnl_exec_arg_t a = new dnnl_exec_arg_t(n);
        for (int i = 0, j = 0; i < args.length; i++) {
            if (memories[i] != null) {
                a.position(j++).arg(args[i]).memory(memories[i]);
            }
        }
        a.position(0);
        dnnl_stream s = STREAM.get();
        check(dnnl_primitive_execute(p, s, n, a), "execute");
        check(dnnl_stream_wait(s), "wait");
        a.close();
    }

    /**
     * {@link #execute} on the calling thread alone. This oneDNN runs on OpenMP (bytedeco's {@code libdnnl} calls
     * {@code GOMP_parallel}; one {@code libgomp}, libnd4j's, is mapped), so a call forks and joins the OpenMP team,
     * whose workers sleep between calls: for a small primitive that costs more than it saves (an exit head's
     * {@code [256, 784] x [784, 10]} inner product right after a convolution: 151 us on one thread, 273 on two;
     * {@code ExitHeadBenchmark}, docs/benchmarks.md, session 8). The OpenMP thread count is a per-thread setting read
     * when a primitive runs; it is restored after.
     */
    static void executeOnOneThread(dnnl_primitive p, int[] args, dnnl_memory[] memories) {
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int threads = ops.ompGetMaxThreads();
        if (threads <= 1) {
            execute(p, args, memories);
            return;
        }
        ops.setOmpNumThreads(1);
        try {
            execute(p, args, memories);
        } finally {
            ops.setOmpNumThreads(threads);
        }
    }
}
