/**
 * The immutable syntax tree of an adnet file. Every node carries the {@link dev.adnet.compiler.source.Span} it
 * came from; no ANTLR type appears here (the parse package's AST builder is the only place that sees them).
 */
package dev.adnet.compiler.ast;
