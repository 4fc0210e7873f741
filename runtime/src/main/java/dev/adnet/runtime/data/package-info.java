/**
 * Data for training, evaluation and prediction: {@link dev.adnet.runtime.data.Dataset}s of named arrays (in memory,
 * memory-mapped or decoded on each read) from {@code .npz}/{@code .npy}, {@code .csv}, image folders and IDX files
 * ({@link dev.adnet.runtime.data.DataSources}), Fashion-MNIST with a bundled subset, normalisation, batching and
 * shuffling.
 */
package dev.adnet.runtime.data;
