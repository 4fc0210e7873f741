package dev.adnet.compiler.cli;

import com.palantir.javapoet.JavaFile;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.runtime.Network;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Compiles generated Java in memory (javax.tools) into a fresh class loader whose parent is the runtime's class
 * loader, so {@code adnet train} runs the same generated code as a Maven build without writing files.
 *
 * <p>javac runs with {@code -Xlint:all}; any diagnostic at all, warning or error, is a bug of the emitter and
 * raises an {@link IllegalStateException} carrying javac's messages and the numbered generated source.
 */
public final class InMemoryCompiler {
    private InMemoryCompiler() {}

    /**
     * A network whose generated class javac cannot compile because a method of it (the forward pass or the training
     * step, written as one straight-line method) exceeds the 64 KB of bytecode the JVM allows a method: a limit of the
     * emitter's today, not a bug in the user's file, so it is reported as such, without the generated source.
     */
    public static final class TooLargeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLargeException(String className) {
            super("this network is too large to compile: a method of its generated class " + className
                    + " exceeds the 64 KB of bytecode the JVM allows a method (about 500 layers fit today; splitting a"
                    + " network's passes into several methods is not supported yet)");
        }
    }

    /** Compiles {@code file} and loads its top-level class. */
    public static Class<?> compile(JavaFile file) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler available: run adnet on a JDK, not a JRE");
        }
        String source = file.toString();
        String binaryName = file.packageName().isEmpty() ? file.typeSpec().name()
                : file.packageName() + "." + file.typeSpec().name();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, Locale.ROOT, null);
        MemoryFileManager manager = new MemoryFileManager(standard);
        JavaFileObject unit = new SimpleJavaFileObject(
                java.net.URI.create("string:///" + binaryName.replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        List<String> options = List.of("-Xlint:all", "-Werror", "-proc:none", "-encoding", "UTF-8", "-classpath",
                classPath());
        Boolean ok = javac.getTask(null, manager, diagnostics, options, null, List.of(unit)).call();
        if (!ok && !diagnostics.getDiagnostics().isEmpty() && diagnostics.getDiagnostics().stream()
                .allMatch(d -> d.getCode().equals("compiler.err.limit.code"))) {
            throw new TooLargeException(file.typeSpec().name());
        }
        if (!ok || !diagnostics.getDiagnostics().isEmpty()) {
            StringBuilder sb = new StringBuilder("adnet emitted Java that javac rejects (a compiler bug):\n");
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                sb.append(d.getKind()).append(" at line ").append(d.getLineNumber()).append(": ")
                        .append(d.getMessage(Locale.ROOT)).append('\n');
            }
            sb.append("--- generated source ---\n");
            String[] lines = source.split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                sb.append(String.format(Locale.ROOT, "%4d  %s%n", i + 1, lines[i]));
            }
            throw new IllegalStateException(sb.toString());
        }
        MemoryClassLoader loader = new MemoryClassLoader(manager.classes, Network.class.getClassLoader());
        try {
            return loader.loadClass(binaryName);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("javac produced no class " + binaryName, e);
        }
    }

    /**
     * The network's generated class compiled in memory and instantiated: the same code {@code adnet compile} writes,
     * run without a build ({@code adnet train}, benchmarks, tests).
     */
    public static Network instantiate(CompiledNetwork network, DataType dataType, long seed) {
        return instantiate(network, dataType, seed, true);
    }

    /** {@link #instantiate(CompiledNetwork, DataType, long)} with channels-last inference allowed or not. */
    public static Network instantiate(CompiledNetwork network, DataType dataType, long seed, boolean channelsLast) {
        return instantiate(network.toJava("adnet.generated", channelsLast), dataType, seed);
    }

    /** Compiles {@code file} and instantiates the network with {@code (dataType, seed)}. */
    public static Network instantiate(JavaFile file, DataType dataType, long seed) {
        Class<?> c = compile(file);
        try {
            return (Network) c.getConstructor(DataType.class, long.class).newInstance(dataType, seed);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("generated class " + c.getName() + " has no (DataType, long) constructor",
                    e);
        }
    }

    /**
     * The class path javac needs: this JVM's {@code java.class.path} (javac follows manifest {@code Class-Path}
     * entries, so a launcher jar works) plus the locations of the runtime and ND4J, in case they were loaded by a
     * class loader the class path does not describe.
     */
    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (Class<?> c : List.of(Network.class, DataType.class, org.nd4j.linalg.factory.Nd4j.class,
                org.nd4j.linalg.api.ndarray.INDArray.class)) {
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null) {
                try {
                    entries.add(Path.of(cs.getLocation().toURI()).toString());
                } catch (URISyntaxException | IllegalArgumentException e) {
                    // not a file location; the class path below may still have it
                }
            }
        }
        String cp = System.getProperty("java.class.path", "");
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                entries.add(e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static final class MemoryFileManager extends ForwardingJavaFileManager<JavaFileManager> {
        final Map<String, ByteArrayOutputStream> classes = new HashMap<>();

        MemoryFileManager(JavaFileManager delegate) {
            super(delegate);
        }

        @Override
        public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                FileObject sibling) {
            return new SimpleJavaFileObject(java.net.URI.create("mem:///" + className.replace('.', '/') + ".class"),
                    kind) {
                @Override
                public OutputStream openOutputStream() {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    classes.put(className, out);
                    return out;
                }
            };
        }
    }

    private static final class MemoryClassLoader extends ClassLoader {
        private final Map<String, byte[]> bytes = new HashMap<>();

        MemoryClassLoader(Map<String, ByteArrayOutputStream> classes, ClassLoader parent) {
            super(parent);
            classes.forEach((k, v) -> bytes.put(k, v.toByteArray()));
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = bytes.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length);
        }
    }
}
