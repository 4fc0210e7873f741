package dev.adnet.compiler.ir;

/**
 * Non-learnable state kept in checkpoints (batchnorm running statistics).
 *
 * @param name dotted, stable name
 * @param size number of elements (a vector)
 * @param initialValue every element's starting value
 */
public record BufferDecl(String name, long size, double initialValue) {}
