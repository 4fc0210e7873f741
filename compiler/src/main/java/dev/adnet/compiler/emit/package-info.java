/**
 * Java emission: {@link dev.adnet.compiler.emit.JavaEmitter} turns a checked IR graph into one readable class per
 * network (JavaPoet), {@link dev.adnet.compiler.emit.BackwardPlanner} plans the compile-time reverse mode it emits,
 * {@link dev.adnet.compiler.emit.Names} mangles adnet names to Java identifiers, and
 * {@link dev.adnet.compiler.emit.InMemoryCompiler} compiles and loads the result without a build.
 */
package dev.adnet.compiler.emit;
