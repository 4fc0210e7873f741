package dev.adnet.compiler.parse;

import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostic;
import dev.adnet.compiler.source.Span;
import dev.adnet.grammar.AdnetLexer;
import dev.adnet.grammar.AdnetParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenStream;
import org.antlr.v4.runtime.Vocabulary;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/**
 * Reports the first syntax error of a file, saying what was expected, and stops: the parser does not invent
 * tokens to recover, so later "errors" that are only echoes of the first are never shown.
 */
final class SyntaxErrors extends BaseErrorListener {
    private final String file;
    private Diagnostic first;

    SyntaxErrors(String file) {
        this.file = file;
    }

    Diagnostic first() {
        return first;
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg,
            RecognitionException e) {
        if (first != null) {
            return;
        }
        Token t = offending instanceof Token tok ? tok : null;
        int length = t == null || t.getType() == Token.EOF ? 1 : t.getText().length();
        String found = t == null ? "this" : describe(t);
        String message;
        if (recognizer instanceof Parser parser) {
            IntervalSet expected = e != null && e.getExpectedTokens() != null ? e.getExpectedTokens() : parser.getExpectedTokens();
            Token misspelt = misspeltMemberKeyword(parser, t);
            if (misspelt != null) {
                // 'inptu x: [3]' reads as the expression 'inptu' and then 'x', so the parser trips over ':'
                first = Diagnostic.error(Code.SYNTAX_ERROR, Span.of(file, misspelt.getLine(), misspelt.getCharPositionInLine() + 1,
                        misspelt.getText().length()), "'" + misspelt.getText() + "' does not declare anything; expected "
                        + "'input', 'output', 'state' or 'task' before 'name:'" + dev.adnet.compiler.check.Suggest.suffix(
                                misspelt.getText(), List.of("input", "output", "state", "task")));
                return;
            }
            if (parser.getContext() instanceof AdnetParser.CompilationUnitContext && expected.size() == 1
                    && expected.contains(Token.EOF)) {
                // the loop over declarations does not resynchronise, so ANTLR only names end of file here
                message = "expected 'block', 'network' or end of file but found " + found;
            } else {
                message = "expected " + expectedText(expected, parser.getVocabulary()) + " but found " + found;
            }
        } else {
            message = msg;
        }
        first = Diagnostic.error(Code.SYNTAX_ERROR, Span.of(file, line, col + 1, length), message);
    }

    /** The first of {@code name other :} inside a network, where {@code name} was meant as a member keyword. */
    private static Token misspeltMemberKeyword(Parser parser, Token offending) {
        if (offending == null || offending.getType() != AdnetLexer.COLON) {
            return null;
        }
        TokenStream tokens = parser.getInputStream();
        boolean inNetwork = false;
        for (ParserRuleContext c = parser.getContext(); c != null; c = c.getParent()) {
            if (c instanceof AdnetParser.BodyContext || c instanceof AdnetParser.BlockDeclContext) {
                return null;
            }
            inNetwork |= c instanceof AdnetParser.NetworkDeclContext;
        }
        Token name = tokens.LT(-1);
        Token keyword = tokens.LT(-2);
        return inNetwork && name != null && keyword != null && name.getType() == AdnetLexer.IDENT
                && keyword.getType() == AdnetLexer.IDENT && keyword.getLine() == name.getLine() ? keyword : null;
    }

    /** The token as the user wrote it, or "end of file". */
    static String describe(Token t) {
        if (t.getType() == Token.EOF) {
            return "end of file";
        }
        String text = t.getText();
        if (text.length() > 30) {
            text = text.substring(0, 27) + "...";
        }
        return "'" + text + "'";
    }

    private static String expectedText(IntervalSet expected, Vocabulary vocabulary) {
        if (expected.contains(AdnetLexer.INT) && expected.contains(AdnetLexer.LPAREN) && expected.contains(AdnetLexer.IDENT)) {
            return "an expression";
        }
        Set<String> names = new TreeSet<>();
        for (int type : expected.toList()) {
            names.add(tokenName(type, vocabulary));
        }
        List<String> list = new ArrayList<>(names);
        if (list.size() == 1) {
            return list.get(0);
        }
        if (list.size() > 8) {
            return "one of " + String.join(", ", list.subList(0, 8)) + ", ...";
        }
        return "one of " + String.join(", ", list);
    }

    private static String tokenName(int type, Vocabulary vocabulary) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case AdnetLexer.IDENT -> "a name";
            case AdnetLexer.INT -> "an integer";
            case AdnetLexer.FLOAT -> "a number";
            case AdnetLexer.STRING -> "a string";
            default -> {
                String literal = vocabulary.getLiteralName(type);
                yield literal != null ? literal : vocabulary.getDisplayName(type);
            }
        };
    }

    /** Stops at the first error instead of deleting or inventing tokens. */
    static final class StopAtFirstError extends DefaultErrorStrategy {
        @Override
        public void recover(Parser recognizer, RecognitionException e) {
            throw new ParseCancellationException(e);
        }

        @Override
        public Token recoverInline(Parser recognizer) {
            InputMismatchException e = new InputMismatchException(recognizer);
            reportError(recognizer, e);
            throw new ParseCancellationException(e);
        }

        @Override
        public void sync(Parser recognizer) {
            // No resynchronisation: the first error is reported where it happens.
        }
    }
}
