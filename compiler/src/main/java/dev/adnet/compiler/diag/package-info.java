/**
 * Diagnostics: stable codes, positioned messages, and the one formatter shared by the command line, the Maven
 * plugin and the editor.
 */
package dev.adnet.compiler.diag;
