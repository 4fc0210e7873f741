/**
 * Rewrite passes: each turns one fusion or layout decision into explicit fused ops ({@link
 * dev.adnet.compiler.ir.Op.Fused}) in a copy of the checked graph. {@link Pipeline} lists the passes that build the
 * inference program and the training program the emitter walks.
 */
package dev.adnet.compiler.pass;
