package dev.adnet.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One learnable tensor of a network with its gradient buffer.
 *
 * <p>The generated backward pass accumulates into {@link #gradient()}; the optimizer reads it and updates
 * {@link #value()} in place, so neither array is ever reallocated and generated code may keep references.
 *
 * @param name a stable, dotted name derived from the source (for example {@code stem.conv1.weight}); it is the
 *     key under which checkpoints store the tensor
 * @param value the current value
 * @param gradient the gradient of the loss with respect to the value, same shape and type
 * @param decay whether weight decay applies (false for biases and normalisation scales and shifts)
 */
public record Parameter(String name, INDArray value, INDArray gradient, boolean decay) {}
