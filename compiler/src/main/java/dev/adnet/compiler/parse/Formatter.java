package dev.adnet.compiler.parse;

import dev.adnet.compiler.diag.Diagnostic;
import dev.adnet.compiler.source.SourceFile;
import dev.adnet.grammar.AdnetLexer;
import dev.adnet.grammar.AdnetParser;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTreeListener;
import org.antlr.v4.runtime.tree.ParseTreeWalker;
import org.antlr.v4.runtime.tree.ErrorNode;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * {@code adnet fmt}: one canonical layout for a file that parses, with every comment kept.
 *
 * <p>Like gofmt, it keeps the line breaks the author chose (so a long pipeline stays broken where it was) and
 * decides everything else: one space around operators and after commas, none inside brackets or before a call's
 * parenthesis, two spaces of indentation per open brace, two more for a line that continues a statement, at most one
 * blank line, trailing comments of consecutive lines aligned, and a final newline. The parse tree tells where
 * statements begin, which parentheses group and which minus is unary, so the result does not depend on the input's
 * spacing, and formatting a formatted file changes nothing.
 */
public final class Formatter {
    private static final int INDENT = 2;

    private Formatter() {}

    /** The formatted text, or (when the file does not parse) the diagnostics that say why not. */
    public record Result(Optional<String> text, List<Diagnostic> diagnostics) {
        public Result {
            diagnostics = List.copyOf(diagnostics);
        }
    }

    public static Result format(String name, byte[] bytes) {
        SourceDecoder.Result decoded = SourceDecoder.decode(name, bytes);
        if (decoded.error().isPresent()) {
            return new Result(Optional.empty(), List.of(decoded.error().get()));
        }
        return format(decoded.source().orElseThrow());
    }

    public static Result format(SourceFile source) {
        SourceParser.Parsed parsed = SourceParser.parseWithTree(source);
        if (parsed.tree() == null) {
            return new Result(Optional.empty(), parsed.result().diagnostics());
        }
        Roles roles = new Roles();
        ParseTreeWalker.DEFAULT.walk(roles, parsed.tree());
        return new Result(Optional.of(new Layout(roles).render(parsed.tokens())), List.of());
    }

    /** What the parse tree says about single tokens, by token index. */
    private static final class Roles implements ParseTreeListener {
        final Set<Integer> statementStarts = new HashSet<>();
        final Set<Integer> groupingParens = new HashSet<>();
        final Set<Integer> unaryMinus = new HashSet<>();

        @Override
        public void enterEveryRule(ParserRuleContext ctx) {
            int start = ctx.getStart().getTokenIndex();
            if (ctx instanceof AdnetParser.ImportDeclContext || ctx instanceof AdnetParser.DeclarationContext
                    || ctx instanceof AdnetParser.NetworkMemberContext || ctx instanceof AdnetParser.StatementContext
                    || ctx instanceof AdnetParser.TrainSettingContext) {
                statementStarts.add(start);
            } else if (ctx instanceof AdnetParser.BodyContext body && !body.stateNames.isEmpty()) {
                statementStarts.add(body.stateNames.get(0).getStart().getTokenIndex());
            } else if (ctx instanceof AdnetParser.ParenExprContext) {
                groupingParens.add(start);
            } else if (ctx instanceof AdnetParser.NegateExprContext) {
                unaryMinus.add(start);
            }
        }

        @Override
        public void exitEveryRule(ParserRuleContext ctx) {}

        @Override
        public void visitTerminal(TerminalNode node) {}

        @Override
        public void visitErrorNode(ErrorNode node) {}
    }

    /** One output line: indentation, code, and an optional trailing line comment. */
    private static final class Line {
        final int indent;
        final StringBuilder code = new StringBuilder();
        String trailing;

        Line(int indent) {
            this.indent = indent;
        }

        boolean blank() {
            return code.length() == 0 && trailing == null;
        }

        int width() {
            return indent + code.length();
        }
    }

    private static final class Layout {
        private final Roles roles;
        private final List<Line> lines = new ArrayList<>();
        /** The indentation of the statements inside each open brace, innermost first. */
        private final Deque<Integer> frames = new ArrayDeque<>();

        Layout(Roles roles) {
            this.roles = roles;
        }

        String render(List<Token> all) {
            List<Token> sig = new ArrayList<>();
            List<Integer> newlinesBefore = new ArrayList<>();
            int pendingNewlines = 0;
            for (Token t : all) {
                if (t.getType() == Token.EOF) {
                    break;
                }
                if (t.getType() == AdnetLexer.WS) {
                    pendingNewlines += (int) t.getText().chars().filter(c -> c == '\n').count();
                    continue;
                }
                sig.add(t);
                newlinesBefore.add(pendingNewlines);
                pendingNewlines = 0;
            }
            frames.push(0);
            Line line = null;
            Token prev = null;
            for (int i = 0; i < sig.size(); i++) {
                Token t = sig.get(i);
                int nl = newlinesBefore.get(i);
                if (line == null || nl > 0 || prev.getType() == AdnetLexer.LINE_COMMENT) {
                    if (line != null && nl >= 2 && prev.getType() != AdnetLexer.LBRACE && t.getType() != AdnetLexer.RBRACE) {
                        lines.add(new Line(0));
                    }
                    line = new Line(indentOf(sig, i));
                    lines.add(line);
                    line.code.append(text(t));
                } else if (t.getType() == AdnetLexer.LINE_COMMENT) {
                    line.trailing = t.getText();
                } else {
                    if (spaced(prev, t)) {
                        line.code.append(' ');
                    }
                    line.code.append(text(t));
                }
                if (t.getType() == AdnetLexer.LBRACE) {
                    frames.push(line.indent + INDENT);
                } else if (t.getType() == AdnetLexer.RBRACE && frames.size() > 1) {
                    frames.pop();
                }
                prev = t;
            }
            return print();
        }

        private static String text(Token t) {
            return t.getType() == AdnetLexer.BLOCK_COMMENT ? t.getText().replace("\r\n", "\n") : t.getText();
        }

        /** A closing brace lines up with its opening line; a statement with its siblings; anything else continues. */
        private int indentOf(List<Token> sig, int i) {
            int inner = frames.peek();
            int j = i;
            while (j < sig.size() && isComment(sig.get(j))) {
                j++;
            }
            if (j == sig.size()) {
                return inner;
            }
            Token next = sig.get(j);
            int type = next.getType();
            if (type == AdnetLexer.RBRACE) {
                // A comment before a closing brace still belongs inside the block.
                return j == i ? Math.max(0, inner - INDENT) : inner;
            }
            if (roles.statementStarts.contains(next.getTokenIndex()) || type == AdnetLexer.RPAREN || type == AdnetLexer.RBRACK) {
                return inner;
            }
            return inner + INDENT;
        }

        private static boolean isComment(Token t) {
            return t.getType() == AdnetLexer.LINE_COMMENT || t.getType() == AdnetLexer.BLOCK_COMMENT;
        }

        /** Whether one space separates two tokens on the same line. */
        private boolean spaced(Token prev, Token next) {
            int p = prev.getType();
            int n = next.getType();
            if (p == AdnetLexer.LPAREN || p == AdnetLexer.LBRACK || roles.unaryMinus.contains(prev.getTokenIndex())) {
                return false;
            }
            if (n == AdnetLexer.RPAREN || n == AdnetLexer.RBRACK || n == AdnetLexer.COMMA || n == AdnetLexer.SEMI
                    || n == AdnetLexer.COLON) {
                return false;
            }
            if (n == AdnetLexer.LPAREN) {
                return roles.groupingParens.contains(next.getTokenIndex());
            }
            return !(p == AdnetLexer.LBRACE && n == AdnetLexer.RBRACE);
        }

        private String print() {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < lines.size()) {
                // Trailing comments of consecutive lines start in one column, one space after the longest code.
                int end = i;
                int column = 0;
                while (end < lines.size() && lines.get(end).trailing != null && lines.get(end).code.length() > 0) {
                    column = Math.max(column, lines.get(end).width() + 1);
                    end++;
                }
                if (end == i) {
                    end = i + 1;
                }
                for (int k = i; k < end; k++) {
                    Line l = lines.get(k);
                    if (l.blank()) {
                        out.append('\n');
                        continue;
                    }
                    out.append(" ".repeat(l.indent)).append(l.code);
                    if (l.trailing != null) {
                        out.append(" ".repeat(l.code.length() == 0 ? 0 : Math.max(1, column - l.width()))).append(l.trailing);
                    }
                    out.append('\n');
                }
                i = end;
            }
            return out.toString();
        }
    }
}
