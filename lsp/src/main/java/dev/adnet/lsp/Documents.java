package dev.adnet.lsp;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.lsp4j.TextDocumentContentChangeEvent;

/** The text of the documents the editor has open, kept in step with its incremental changes. */
final class Documents {
    record Doc(String uri, String name, String text, int version) {}

    private final Map<String, Doc> byUri = new ConcurrentHashMap<>();

    Doc open(String uri, String text, int version) {
        Doc d = new Doc(uri, Uris.name(uri), text, version);
        byUri.put(uri, d);
        return d;
    }

    /** Applies the changes in order; a change without a range replaces the whole text. */
    Doc change(String uri, List<TextDocumentContentChangeEvent> changes, int version) {
        Doc d = byUri.get(uri);
        if (d == null) {
            return null;
        }
        String text = d.text();
        for (TextDocumentContentChangeEvent c : changes) {
            if (c.getRange() == null) {
                text = c.getText();
            } else {
                Lines lines = new Lines(text);
                int start = lines.offset(c.getRange().getStart());
                int end = Math.max(start, lines.offset(c.getRange().getEnd()));
                text = text.substring(0, start) + c.getText() + text.substring(end);
            }
        }
        Doc next = new Doc(uri, d.name(), text, version);
        byUri.put(uri, next);
        return next;
    }

    void close(String uri) {
        byUri.remove(uri);
    }

    Optional<Doc> get(String uri) {
        return Optional.ofNullable(byUri.get(uri));
    }

    /** The open document a compiler display name stands for. */
    Optional<Doc> byName(String name) {
        return byUri.values().stream().filter(d -> d.name().equals(name)).findFirst();
    }

    List<Doc> all() {
        return List.copyOf(byUri.values());
    }
}
