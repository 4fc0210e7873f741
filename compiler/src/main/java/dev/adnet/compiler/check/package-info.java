/**
 * Checking and lowering: names, block instantiation with arguments and defaults, recursion, per-sample shapes and
 * the rules of each construct, evaluated as one abstract interpretation of the AST that emits the IR as it goes.
 * Errors poison the value they produce ({@link dev.adnet.compiler.check.Val.Err}) so one mistake is reported once,
 * and checking goes on to report every independent error of a file.
 */
package dev.adnet.compiler.check;
