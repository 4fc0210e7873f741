package dev.adnet.runtime;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Non-learnable state of a network that checkpoints must keep, such as batchnorm running statistics.
 *
 * @param name a stable, dotted name derived from the source
 * @param value the tensor, updated in place
 */
public record Buffer(String name, INDArray value) {}
