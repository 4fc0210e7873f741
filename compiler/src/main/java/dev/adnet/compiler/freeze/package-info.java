/**
 * {@code adnet freeze}: the learned structure of a trained network written back as plain adnet source. Each
 * construct that learns a structure contributes a {@link dev.adnet.compiler.freeze.LearnedStructure} (the source
 * edits that spell out its decisions, and the new names of the parameters it keeps); {@link
 * dev.adnet.compiler.freeze.FreezeWriter} applies them to the file's text, so comments and layout elsewhere stay as
 * written and the frozen file diffs cleanly against the trained one.
 */
package dev.adnet.compiler.freeze;
