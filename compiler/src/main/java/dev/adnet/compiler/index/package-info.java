/**
 * Where each name of a file is declared and used, for editors: definitions, references, renames, outlines and the
 * names in scope. Built from the syntax tree alone (no ANTLR type), so it answers while a file still has errors.
 */
package dev.adnet.compiler.index;
