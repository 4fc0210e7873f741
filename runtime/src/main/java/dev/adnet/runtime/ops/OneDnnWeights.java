package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A parameter's weights in the layout a oneDNN primitive asked for, reordered again only when the parameter's values
 * changed since the last reorder (compared with a copy): a reorder is a oneDNN call of its own (~0.1 ms with its
 * threads' wake-up, ~2% of a gated network's inference when made on every call), the comparison a few
 * microseconds. Keyed by the parameter's native address, so that the sub-batch shapes of one convolution share one
 * copy, and by the layout (forward and backward primitives may ask for different ones).
 */
final class OneDnnWeights {
    private static final Map<Long, List<OneDnnWeights>> BY_ADDRESS = new HashMap<>();

    private final dnnl_memory_desc_t md;
    private final dnnl_primitive reorder;
    private final dnnl_memory user;
    /** The reordered weights, for the primitive's weights argument (valid after {@link #update}). */
    final dnnl_memory memory;
    /** Keeps the reordered weights' buffer alive as long as this. */
    private final OneDnn.Buffer buffer;
    private float[] seen;
    private float[] scratch;
    /** The {@link FoldedConv#version} of the last reorder by version, -1 after one by value. */
    private long seenVersion = -1;

    private OneDnnWeights(dnnl_memory_desc_t userMd, dnnl_memory_desc_t md, int length) {
        this.md = md;
        reorder = OneDnn.primitive(OneDnn.reorderDesc(userMd, md));
        buffer = OneDnn.alignedBuffer(dnnl_memory_desc_get_size(md));
        user = OneDnn.memory(userMd, null);
        memory = OneDnn.memory(md, buffer.data());
        scratch = new float[length];
    }

    /** The copy of {@code w} (a dense FLOAT array in {@code userMd}'s layout) in layout {@code md}. */
    static OneDnnWeights of(INDArray w, dnnl_memory_desc_t userMd, dnnl_memory_desc_t md) {
        long address = w.data().address();
        synchronized (BY_ADDRESS) {
            List<OneDnnWeights> forArray = BY_ADDRESS.get(address);
            if (forArray != null) {
                for (OneDnnWeights c : forArray) {
                    if (dnnl_memory_desc_equal(c.md, md) == 1) {
                        return c;
                    }
                }
            }
            if (BY_ADDRESS.size() >= OneDnn.CAPACITY) {
                BY_ADDRESS.clear(); // arrays come and go (tests, many networks): start over rather than grow
            }
            OneDnnWeights c = new OneDnnWeights(userMd, md, Math.toIntExact(w.length()));
            BY_ADDRESS.computeIfAbsent(address, a -> new ArrayList<>()).add(c);
            return c;
        }
    }

    /** Reorders w into this layout unless it holds the same values as at the last reorder. */
    synchronized void update(INDArray w) {
        w.data().asNioFloat().get(0, scratch);
        if (seen != null && Arrays.equals(scratch, seen)) {
            return;
        }
        reorder(w);
        float[] t = seen == null ? new float[scratch.length] : seen;
        seen = scratch;
        scratch = t;
        seenVersion = -1;
    }

    /**
     * Reorders w into this layout unless it was reordered at this version of its values: for weights whose owner
     * knows when they change ({@link FoldedConv}), without comparing them; a negative version compares the values
     * ({@link #update(INDArray)}).
     */
    synchronized void update(INDArray w, long version) {
        if (version < 0) {
            update(w);
            return;
        }
        if (version == seenVersion) {
            return;
        }
        reorder(w);
        seen = null;
        seenVersion = version;
    }

    private void reorder(INDArray w) {
        OneDnn.point(user, w);
        OneDnn.execute(reorder, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory[] {user, memory});
    }
}
