package dev.adnet.lsp;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.index.SymbolIndex;
import java.util.Optional;

/**
 * One document checked: the compiler's result for exactly the text the editor holds, and the index of the last text
 * that parsed (kept while the user types through a syntax error, so navigation still works).
 */
record Analysis(String name, String text, int version, CompileResult result, Optional<SymbolIndex> index) {}
