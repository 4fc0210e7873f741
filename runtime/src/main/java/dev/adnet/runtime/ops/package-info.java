/**
 * The primitives generated code calls: each a small final class with a forward and a vector-Jacobian product.
 *
 * <p>Conventions: arrays are batch-first, c-ordered, NCHW for images; FLOAT and DOUBLE are supported. Outputs
 * ({@code out}, {@code gradIn}, ...) are allocated by the caller (see {@link dev.adnet.runtime.ops.Arena}), passed in
 * and OVERWRITTEN, never accumulated; the one accumulating primitive is
 * {@link dev.adnet.runtime.ops.Elementwise#accumulate}. A null gradient output means "not needed" and is skipped.
 * Outputs must be dense c-order arrays; inputs may be views (they are copied when not dense).
 *
 * <p>Convolutions, pooling and matrix products use libnd4j (oneDNN for FLOAT); normalisation, activations,
 * losses and elementwise arithmetic are Java loops over the direct buffers, which the measurements in the ND4J
 * notes show to be faster than ND4J's own ops for such memory-bound work.
 */
package dev.adnet.runtime.ops;
