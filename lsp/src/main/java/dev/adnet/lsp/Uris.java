package dev.adnet.lsp;

import java.net.URI;
import java.nio.file.Path;

/**
 * Between the editor's URIs and the compiler's display names: a file URI becomes its absolute path, so imports
 * resolve as on the command line; any other URI (an unsaved buffer) keeps its text as its name.
 */
final class Uris {
    private Uris() {}

    static String name(String uri) {
        try {
            URI u = URI.create(uri);
            if ("file".equals(u.getScheme())) {
                return Path.of(u).toAbsolutePath().normalize().toString();
            }
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            // not a file URI: keep the text
        }
        return uri;
    }

    static String uri(String name, Documents documents) {
        return documents.byName(name).map(Documents.Doc::uri).orElseGet(() -> {
            Path p = Path.of(name);
            return p.isAbsolute() ? p.toUri().toString() : name;
        });
    }
}
