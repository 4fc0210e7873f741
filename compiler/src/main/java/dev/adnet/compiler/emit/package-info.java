/**
 * Java emission: {@link dev.adnet.compiler.emit.JavaEmitter} turns a checked IR graph into one readable class per
 * network (JavaPoet), {@link dev.adnet.compiler.emit.BackwardPlanner} plans the compile-time reverse mode it emits,
 * and {@link dev.adnet.compiler.emit.Names} mangles adnet names to Java identifiers. Runtime and ND4J types are named
 * ({@code ClassName.get(package, simpleName)}), never loaded, so emission runs without them on the class path.
 */
package dev.adnet.compiler.emit;
