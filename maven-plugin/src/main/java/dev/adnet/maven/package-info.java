/**
 * The adnet Maven plugin: goals {@code generate} and {@code generate-test} turn {@code .adnet} sources into Java
 * through the compiler facade, the same one the command line uses. The logic lives in plain classes
 * ({@link dev.adnet.maven.SourceGenerator}, {@link dev.adnet.maven.GenerationCache}) that tests drive without
 * Maven; the mojos only map configuration and log.
 */
package dev.adnet.maven;
