/** The {@code adnet} command line. Exit codes: 0 success, 1 diagnostics or a failed run, 2 usage. */
package dev.adnet.compiler.cli;
