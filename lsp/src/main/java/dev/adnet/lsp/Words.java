package dev.adnet.lsp;

/** The identifier around a 1-based line and column of a text, or "". */
final class Words {
    private Words() {}

    static String at(String text, int line, int column) {
        String l = new Lines(text).line(line - 1);
        int i = Math.min(Math.max(0, column - 1), l.length());
        int start = i;
        while (start > 0 && part(l.charAt(start - 1))) {
            start--;
        }
        int end = i;
        while (end < l.length() && part(l.charAt(end))) {
            end++;
        }
        return l.substring(start, end);
    }

    static boolean part(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
