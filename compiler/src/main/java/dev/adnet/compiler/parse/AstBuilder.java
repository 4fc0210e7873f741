package dev.adnet.compiler.parse;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.ast.BlockDecl;
import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.ast.CallSpec;
import dev.adnet.compiler.ast.CompilationUnit;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Ident;
import dev.adnet.compiler.ast.Import;
import dev.adnet.compiler.ast.Member;
import dev.adnet.compiler.ast.NetworkDecl;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostic;
import dev.adnet.compiler.source.Span;
import dev.adnet.grammar.AdnetBaseVisitor;
import dev.adnet.grammar.AdnetParser;
import dev.adnet.grammar.AdnetParser.*;
import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * The one visitor that turns ANTLR's parse tree into the immutable AST, one short method per labelled
 * alternative. It also decodes literals (numbers, string escapes), reporting those that do not fit.
 */
final class AstBuilder extends AdnetBaseVisitor<Object> {
    private final String file;
    private final List<Diagnostic> diagnostics;

    AstBuilder(String file, List<Diagnostic> diagnostics) {
        this.file = file;
        this.diagnostics = diagnostics;
    }

    CompilationUnit build(CompilationUnitContext ctx) {
        List<Import> imports = ctx.importDecl().stream().map(i -> (Import) visit(i)).toList();
        List<BlockDecl> blocks = new ArrayList<>();
        List<NetworkDecl> networks = new ArrayList<>();
        for (DeclarationContext d : ctx.declaration()) {
            Object node = visit(d);
            if (node instanceof BlockDecl b) {
                blocks.add(b);
            } else {
                networks.add((NetworkDecl) node);
            }
        }
        return new CompilationUnit(imports, blocks, networks, span(ctx));
    }

    // ------------------------------------------------------------------------------------------ declarations

    @Override
    public Import visitImportAll(ImportAllContext ctx) {
        return new Import(List.of(), string(ctx.path), span(ctx.path), span(ctx));
    }

    @Override
    public Import visitImportNames(ImportNamesContext ctx) {
        return new Import(ctx.names.stream().map(this::ident).toList(), string(ctx.path), span(ctx.path), span(ctx));
    }

    @Override
    public Object visitBlockDeclaration(BlockDeclarationContext ctx) {
        return block(ctx.blockDecl());
    }

    @Override
    public Object visitNetworkDeclaration(NetworkDeclarationContext ctx) {
        NetworkDeclContext n = ctx.networkDecl();
        List<Member> members = n.networkMember().stream().map(m -> (Member) visit(m)).toList();
        return new NetworkDecl(ident(n.name), members, span(n));
    }

    private BlockDecl block(BlockDeclContext ctx) {
        List<BlockDecl.Param> params = ctx.params.stream().map(this::param).toList();
        return new BlockDecl(ident(ctx.name), params, body(ctx.body()), span(ctx));
    }

    private BlockDecl.Param param(ParamContext ctx) {
        Expr def = ctx.defaultValue == null ? null : expr(ctx.defaultValue);
        return new BlockDecl.Param(ident(ctx.name), typeRef(ctx.type), def, span(ctx));
    }

    private BlockDecl.TypeRef typeRef(TypeRefContext ctx) {
        if (ctx instanceof ListTypeContext l) {
            return new BlockDecl.TypeRef(ident(l.identifier()), true, span(ctx));
        }
        return new BlockDecl.TypeRef(ident(((NamedTypeContext) ctx).identifier()), false, span(ctx));
    }

    @Override
    public Member visitInputDecl(InputDeclContext ctx) {
        return new Member.Input(ident(ctx.name), shape(ctx.shape()), span(ctx));
    }

    @Override
    public Member visitOutputDecl(OutputDeclContext ctx) {
        return new Member.Output(ident(ctx.name), shape(ctx.shape()), span(ctx));
    }

    @Override
    public Member visitTaskDecl(TaskDeclContext ctx) {
        return new Member.Task(ident(ctx.name), expr(ctx.kind), span(ctx));
    }

    @Override
    public Member visitStateDecl(StateDeclContext ctx) {
        Member.Shape shape = ctx.shape() == null ? null : shape(ctx.shape());
        Expr init = ctx.init == null ? null : expr(ctx.init);
        return new Member.State(ident(ctx.name), shape, init, span(ctx));
    }

    @Override
    public Member visitLocalBlockDecl(LocalBlockDeclContext ctx) {
        return new Member.LocalBlock(block(ctx.blockDecl()), span(ctx));
    }

    @Override
    public Member visitTrainDecl(TrainDeclContext ctx) {
        List<Member.Setting> settings = ctx.trainSection().trainSetting().stream()
                .map(s -> new Member.Setting(ident(s.key), expr(s.value), span(s)))
                .toList();
        return new Member.Train(settings, span(ctx.trainSection().TRAIN().getSymbol()));
    }

    @Override
    public Member visitAssignment(AssignmentContext ctx) {
        return new Member.Assignment(ident(ctx.name), expr(ctx.value), span(ctx));
    }

    @Override
    public Member visitStrayExpression(StrayExpressionContext ctx) {
        return new Member.Stray(expr(ctx.expression()), span(ctx));
    }

    private Member.Shape shape(ShapeContext ctx) {
        return new Member.Shape(ctx.dims.stream().map(this::expr).toList(), span(ctx));
    }

    private Body body(BodyContext ctx) {
        List<Ident> inputs = ctx.stateNames.stream().map(this::ident).toList();
        List<Body.Statement> statements = new ArrayList<>();
        for (StatementContext s : ctx.statement()) {
            if (s instanceof BindStatementContext b) {
                statements.add(new Body.Bind(ident(b.name), expr(b.value), span(b)));
            } else {
                ExprStatementContext e = (ExprStatementContext) s;
                statements.add(new Body.Eval(expr(e.expression()), span(e)));
            }
        }
        return new Body(inputs, statements, span(ctx));
    }

    // ------------------------------------------------------------------------------------------ expressions

    private Expr expr(ExpressionContext ctx) {
        return (Expr) visit(ctx);
    }

    @Override
    public Expr visitPrimaryExpr(PrimaryExprContext ctx) {
        return (Expr) visit(ctx.primary());
    }

    @Override
    public Expr visitApplyExpr(ApplyExprContext ctx) {
        return new Expr.Apply(expr(ctx.callee), args(ctx.arguments()), span(ctx));
    }

    @Override
    public Expr visitNegateExpr(NegateExprContext ctx) {
        return new Expr.Negate(expr(ctx.operand), span(ctx));
    }

    @Override
    public Expr visitResidualExpr(ResidualExprContext ctx) {
        return new Expr.Residual(args(ctx.arguments()), expr(ctx.operand), span(ctx.RESIDUAL().getSymbol()));
    }

    @Override
    public Expr visitGateExpr(GateExprContext ctx) {
        return new Expr.Gate(args(ctx.arguments()), expr(ctx.operand), span(ctx.GATE().getSymbol()));
    }

    /** Pipelines can be thousands of stages long: walk the left spine with a loop, not recursion. */
    @Override
    public Expr visitPipeExpr(PipeExprContext ctx) {
        List<PipeExprContext> spine = new ArrayList<>();
        ExpressionContext cur = ctx;
        while (cur instanceof PipeExprContext p) {
            spine.add(p);
            cur = p.left;
        }
        Expr acc = expr(cur);
        for (int i = spine.size() - 1; i >= 0; i--) {
            PipeExprContext p = spine.get(i);
            acc = new Expr.Pipe(acc, expr(p.right), span(p.ARROW().getSymbol()));
        }
        return acc;
    }

    @Override
    public Expr visitMulExpr(MulExprContext ctx) {
        Expr.BinaryOp op = ctx.op.getType() == AdnetParser.STAR ? Expr.BinaryOp.MUL : Expr.BinaryOp.DIV;
        return new Expr.Binary(op, expr(ctx.left), expr(ctx.right), span(ctx.op));
    }

    @Override
    public Expr visitAddExpr(AddExprContext ctx) {
        Expr.BinaryOp op = ctx.op.getType() == AdnetParser.PLUS ? Expr.BinaryOp.ADD : Expr.BinaryOp.SUB;
        return new Expr.Binary(op, expr(ctx.left), expr(ctx.right), span(ctx.op));
    }

    @Override
    public Expr visitCompareExpr(CompareExprContext ctx) {
        Expr.BinaryOp op = switch (ctx.op.getType()) {
            case AdnetParser.LT -> Expr.BinaryOp.LT;
            case AdnetParser.GT -> Expr.BinaryOp.GT;
            case AdnetParser.LE -> Expr.BinaryOp.LE;
            default -> Expr.BinaryOp.GE;
        };
        return new Expr.Binary(op, expr(ctx.left), expr(ctx.right), span(ctx.op));
    }

    @Override
    public Expr visitIntLiteral(IntLiteralContext ctx) {
        String text = ctx.INT().getText().replace("_", "");
        try {
            return new Expr.IntLit(Long.parseLong(text), span(ctx));
        } catch (NumberFormatException e) {
            diagnostics.add(Diagnostic.error(Code.INVALID_NUMBER, span(ctx), "integer " + ctx.INT().getText() + " is too large"));
            return new Expr.IntLit(0, span(ctx));
        }
    }

    @Override
    public Expr visitFloatLiteral(FloatLiteralContext ctx) {
        double v = Double.parseDouble(ctx.FLOAT().getText().replace("_", ""));
        if (Double.isInfinite(v)) {
            diagnostics.add(Diagnostic.error(Code.INVALID_NUMBER, span(ctx), "number " + ctx.FLOAT().getText() + " is too large"));
            v = 0;
        }
        return new Expr.FloatLit(v, span(ctx));
    }

    @Override
    public Expr visitStringLiteral(StringLiteralContext ctx) {
        return new Expr.StringLit(string(ctx.STRING().getSymbol()), span(ctx));
    }

    @Override
    public Expr visitBoolLiteral(BoolLiteralContext ctx) {
        return new Expr.BoolLit(ctx.TRUE() != null, span(ctx));
    }

    @Override
    public Expr visitNameRef(NameRefContext ctx) {
        return new Expr.Name(ctx.identifier().getText(), span(ctx));
    }

    @Override
    public Expr visitListLiteral(ListLiteralContext ctx) {
        return new Expr.ListLit(ctx.items.stream().map(this::expr).toList(), span(ctx));
    }

    @Override
    public Expr visitParenExpr(ParenExprContext ctx) {
        return expr(ctx.expression());
    }

    @Override
    public Expr visitBodyExpr(BodyExprContext ctx) {
        return new Expr.Group(body(ctx.body()), span(ctx));
    }

    @Override
    public Expr visitRepeatExpr(RepeatExprContext ctx) {
        Expr.RepeatPolicy policy = null;
        if (ctx.repeatPolicy() instanceof GatedRepeatContext g) {
            policy = new Expr.GatedRepeat(args(g.arguments()), span(g));
        } else if (ctx.repeatPolicy() instanceof HaltingRepeatContext h) {
            policy = new Expr.HaltingRepeat(callSpec(h.callSpec()), span(h));
        }
        return new Expr.Repeat(ctx.UPTO() != null, expr(ctx.count), ctx.SHARED() != null, args(ctx.sharing), policy,
                body(ctx.body()), span(ctx.REPEAT().getSymbol()));
    }

    @Override
    public Expr visitFixedPointExpr(FixedPointExprContext ctx) {
        CallSpec solver = ctx.solver == null ? null : callSpec(ctx.solver);
        return new Expr.FixedPoint(args(ctx.arguments()), solver, body(ctx.body()), span(ctx.FIXEDPOINT().getSymbol()));
    }

    @Override
    public Expr visitOdeExpr(OdeExprContext ctx) {
        return new Expr.Ode(args(ctx.arguments()), body(ctx.body()), span(ctx.ODE().getSymbol()));
    }

    @Override
    public Expr visitExitExpr(ExitExprContext ctx) {
        Ident name = ctx.name == null ? null : ident(ctx.name);
        Expr condition = ctx.condition == null ? null : expr(ctx.condition);
        return new Expr.Exit(name, args(ctx.arguments()), condition, body(ctx.body()), span(ctx.EXIT().getSymbol()));
    }

    @Override
    public Expr visitShareExpr(ShareExprContext ctx) {
        return new Expr.Share(callSpec(ctx.policy), body(ctx.body()), span(ctx.SHARE().getSymbol()));
    }

    @Override
    public Expr visitBranchExpr(BranchExprContext ctx) {
        return new Expr.Branch(callSpec(ctx.policy), body(ctx.body()), span(ctx.BRANCH().getSymbol()));
    }

    private CallSpec callSpec(CallSpecContext ctx) {
        return new CallSpec(ident(ctx.name), args(ctx.arguments()), span(ctx));
    }

    private List<Arg> args(ArgumentsContext ctx) {
        if (ctx == null) {
            return List.of();
        }
        List<Arg> args = new ArrayList<>();
        for (ArgumentContext a : ctx.args) {
            if (a instanceof NamedArgumentContext n) {
                args.add(new Arg(ident(n.name), expr(n.value), span(n)));
            } else {
                PositionalArgumentContext p = (PositionalArgumentContext) a;
                args.add(new Arg(null, expr(p.value), span(p)));
            }
        }
        return args;
    }

    // ------------------------------------------------------------------------------------------ helpers

    private Ident ident(IdentifierContext ctx) {
        return new Ident(ctx.getText(), span(ctx));
    }

    private String string(Token t) {
        String raw = t.getText();
        String inner = raw.substring(1, raw.length() - 1);
        StringBuilder sb = new StringBuilder(inner.length());
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (c == '\\' && i + 1 < inner.length()) {
                char n = inner.charAt(++i);
                switch (n) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case '"', '\\' -> sb.append(n);
                    default -> {
                        diagnostics.add(Diagnostic.error(Code.SYNTAX_ERROR, span(t),
                                "unknown escape '\\" + n + "' in string (known: \\n \\t \\\" \\\\)"));
                        sb.append(n);
                    }
                }
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private Span span(Token t) {
        return Span.of(file, t.getLine(), t.getCharPositionInLine() + 1, t.getText().length());
    }

    /** From the rule's first token to its last when they share a line; else the rest of the first line. */
    private Span span(ParserRuleContext ctx) {
        Token start = ctx.getStart();
        Token stop = ctx.getStop() == null ? start : ctx.getStop();
        int col = start.getCharPositionInLine() + 1;
        int length;
        if (stop.getLine() == start.getLine() && stop.getType() != Token.EOF) {
            length = stop.getCharPositionInLine() + stop.getText().length() - start.getCharPositionInLine();
        } else {
            length = start.getText().length();
        }
        return Span.of(file, start.getLine(), col, length);
    }
}
