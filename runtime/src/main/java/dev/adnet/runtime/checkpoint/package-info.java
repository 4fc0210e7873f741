/** Checkpoint files: zipped .npy tensors with a checksummed manifest, written atomically. */
package dev.adnet.runtime.checkpoint;
