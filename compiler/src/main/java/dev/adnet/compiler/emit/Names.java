package dev.adnet.compiler.emit;

import java.util.HashSet;
import java.util.Set;

/**
 * Mangling of adnet names to Java identifiers.
 *
 * <ul>
 *   <li>characters Java allows in identifiers ({@link Character#isJavaIdentifierStart(int)} first,
 *       {@link Character#isJavaIdentifierPart(int)} after), including any Unicode letter, are kept, except
 *       {@code $} (reserved for generated code by convention) and identifier-ignorable characters;
 *   <li>every other code point becomes {@code _uXXXX} (hex, upper case; supplementary code points use as many
 *       digits as they need, e.g. {@code _u1F600});
 *   <li>Java keywords, the literals {@code true false null}, the contextual keywords that cannot name a local
 *       or a type ({@code var yield record sealed permits}) and {@code _} get a trailing {@code _};
 *   <li>the empty name becomes {@code _u}.
 * </ul>
 *
 * <p>Collisions are resolved by a {@link Scope}: the first claim of an identifier gets it, later claims get
 * {@code name_2}, {@code name_3}, ... in claim order, which is deterministic because the emitter claims in IR
 * order.
 */
public final class Names {
    private Names() {}

    private static final Set<String> RESERVED = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "true", "false", "null", "var", "yield", "record", "sealed", "permits",
            "non-sealed", "_", "module", "open", "exports", "requires", "opens", "to", "uses", "provides", "with",
            "transitive");

    /** Whether {@code s} is reserved in Java (keyword, literal or restricted identifier). */
    public static boolean isReserved(String s) {
        return RESERVED.contains(s);
    }

    /** One adnet name (no dots treated specially) as a Java identifier. */
    public static String identifier(String name) {
        if (name.isEmpty()) {
            return "_u";
        }
        String s = mangle(name, true);
        return RESERVED.contains(s) ? s + "_" : s;
    }

    /**
     * A dotted path ({@code trunk.conv1}, {@code layers.0.new}) as one identifier, the mangled segments joined by
     * {@code _} ({@code trunk_conv1}, {@code layers_0_new}); only the whole is checked against the reserved words.
     */
    public static String path(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                sb.append('_');
            }
            sb.append(mangle(parts[i], i == 0));
        }
        String s = sb.length() == 0 ? "_u" : sb.toString();
        return RESERVED.contains(s) ? s + "_" : s;
    }

    private static String mangle(String name, boolean atStart) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < name.length()) {
            int cp = name.codePointAt(i);
            boolean start = atStart && sb.length() == 0;
            boolean ok = cp != '$' && !Character.isIdentifierIgnorable(cp)
                    && (start ? Character.isJavaIdentifierStart(cp) : Character.isJavaIdentifierPart(cp));
            if (ok) {
                sb.appendCodePoint(cp);
            } else {
                sb.append("_u").append(hex(cp));
            }
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    /** A constant name: the path upper-cased (letters only), {@code trunk.conv1} to {@code TRUNK_CONV1}. */
    public static String constant(String dotted) {
        return path(dotted).toUpperCase(java.util.Locale.ROOT);
    }

    private static String hex(int cp) {
        String h = Integer.toHexString(cp).toUpperCase(java.util.Locale.ROOT);
        return "0".repeat(Math.max(0, 4 - h.length())) + h;
    }

    /** A set of claimed identifiers; {@link #claim} resolves collisions with numeric suffixes. */
    public static final class Scope {
        private final Set<String> used = new HashSet<>();

        public Scope() {}

        /** A scope that already contains every identifier of {@code parent}. */
        public Scope(Scope parent) {
            used.addAll(parent.used);
        }

        /** Marks identifiers as taken without mangling (names the generated code uses itself). */
        public Scope reserve(String... identifiers) {
            for (String s : identifiers) {
                used.add(s);
            }
            return this;
        }

        /** Claims {@code identifier} (already a valid Java identifier), or the first free {@code identifier_N}. */
        public String claim(String identifier) {
            if (used.add(identifier)) {
                return identifier;
            }
            for (int n = 2;; n++) {
                String candidate = identifier + "_" + n;
                if (used.add(candidate)) {
                    return candidate;
                }
            }
        }

        public boolean contains(String identifier) {
            return used.contains(identifier);
        }
    }
}
