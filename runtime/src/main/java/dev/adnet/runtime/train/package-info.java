/** Training: batches, optimizers, schedules, the trainer loop, metrics and checkpoints. */
package dev.adnet.runtime.train;
