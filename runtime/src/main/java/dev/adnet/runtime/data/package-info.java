/** Data sets and loaders: IDX files, Fashion-MNIST (with a bundled subset), batching and shuffling. */
package dev.adnet.runtime.data;
