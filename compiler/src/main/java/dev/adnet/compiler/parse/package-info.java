/**
 * From bytes to an AST: decoding and input limits, lexical checks, the ANTLR parser with one precise syntax error
 * per file, and the AST builder. ANTLR types do not leave this package.
 */
package dev.adnet.compiler.parse;
