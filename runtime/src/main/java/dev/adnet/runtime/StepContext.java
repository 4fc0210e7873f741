package dev.adnet.runtime;

/**
 * What a training step needs to know about where training stands.
 *
 * @param step the global step, from 0
 * @param epoch the epoch, from 0
 * @param progress the fraction of training done, in [0, 1], for schedules declared over training
 * @param seed the seed for this step's randomness (dropout masks, Gumbel noise)
 */
public record StepContext(long step, int epoch, double progress, long seed) {}
