package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;

import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A user array handed to a oneDNN primitive in the layout the primitive asked for: used as it is when the layouts
 * agree, else reordered into (or out of) this thread's scratch buffer for its role. A call's staged copies live
 * only during the call, so every shape shares the scratch buffers: memory grows with the largest shape, not with
 * the number of shapes (each sub-batch size would otherwise keep buffers of its own), and the same buffers stay in
 * cache from one convolution to the next.
 */
final class OneDnnStaged {
    /** Roles of the arrays one call stages at the same time (a call never uses one role twice). */
    static final int SRC = 0;
    static final int DST = 1;
    static final int GRAD_OUT_FOR_DATA = 2;
    static final int GRAD_IN = 3;
    static final int GRAD_OUT_FOR_WEIGHTS = 4;
    static final int SRC_FOR_WEIGHTS = 5;
    static final int GRAD_WEIGHTS = 6;
    private static final int ROLES = 7;

    private static final ThreadLocal<OneDnn.Buffer[]> SCRATCH = ThreadLocal.withInitial(() -> new OneDnn.Buffer[ROLES]);

    private final dnnl_memory user;
    private final dnnl_memory inner;
    private final dnnl_primitive reorder;
    private final int role;
    private final long bytes;

    /** {@code into}: the primitive reads the array (reorder user -> inner); else it writes it (inner -> user). */
    OneDnnStaged(dnnl_memory_desc_t userMd, dnnl_memory_desc_t innerMd, boolean into, int role) {
        this.role = role;
        user = OneDnn.memory(userMd, null);
        bytes = dnnl_memory_desc_get_size(innerMd);
        if (dnnl_memory_desc_equal(userMd, innerMd) == 1) {
            inner = user;
            reorder = null;
        } else {
            inner = OneDnn.memory(innerMd, null);
            reorder = OneDnn.primitive(into ? OneDnn.reorderDesc(userMd, innerMd) : OneDnn.reorderDesc(innerMd, userMd));
        }
    }

    private static Pointer scratch(int role, long bytes) {
        OneDnn.Buffer[] b = SCRATCH.get();
        if (b[role] == null || b[role].bytes() < bytes) {
            b[role] = OneDnn.alignedBuffer(bytes);
        }
        return b[role].data();
    }

    /** Points at a and copies it in: the memory to give the primitive. */
    dnnl_memory in(INDArray a) {
        dnnl_memory m = target(a);
        if (reorder != null) {
            OneDnn.execute(reorder, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory[] {user, inner});
        }
        return m;
    }

    /** Points at a, to receive the primitive's result with {@link #out()}: the memory to give the primitive. */
    dnnl_memory target(INDArray a) {
        OneDnn.point(user, a);
        if (reorder != null) {
            OneDnn.pointAt(inner, scratch(role, bytes));
        }
        return inner;
    }

    /** Copies the primitive's result into the array given to {@link #target}. */
    void out() {
        if (reorder != null) {
            OneDnn.execute(reorder, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory[] {inner, user});
        }
    }
}
