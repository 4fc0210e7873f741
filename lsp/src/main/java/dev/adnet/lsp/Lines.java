package dev.adnet.lsp;

import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;

/**
 * Offsets, LSP positions (0-based, UTF-16 columns) and compiler spans (1-based, UTF-16 columns) of one text. A
 * position past a line's end clamps to it, one past the last line to the end of the text.
 */
final class Lines {
    private final String text;
    private final List<Integer> starts = new ArrayList<>();

    Lines(String text) {
        this.text = text;
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
    }

    int count() {
        return starts.size();
    }

    int offset(Position p) {
        if (p.getLine() < 0) {
            return 0;
        }
        if (p.getLine() >= starts.size()) {
            return text.length();
        }
        int start = starts.get(p.getLine());
        int end = p.getLine() + 1 < starts.size() ? starts.get(p.getLine() + 1) - 1 : text.length();
        return Math.min(start + Math.max(0, p.getCharacter()), end);
    }

    Position position(int offset) {
        int line = 0;
        int lo = 0;
        int hi = starts.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts.get(mid) <= offset) {
                line = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return new Position(line, offset - starts.get(line));
    }

    String line(int line) {
        if (line < 0 || line >= starts.size()) {
            return "";
        }
        int end = line + 1 < starts.size() ? starts.get(line + 1) - 1 : text.length();
        String s = text.substring(starts.get(line), end);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    Range all() {
        return new Range(new Position(0, 0), position(text.length()));
    }

    /** A span's range: its first line, {@code length} characters. */
    static Range range(Span s) {
        int line = Math.max(0, s.line() - 1);
        int col = Math.max(0, s.column() - 1);
        return new Range(new Position(line, col), new Position(line, col + Math.max(1, s.length())));
    }
}
