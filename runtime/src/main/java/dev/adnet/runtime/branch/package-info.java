/**
 * Learning to Branch (Guo, Lee, Ulbricht 2020): the kernels of a multi-task tree whose nodes choose their parent.
 * A node's input is the Gumbel-softmax-weighted mixture of the previous layer's nodes ({@link
 * dev.adnet.runtime.branch.ParentMixture}) while training, the argmax parent afterwards.
 */
package dev.adnet.runtime.branch;
