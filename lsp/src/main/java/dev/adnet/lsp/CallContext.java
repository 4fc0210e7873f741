package dev.adnet.lsp;

import java.util.Optional;

/**
 * Where the cursor is, read from the text before it: inside the parentheses of a call (whose callee and which
 * argument), or inside a {@code train} section. Strings and comments are skipped; it needs no parse, so it works
 * on the half-typed text that completion sees.
 */
record CallContext(String callee, int argument, boolean inTrain, boolean lineStart) {

    static CallContext at(String text, int offset) {
        offset = Math.min(offset, text.length());
        String before = strip(text.substring(0, offset));
        int depth = 0;
        int commas = 0;
        String callee = null;
        boolean inTrain = false;
        for (int i = before.length() - 1; i >= 0; i--) {
            char c = before.charAt(i);
            if (c == ')' || c == ']' || c == '}') {
                depth++;
            } else if ((c == '(' || c == '[') && depth > 0 || c == '{' && depth > 0) {
                depth--;
            } else if (c == ',' && depth == 0 && callee == null) {
                commas++;
            } else if (c == '(' && depth == 0 && callee == null) {
                String word = wordBefore(before, i);
                String previous = wordBefore(before, i - word.length() - spacesBefore(before, i));
                callee = previous.equals("exit") ? "exit" : word;
                if (callee.isEmpty()) {
                    callee = null;
                    commas = 0;
                    continue;
                }
                break;
            } else if (c == '[' && depth == 0) {
                commas = 0;
            } else if (c == '{' && depth == 0) {
                inTrain = wordBefore(before, i).equals("train");
                break;
            }
        }
        int lineStartAt = before.lastIndexOf('\n') + 1;
        boolean lineStart = before.substring(lineStartAt).replaceAll("[\\p{L}\\p{N}_]*$", "").isBlank();
        return new CallContext(callee, callee == null ? 0 : commas, inTrain, lineStart);
    }

    Optional<String> call() {
        return Optional.ofNullable(callee);
    }

    private static int spacesBefore(String s, int i) {
        int n = 0;
        while (i - 1 - n >= 0 && Character.isWhitespace(s.charAt(i - 1 - n))) {
            n++;
        }
        return n;
    }

    /** The identifier ending just before index {@code i} (spaces between allowed), or "". */
    private static String wordBefore(String s, int i) {
        int end = i;
        while (end > 0 && Character.isWhitespace(s.charAt(end - 1))) {
            end--;
        }
        int start = end;
        while (start > 0 && Words.part(s.charAt(start - 1))) {
            start--;
        }
        return s.substring(start, end);
    }

    /** The text with strings and comments blanked out (same length), so their brackets do not count. */
    private static String strip(String s) {
        StringBuilder out = new StringBuilder(s);
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("//", i)) {
                int end = s.indexOf('\n', i);
                end = end < 0 ? s.length() : end;
                blank(out, i, end);
                i = end;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                end = end < 0 ? s.length() : end + 2;
                blank(out, i, end);
                i = end;
            } else if (s.charAt(i) == '"') {
                int end = i + 1;
                while (end < s.length() && s.charAt(end) != '"' && s.charAt(end) != '\n') {
                    end += s.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(s.length(), end + 1);
                blank(out, i, end);
                i = end;
            } else {
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(StringBuilder out, int from, int to) {
        for (int k = from; k < to; k++) {
            if (out.charAt(k) != '\n') {
                out.setCharAt(k, ' ');
            }
        }
    }
}
