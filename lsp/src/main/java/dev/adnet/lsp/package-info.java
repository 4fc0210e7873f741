/**
 * The adnet language server: LSP over stdio with Eclipse lsp4j. Every answer comes from the compiler facade and
 * its index, so the editor shows the command line's diagnostics; the runtime and ND4J are never on its class path.
 */
package dev.adnet.lsp;
