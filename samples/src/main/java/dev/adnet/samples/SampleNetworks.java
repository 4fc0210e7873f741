package dev.adnet.samples;

import dev.adnet.runtime.Network;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The generated sample classes: every top-level class of this package that implements {@link Network}, by
 * network name. Found on the class path (a folder or the samples jar), so a sample added as an {@code .adnet}
 * file is picked up without a list to maintain.
 */
public final class SampleNetworks {
    private static final String PACKAGE = SampleNetworks.class.getPackageName();

    private SampleNetworks() {}

    /** Network name (its class's simple name) to class, sorted by name. */
    public static Map<String, Class<? extends Network>> all() {
        Map<String, Class<? extends Network>> found = new TreeMap<>();
        String dir = PACKAGE.replace('.', '/');
        try {
            Enumeration<URL> roots = SampleNetworks.class.getClassLoader().getResources(dir);
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                for (String name : classNames(root)) {
                    add(found, name);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the sample classes", e);
        }
        return found;
    }

    /** A new instance of the sample named {@code name} (for example {@code FashionAIG}). */
    public static Network create(String name, DataType dataType, long seed) {
        Class<? extends Network> c = all().get(name);
        if (c == null) {
            throw new IllegalArgumentException("no sample network '" + name + "'; the samples are " + String.join(", ", all().keySet()));
        }
        try {
            return c.getConstructor(DataType.class, long.class).newInstance(dataType, seed);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("cannot create " + name + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("generated class " + c.getName() + " has no (DataType, long) constructor", e);
        }
    }

    private static Iterable<String> classNames(URL root) throws IOException {
        if (root.getProtocol().equals("jar")) {
            JarURLConnection connection = (JarURLConnection) root.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                String prefix = PACKAGE.replace('.', '/') + "/";
                return jar.stream().map(e -> e.getName())
                        .filter(n -> n.startsWith(prefix) && n.indexOf('/', prefix.length()) < 0 && n.endsWith(".class"))
                        .map(n -> n.substring(prefix.length(), n.length() - ".class".length())).toList();
            }
        }
        Path folder;
        try {
            folder = Path.of(root.toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot read " + root, e);
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class"))
                    .map(n -> n.substring(0, n.length() - ".class".length())).toList();
        }
    }

    private static void add(Map<String, Class<? extends Network>> found, String simpleName) {
        if (simpleName.contains("$")) {
            return;
        }
        Class<?> c;
        try {
            c = Class.forName(PACKAGE + "." + simpleName, false, SampleNetworks.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return;
        }
        if (Network.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) {
            found.put(simpleName, c.asSubclass(Network.class));
        }
    }
}
