/**
 * The runtime side of ConvNet-AIG gates: {@code y = relu?(shortcut(x) + z[n] * F(x))}, trained with a
 * Gumbel-softmax gate and complexity losses, and run at inference on only the samples whose gate is open.
 *
 * <ul>
 * <li>{@link dev.adnet.runtime.adaptive.GumbelSoftmax}: the 2-way gate ({@code [B, 2]} logits, column 1 =
 * execute), hard (straight-through) or soft in training, argmax or a Gumbel sample at inference; the noise is a
 * pure function of (seed, row, column), so runs are reproducible.
 * <li>{@link dev.adnet.runtime.adaptive.GatedResidual}: the training-time residual, one fused pass forward and one
 * backward (relu mask, d shortcut, d F = z * g, d z = sum g * F).
 * <li>{@link dev.adnet.runtime.adaptive.Compaction}: inference with real skipping: {@code openRows}, {@code gather}
 * of the open rows into a sub-batch, the block on the sub-batch (generated code), {@code scatterResidual} back,
 * fused with the shortcut add and the ReLU, with fast paths when all or no rows are open; {@code addRowsInPlace}
 * when the output may overwrite a non-negative identity shortcut, touching only the open rows.
 * <li>{@link dev.adnet.runtime.adaptive.BatchOrder}: the alternative to the gather: the open rows swapped into one
 * range of the batch, where the block runs on a view, when that moves fewer rows; the batch then stays in its new
 * order until the outputs are put back in input order.
 * <li>{@link dev.adnet.runtime.adaptive.TargetRateLoss} (ConvNet-AIG's per-layer target rates) and
 * {@link dev.adnet.runtime.adaptive.FlopsBudgetLoss} (expected fraction of FLOPs above a budget).
 * <li>{@link dev.adnet.runtime.adaptive.GatedResidualReference}: the same kernels composed of separate libnd4j ops
 * (broadcast multiply, add, relu, relu_bp, multiply + sum, gather, scatter_add): what the fused kernels are tested
 * and benchmarked against, and the shared reference for other backends.
 * </ul>
 *
 * <p>Conventions are those of {@code dev.adnet.runtime.ops}: batch-first c-order arrays (NCHW for images), FLOAT
 * and DOUBLE, outputs allocated by the caller and overwritten (never accumulated), null gradient outputs skipped.
 * Big outputs must be dense c-order arrays of the kernel's type; inputs may be views (they are then copied).
 *
 * <p>Which path each kernel uses, and why (measured on [256,32,14,14] float on the shared 2-core machines with
 * OMP_NUM_THREADS=1, medians; see {@code GatedKernelsBenchmark} in the tests): trainForward 1.1 ms against 7.0 for
 * the libnd4j composition, backward 3.3 against 11.9, scatterResidual (half open) 0.80 against 1.42,
 * addRowsInPlace 0.39, gather 0.26 against 0.37. With OpenMP's default two threads on a loaded machine the
 * libnd4j ops degrade several-fold (spinning threads compete for the cores), the Java kernels do not.
 * <ul>
 * <li>GatedResidual forward/backward and Compaction.scatterResidual: Java loops. They are memory-bound; a single
 * pass replaces three (forward), five (backward) or three (scatter) libnd4j passes and their dispatch. The direct
 * buffers are moved through small heap arrays in chunks of 1024 elements, because C2 vectorises loops over arrays
 * but not element-wise {@code FloatBuffer.get/put} (2.2x slower); the ReLU is {@code Math.max} and the backward's
 * mask an arithmetic clamp for the same reason (a select or the sign-bit trick of the ops package does not
 * vectorise). Optionally split over threads ({@code -Dadnet.adaptive.threads}, see {@code Parallel}); off by
 * default, since on the loaded shared machines it did not pay.
 * <li>Compaction.gather: bulk copies of runs of consecutive rows ({@code FloatBuffer.put(int, FloatBuffer, int,
 * int)}): as fast as libnd4j's {@code gather} with its two threads on an unloaded core (0.25 against 0.21 ms,
 * minimum of 31 for 128 rows), faster otherwise, and no int32 index array to build per call.
 * <li>GumbelSoftmax and the losses: loops over {@code double[]} copies of the tiny {@code [B]}/{@code [B,2]} arrays;
 * a native op's dispatch (about 5 us) would cost more than the work.
 * </ul>
 */
package dev.adnet.runtime.adaptive;
