package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_auto;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_iterator_ends;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_iterator_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_iterator_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_iterator_fetch;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_iterator_next;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc_iterator;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every implementation oneDNN offers for one convolution's forward (training), backward data and backward weights
 * (direct and "auto" algorithm), each run on random values, min and median ms of 15 calls after 3 warm-up calls:
 * the measurements behind {@link OneDnn#primitiveDesc}'s preference for the direct JIT kernels over brgconv.
 * Channels-last by default; {@code any} as the seventh argument lets oneDNN pick the layouts (blocked).
 *
 * <pre>
 * OMP_WAIT_POLICY=PASSIVE java -cp "runtime/target/test-classes:runtime/target/classes:$(cat runtime/target/cp.txt)" \
 *     dev.adnet.runtime.ops.ConvImplementationBenchmark BATCH IN_CHANNELS OUT_CHANNELS SIZE KERNEL STRIDE [any]
 * </pre>
 */
public final class ConvImplementationBenchmark {
    private ConvImplementationBenchmark() {}

    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]);
        int c = Integer.parseInt(a[1]);
        int oc = Integer.parseInt(a[2]);
        int hw = Integer.parseInt(a[3]);
        int k = Integer.parseInt(a[4]);
        int s = Integer.parseInt(a[5]);
        boolean blocked = a.length > 6 && a[6].equals("any");
        ConvGeometry g = ConvGeometry.of(k, s, k / 2);
        long ohw = (hw + 2 * (k / 2) - k) / s + 1;
        ConvShape sh = new ConvShape(n, c, hw, hw, oc, ohw, ohw, g, false);
        int tag = blocked ? dnnl_format_tag_any : dnnl_nhwc;
        dnnl_memory_desc_t src = OneDnn.desc(sh.srcDims(), tag);
        dnnl_memory_desc_t dst = OneDnn.desc(sh.dstDims(), tag);
        dnnl_memory_desc_t w = OneDnn.desc(sh.weightDims(), dnnl_format_tag_any);
        dnnl_convolution_desc_t fd = new dnnl_convolution_desc_t();
        OneDnn.check(dnnl_dilated_convolution_forward_desc_init(fd, dnnl_forward_training, dnnl_convolution_direct, src, w, null, dst,
                sh.strides(), sh.dilation(), sh.padBefore(), sh.padAfter()), "fwd");
        dnnl_primitive_desc hint = OneDnn.primitiveDesc(fd, null);
        run("fwd", fd, null, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                new int[] {dnnl_query_src_md, dnnl_query_weights_md, dnnl_query_dst_md});
        dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
        OneDnn.check(dnnl_dilated_convolution_backward_data_desc_init(dd, dnnl_convolution_direct, src, w, dst,
                sh.strides(), sh.dilation(), sh.padBefore(), sh.padAfter()), "bwd d");
        run("bwd_data", dd, hint, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                new int[] {dnnl_query_diff_dst_md, dnnl_query_weights_md, dnnl_query_diff_src_md});
        for (int alg : new int[] {dnnl_convolution_direct, dnnl_convolution_auto}) {
            dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
            OneDnn.check(dnnl_dilated_convolution_backward_weights_desc_init(wd, alg, src, w, null, dst,
                    sh.strides(), sh.dilation(), sh.padBefore(), sh.padAfter()), "bwd w");
            run("bwd_weights" + (alg == dnnl_convolution_auto ? "/auto" : ""), wd, hint,
                    new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS},
                    new int[] {dnnl_query_src_md, dnnl_query_diff_dst_md, dnnl_query_diff_weights_md});
        }
    }

    private static void run(String what, Pointer desc, dnnl_primitive_desc hint, int[] args, int[] queries) {
        dnnl_primitive_desc_iterator it = new dnnl_primitive_desc_iterator();
        OneDnn.check(dnnl_primitive_desc_iterator_create(it, new const_dnnl_op_desc_t(desc), null, OneDnn.engine(), hint),
                "iterator");
        Set<String> seen = new HashSet<>();
        do {
            dnnl_primitive_desc pd = dnnl_primitive_desc_iterator_fetch(it);
            String name = OneDnn.implementation(pd);
            if (!seen.add(name) || name.startsWith("ref")) {
                continue; // the reference kernels take seconds
            }
            dnnl_primitive prim = OneDnn.primitive(pd);
            dnnl_memory[] mems = new dnnl_memory[args.length];
            List<OneDnn.Buffer> keep = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                dnnl_memory_desc_t md = dnnl_primitive_desc_query_md(pd, queries[i], 0);
                OneDnn.Buffer b = OneDnn.alignedBuffer(dnnl_memory_desc_get_size(md));
                keep.add(b);
                b.array().assign(Nd4j.rand(b.array().dataType(), b.array().shape()).subi(0.5));
                mems[i] = OneDnn.memory(md, b.data());
            }
            double[] ms = new double[15];
            for (int r = -3; r < ms.length; r++) {
                long t = System.nanoTime();
                OneDnn.execute(prim, args, mems);
                if (r >= 0) {
                    ms[r] = (System.nanoTime() - t) / 1e6;
                }
            }
            Arrays.sort(ms);
            System.out.printf(Locale.ROOT, "RESULT %-16s %-28s min %6.2f median %6.2f ms%n", what, name, ms[0],
                    ms[ms.length / 2]);
        } while (dnnl_primitive_desc_iterator_next(it) != dnnl_iterator_ends);
        dnnl_primitive_desc_iterator_destroy(it);
    }
}
