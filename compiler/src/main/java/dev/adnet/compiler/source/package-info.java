/** Source text and positions: what every diagnostic and AST node points into. */
package dev.adnet.compiler.source;
