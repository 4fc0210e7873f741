/**
 * Loops whose trip count depends on the sample: Adaptive Computation Time's halting rule
 * ({@link dev.adnet.runtime.loop.Halting}) with its gradient, and the row kernels of a loop whose running samples
 * shrink from step to step ({@link dev.adnet.runtime.loop.WeightedRows}). Samples that halt leave the loop's batch,
 * so later steps run on the others only.
 */
package dev.adnet.runtime.loop;
