/**
 * The {@code adnet} command line (module adnet-cli): {@code check}, {@code describe} and {@code compile} through the
 * compiler alone; {@code train}, {@code eval}, {@code calibrate} and {@code predict} compile the generated class in
 * memory ({@link dev.adnet.compiler.cli.InMemoryCompiler}) and run it on the runtime. Exit codes: 0 success,
 * 1 diagnostics or a failed run, 2 usage.
 *
 * <p>The package keeps its name from when the command line lived in the compiler: it is the module's only package,
 * so no package is split between the two jars, and the entry point {@code dev.adnet.compiler.cli.Main} stays where
 * scripts and documents name it.
 */
package dev.adnet.compiler.cli;
