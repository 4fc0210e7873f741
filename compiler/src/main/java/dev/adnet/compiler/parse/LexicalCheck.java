package dev.adnet.compiler.parse;

import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostic;
import dev.adnet.compiler.source.Span;
import dev.adnet.grammar.AdnetLexer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.Token;

/**
 * Checks the token stream before parsing: stray characters, unterminated strings and comments, and nesting deep
 * enough to exhaust the parser's stack. The last is why this runs first: 10,000 nested parentheses must give a
 * clean, positioned "too deep" error, never a StackOverflowError.
 */
final class LexicalCheck {
    /** Far beyond any real network, far below what the recursive-descent parser can take. */
    static final int MAX_NESTING = 200;

    private LexicalCheck() {}

    static Optional<Diagnostic> check(String file, List<Token> tokens) {
        Deque<Token> open = new ArrayDeque<>();
        int prefixRun = 0;
        for (Token t : tokens) {
            switch (t.getType()) {
                case AdnetLexer.ERROR_CHAR -> {
                    return Optional.of(error(Code.UNEXPECTED_CHARACTER, file, t, "unexpected character " + show(t.getText())));
                }
                case AdnetLexer.BLOCK_COMMENT -> {
                    String s = t.getText();
                    if (s.length() < 4 || !s.endsWith("*/")) {
                        return Optional.of(error(Code.UNTERMINATED_COMMENT, file, t, "block comment is never closed with '*/'", 2));
                    }
                }
                case AdnetLexer.STRING -> {
                    String s = t.getText();
                    if (s.length() < 2 || !s.endsWith("\"") || s.endsWith("\\\"") && !s.endsWith("\\\\\"")) {
                        return Optional.of(error(Code.UNTERMINATED_STRING, file, t, "string is never closed with '\"'", 1));
                    }
                }
                case AdnetLexer.LPAREN, AdnetLexer.LBRACE, AdnetLexer.LBRACK -> {
                    open.push(t);
                    if (open.size() > MAX_NESTING) {
                        return Optional.of(error(Code.NESTING_TOO_DEEP, file, t,
                                "nesting is deeper than " + MAX_NESTING + " levels of brackets"));
                    }
                }
                case AdnetLexer.RPAREN, AdnetLexer.RBRACE, AdnetLexer.RBRACK -> {
                    if (!open.isEmpty()) {
                        open.pop();
                    }
                }
                default -> {}
            }
            boolean prefix = t.getType() == AdnetLexer.MINUS || t.getType() == AdnetLexer.RESIDUAL || t.getType() == AdnetLexer.GATE;
            if (t.getChannel() == Token.DEFAULT_CHANNEL) {
                prefixRun = prefix ? prefixRun + 1 : 0;
                if (prefixRun > MAX_NESTING) {
                    return Optional.of(error(Code.NESTING_TOO_DEEP, file, t,
                            "more than " + MAX_NESTING + " prefix operators in a row"));
                }
            }
        }
        return Optional.empty();
    }

    private static Diagnostic error(Code code, String file, Token t, String message) {
        return error(code, file, t, message, t.getText().length());
    }

    private static Diagnostic error(Code code, String file, Token t, String message, int length) {
        return Diagnostic.error(code, Span.of(file, t.getLine(), t.getCharPositionInLine() + 1, length), message);
    }

    private static String show(String s) {
        int cp = s.codePointAt(0);
        if (cp < 0x20 || cp > 0x7e) {
            return String.format("U+%04X '%s'", cp, s);
        }
        return "'" + s + "'";
    }
}
