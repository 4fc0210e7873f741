package dev.adnet.compiler.freeze;

/** Replace the characters {@code [start, end)} of a source text with {@code text}. */
public record SourceEdit(int start, int end, String text) {
    public SourceEdit {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad edit range [" + start + ", " + end + ")");
        }
    }
}
