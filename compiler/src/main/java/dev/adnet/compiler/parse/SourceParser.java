package dev.adnet.compiler.parse;

import dev.adnet.compiler.ast.CompilationUnit;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostic;
import dev.adnet.compiler.source.SourceFile;
import dev.adnet.compiler.source.Span;
import dev.adnet.grammar.AdnetLexer;
import dev.adnet.grammar.AdnetParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.BailErrorStrategy;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.antlr.v4.runtime.misc.ParseCancellationException;

/** Parses one file from its bytes to an AST, or to the diagnostics that say why not. */
public final class SourceParser {
    private SourceParser() {}

    public static ParseResult parse(String name, byte[] bytes) {
        SourceDecoder.Result decoded = SourceDecoder.decode(name, bytes);
        if (decoded.error().isPresent()) {
            return new ParseResult(Optional.empty(), Optional.empty(), List.of(decoded.error().get()));
        }
        return parse(decoded.source().orElseThrow());
    }

    public static ParseResult parse(SourceFile source) {
        return parseWithTree(source).result();
    }

    /** A parse result with the tokens (every channel) and tree it came from; the tree is null after an error. */
    record Parsed(ParseResult result, List<Token> tokens, AdnetParser.CompilationUnitContext tree) {}

    static Parsed parseWithTree(SourceFile source) {
        String name = source.name();
        AdnetLexer lexer = new AdnetLexer(CharStreams.fromString(source.text(), name));
        lexer.removeErrorListeners();
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokens.fill();
        Optional<Diagnostic> lexical = LexicalCheck.check(name, tokens.getTokens());
        List<Token> all = tokens.getTokens();
        if (lexical.isPresent()) {
            return new Parsed(new ParseResult(Optional.of(source), Optional.empty(), List.of(lexical.get())), all, null);
        }
        if (all.stream().allMatch(t -> t.getType() == Token.EOF || t.getChannel() != Token.DEFAULT_CHANNEL)) {
            return new Parsed(new ParseResult(Optional.of(source), Optional.empty(), List.of(Diagnostic.error(Code.EMPTY_FILE,
                    Span.of(name, 1, 1, 1), "file declares nothing: expected a 'block' or a 'network'"))), all, null);
        }
        SyntaxErrors errors = new SyntaxErrors(name);
        AdnetParser.CompilationUnitContext tree = parseTree(tokens, errors);
        if (tree == null) {
            Diagnostic error = errors.first() != null ? errors.first()
                    : Diagnostic.error(Code.SYNTAX_ERROR, Span.of(name, 1, 1, 1), "syntax error");
            return new Parsed(new ParseResult(Optional.of(source), Optional.empty(), List.of(error)), all, null);
        }
        List<Diagnostic> diagnostics = new ArrayList<>();
        CompilationUnit unit = new AstBuilder(name, diagnostics).build(tree);
        return new Parsed(new ParseResult(Optional.of(source), Optional.of(unit), diagnostics), all, tree);
    }

    /**
     * The fast SLL pass succeeds on nearly every valid file; only when it fails is the file re-parsed in full LL
     * mode, which also gives the precise error (into {@code errors}); null then.
     */
    private static AdnetParser.CompilationUnitContext parseTree(CommonTokenStream tokens, SyntaxErrors errors) {
        AdnetParser parser = new AdnetParser(tokens);
        parser.removeErrorListeners();
        parser.setErrorHandler(new BailErrorStrategy());
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        try {
            return parser.compilationUnit();
        } catch (ParseCancellationException sllFailed) {
            tokens.seek(0);
            parser.reset();
            parser.addErrorListener(errors);
            parser.setErrorHandler(new SyntaxErrors.StopAtFirstError());
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            try {
                AdnetParser.CompilationUnitContext tree = parser.compilationUnit();
                if (errors.first() == null) {
                    return tree;
                }
            } catch (ParseCancellationException expected) {
                // the listener holds the error
            }
            return null;
        }
    }
}
