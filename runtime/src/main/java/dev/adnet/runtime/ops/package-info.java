/**
 * The primitives generated code calls: each a small final class with a forward and a vector-Jacobian product.
 *
 * <p>Conventions: arrays are batch-first, c-ordered, NCHW for images; FLOAT and DOUBLE are supported. Outputs
 * ({@code out}, {@code gradIn}, ...) are allocated by the caller (see {@link dev.adnet.runtime.ops.Arena}), passed in
 * and OVERWRITTEN, never accumulated; the one accumulating primitive is
 * {@link dev.adnet.runtime.ops.Elementwise#accumulate}. A null gradient output means "not needed" and is skipped.
 * Outputs must be dense c-order arrays; inputs may be views (they are copied when not dense).
 *
 * <p>Which path each op takes, and why (measurements on a 2-core AVX-512 machine, [128,16,28,28] float):
 * <ul>
 *   <li>libnd4j ops (the portable path; oneDNN for FLOAT): convolutions ({@link dev.adnet.runtime.ops.Conv2d},
 *       whose backward splits large batches, see there), pooling, matrix products, and same-shape elementwise
 *       arithmetic ({@link dev.adnet.runtime.ops.Elementwise}: libnd4j's pairwise ops are vectorised and
 *       multi-threaded).</li>
 *   <li>CPU-only Java kernels, FLOAT ({@link dev.adnet.runtime.ops.FloatKernels}: tiles bulk-copied into heap
 *       arrays so that C2 vectorises the arithmetic, split across {@link dev.adnet.runtime.ops.Parallel}'s
 *       threads): {@link dev.adnet.runtime.ops.Relu}, {@link dev.adnet.runtime.ops.BatchNorm} and
 *       {@link dev.adnet.runtime.ops.FusedBatchNormRelu} on rank-4 input. libnd4j's {@code moments},
 *       {@code batchnorm}, {@code batchnorm_bp} and {@code relu_bp} are several times slower than these
 *       (batchnorm_bp 8.2 ms against 1.9 ms).</li>
 *   <li>Plain Java loops over the direct buffers (per element, not vectorised): the DOUBLE paths of the above,
 *       rank-2 batchnorm, and the small per-row primitives (layernorm, softmax, losses, dropout, other
 *       activations), where ND4J's dispatch and broadcast ops cost more than the loop.</li>
 * </ul>
 * A non-CPU backend would replace the second group behind the same op classes.
 */
package dev.adnet.runtime.ops;
