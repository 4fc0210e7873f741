package dev.adnet.compiler.check;

import static dev.adnet.compiler.check.Args.Type.BOOL;
import static dev.adnet.compiler.check.Args.Type.FLOAT;
import static dev.adnet.compiler.check.Args.Type.LIST;

import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Member;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.Counts;
import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.HaltingLoop;
import dev.adnet.compiler.ir.LoopPolicy;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ShareUnit;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.ir.TrainingSetup;
import dev.adnet.compiler.ir.TrainingSetup.Optimizer;
import dev.adnet.compiler.ir.TrainingSetup.Schedule;
import dev.adnet.compiler.ir.TrainingSetup.ScheduleKind;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks a {@code train} section and turns it into a {@link TrainSpec}. */
final class TrainChecker {
    static final Set<String> SETTINGS = Set.of("loss", "optimizer", "schedule", "warmup", "batch", "epochs", "seed",
            "temperature", "exit_weights", "freeze", "policy_schedule");
    /** How one loss term is checked and lowered: its call, its weight, and the terms to add it to. */
    @FunctionalInterface
    private interface TermRule {
        void check(Expr.Name name, Expr.Apply call, double weight, List<TrainSpec.LossTerm> terms);
    }

    /**
     * The loss terms the language knows, by name. A construct that brings a term of its own (a loop's ponder cost,
     * a shared trunk's sparsity) adds its row here; the "did you mean" suggestions read the same table.
     */
    private final Map<String, TermRule> termRules = new java.util.LinkedHashMap<>();

    {
        termRules.put("cross_entropy", this::outputTerm);
        termRules.put("mse", this::outputTerm);
        termRules.put("distill", (name, call, weight, terms) -> distill(name, call, weight));
        termRules.put("target_rate", this::gateTerm);
        termRules.put("flops_budget", this::gateTerm);
        termRules.put("ponder", this::ponderTerm);
        termRules.put("jacobian", this::jacobianTerm);
        termRules.put("sparsity", this::shareTerm);
        termRules.put("sharing", this::shareTerm);
    }

    private final Diagnostics diag;
    private final Evaluator evaluator;
    private final Map<String, Graph.Port> outputs;
    /** Declared outputs that had errors of their own: a loss on them is not reported again. */
    private final Set<String> brokenOutputs;
    /** The network's ops, for its gates and their cost. */
    private final List<dev.adnet.compiler.ir.Op> ops;

    TrainChecker(Diagnostics diag, Evaluator evaluator, Map<String, Graph.Port> outputs, Set<String> brokenOutputs,
            List<dev.adnet.compiler.ir.Op> ops) {
        this.diag = diag;
        this.evaluator = evaluator;
        this.outputs = outputs;
        this.brokenOutputs = brokenOutputs;
        this.ops = ops;
    }

    private List<dev.adnet.compiler.ir.Op.GatedResidual> gates() {
        return ops.stream().filter(o -> o instanceof dev.adnet.compiler.ir.Op.GatedResidual)
                .map(o -> (dev.adnet.compiler.ir.Op.GatedResidual) o).toList();
    }

    /** One gate decision the complexity terms read: its execution-rate target and the FLOPs it gates when open. */
    private record GateEntry(double target, double flops) {}

    /**
     * Every gate decision in schedule order: a gated block's one, and a gated loop's one per pass boundary (after pass
     * k < cap, gating pass k + 1: its body, and its own gate unless it is the last pass), the order in which the
     * unrolled training step computes them.
     */
    private List<GateEntry> gateEntries() {
        List<GateEntry> entries = new ArrayList<>();
        for (dev.adnet.compiler.ir.Op op : ops) {
            if (op instanceof dev.adnet.compiler.ir.Op.GatedResidual g) {
                entries.add(new GateEntry(g.target(), dev.adnet.compiler.cost.CostModel.regionFlops(g.bodyRegion())));
            } else if (op instanceof dev.adnet.compiler.ir.HaltingLoop l
                    && l.policy() instanceof dev.adnet.compiler.ir.LoopPolicy.Gate gate) {
                double step = dev.adnet.compiler.cost.CostModel.regionFlops(l.bodyRegion());
                double body = 0;
                for (int i = 0; i < l.bodyLength(); i++) {
                    body += dev.adnet.compiler.cost.CostModel.flops(l.bodyRegion().ops().get(i));
                }
                for (int k = 1; k < l.cap(); k++) {
                    entries.add(new GateEntry(gate.target(), k + 1 < l.cap() ? step : body));
                }
            }
        }
        return entries;
    }

    /** The checked section, or null after reporting. */
    TrainSpec check(Member.Train train) {
        Map<String, Member.Setting> settings = new LinkedHashMap<>();
        for (Member.Setting s : train.settings()) {
            String key = s.key().name();
            if (!SETTINGS.contains(key)) {
                diag.error(Code.UNKNOWN_SETTING, s.key().span(), "unknown train setting '" + key + "'" + Suggest.suffix(key, SETTINGS));
            } else if (settings.containsKey(key)) {
                diag.error(Code.DUPLICATE_SETTING, s.key().span(), "'" + key + "' is already set at line " + settings.get(key).span().line());
            } else {
                settings.put(key, s);
            }
        }
        int errors = diag.errorCount();
        List<TrainSpec.LossTerm> terms = new ArrayList<>();
        if (settings.containsKey("loss")) {
            loss(settings.get("loss").value(), 1.0, terms);
        } else {
            diag.error(Code.MISSING_LOSS, train.span(), "the train section needs a 'loss'");
        }
        TrainSpec.ExitRamp ramp = exitLosses(settings.get("exit_weights"), terms);
        TrainSpec.Temperature temperature = settings.containsKey("temperature") ? temperature(settings.get("temperature")) : null;
        Optimizer optimizer = settings.containsKey("optimizer") ? optimizer(settings.get("optimizer").value())
                : Optimizer.adam(1e-3, 0, 0.9, 0.999, 1e-8);
        double warmup = settings.containsKey("warmup") ? number(settings.get("warmup").value(), "warmup", 0, false) : 0;
        Schedule schedule = settings.containsKey("schedule") ? schedule(settings.get("schedule").value(), warmup)
                : new Schedule(ScheduleKind.CONSTANT, new double[0], 1, 0, warmup);
        int batch = settings.containsKey("batch") ? (int) integer(settings.get("batch").value(), "batch", 1, 1 << 20) : 128;
        int epochs = settings.containsKey("epochs") ? (int) integer(settings.get("epochs").value(), "epochs", 1, 1_000_000) : 5;
        long seed = settings.containsKey("seed") ? integer(settings.get("seed").value(), "seed", Long.MIN_VALUE, Long.MAX_VALUE) : 0;
        batchFits(batch, settings.get("batch"), train);
        if (diag.errorCount() > errors || optimizer == null || schedule == null) {
            return null;
        }
        boolean freeze = settings.containsKey("freeze") && freeze(settings.get("freeze"), terms);
        TrainSpec.PolicySchedule policies = settings.containsKey("policy_schedule")
                ? new PolicyScheduleChecker(diag, evaluator, ops).check(settings.get("policy_schedule"), epochs,
                        settings.get("epochs"), settings.get("temperature"))
                : null;
        if (diag.errorCount() > errors) {
            return null;
        }
        return new TrainSpec(terms, new TrainingSetup(optimizer, schedule, epochs, batch, seed), temperature, ramp, freeze,
                policies);
    }

    /**
     * The training batch must fit the runtime: every value of the network is an array of batch x its per-sample
     * elements, which the kernels index with an int ({@link Counts#MAX_ELEMENTS}). Reported at the {@code batch}
     * setting, or at the section when the default batch is too large; {@code adnet train --batch} is checked when
     * the arrays are made.
     */
    private void batchFits(int batch, Member.Setting declared, Member.Train train) {
        Value largest = null;
        String producer = "input";
        for (Op op : ops) {
            for (Value v : op.inputs()) {
                if (largest == null || v.size() > largest.size()) {
                    largest = v;
                    producer = "input";
                }
            }
            if (largest == null || op.out().size() > largest.size()) {
                largest = op.out();
                producer = op.kind() + " '" + op.path() + "'";
            }
        }
        if (largest == null || batch <= Counts.MAX_ELEMENTS / largest.size()) {
            return;
        }
        Span at = declared != null ? declared.value().span() : train.span();
        diag.error(Code.INVALID_SETTING, at, String.format(java.util.Locale.ROOT, "%s is too large for one array: the %s %s "
                + "is %,d elements per sample, %,d per batch, more than the %,d an array holds; the largest batch that "
                + "fits is %d", declared != null ? "batch " + batch : "the default batch, " + batch + ",",
                producer.equals("input") ? "input" : "value of " + producer, largest.shapeText(), largest.size(),
                (long) batch * largest.size(), Counts.MAX_ELEMENTS, Counts.MAX_ELEMENTS / largest.size()));
    }

    private List<Op.Exit> exits() {
        return ops.stream().filter(o -> o instanceof Op.Exit).map(o -> (Op.Exit) o).toList();
    }

    /**
     * Every exit head learns with the loss terms of the output it stands for, applied to its own prediction: one
     * {@link TrainSpec.ExitLoss} per exit and term, weighted by the exit's {@code weight} times the factor that
     * {@code exit_weights} gives (a number, one number per exit, or {@code ramp(from -> to)} over training).
     *
     * @return the ramp, or null
     */
    private TrainSpec.ExitRamp exitLosses(Member.Setting setting, List<TrainSpec.LossTerm> terms) {
        List<Op.Exit> exits = exits();
        if (setting != null && exits.isEmpty()) {
            diag.error(Code.INVALID_SETTING, setting.key().span(), "'exit_weights' has no effect: this network has no exit");
            return null;
        }
        double[] factors = new double[exits.size()];
        java.util.Arrays.fill(factors, 1.0);
        TrainSpec.ExitRamp ramp = null;
        if (setting != null) {
            Expr e = setting.value();
            if (e instanceof Expr.Apply a && a.callee() instanceof Expr.Name n && n.name().equals("ramp")) {
                ramp = ramp(a);
                if (ramp == null) {
                    return null;
                }
            } else if (e instanceof Expr.ListLit l) {
                if (l.items().size() != exits.size()) {
                    diag.error(Code.INVALID_VALUE, l.span(), "exit_weights lists " + l.items().size() + " weights but the network has "
                            + exits.size() + (exits.size() == 1 ? " exit" : " exits"));
                    return null;
                }
                for (int k = 0; k < factors.length; k++) {
                    factors[k] = number(l.items().get(k), "an exit weight", 0, false);
                }
            } else {
                java.util.Arrays.fill(factors, number(e, "exit_weights", 0, false));
            }
        }
        List<TrainSpec.LossTerm> bases = new ArrayList<>(terms);
        bases.addAll(distills);
        // a block instantiated twice declares the same exit name twice: its terms are told apart by the exit's path
        Map<String, Long> named = exits.stream().collect(java.util.stream.Collectors.groupingBy(Op.Exit::name,
                java.util.stream.Collectors.counting()));
        // exits are counted in the network that checked: one in a construct the checker rejected is not among them
        for (int k = 0; k < exits.size(); k++) {
            Op.Exit x = exits.get(k);
            String label = named.get(x.name()) > 1 ? x.path() : x.name();
            for (TrainSpec.LossTerm t : bases) {
                String output = t instanceof TrainSpec.CrossEntropy ce ? ce.output()
                        : t instanceof TrainSpec.MeanSquaredError m ? m.output()
                        : t instanceof TrainSpec.Distill d ? d.output() : null;
                if (x.output().equals(output)) {
                    terms.add(new TrainSpec.ExitLoss(x.exitIndex(), t, t.weight() * x.weight() * factors[k],
                            ramp != null, t.display() + "@" + label));
                }
            }
        }
        return ramp;
    }

    /**
     * {@code freeze backbone}: train the exit heads on a backbone that stays as it is (SDN's heads-only training, on a
     * network initialised from a checkpoint with {@code adnet train --init}).
     */
    private boolean freeze(Member.Setting s, List<TrainSpec.LossTerm> terms) {
        if (!(s.value() instanceof Expr.Name n) || !n.name().equals("backbone")) {
            diag.error(Code.INVALID_SETTING, s.value().span(), "'freeze' takes 'backbone': freeze backbone");
            return false;
        }
        if (exits().isEmpty()) {
            diag.error(Code.INVALID_SETTING, s.key().span(), "'freeze backbone' trains only exit heads, but this network has no exit");
            return false;
        }
        if (!gates().isEmpty()) {
            diag.error(Code.NOT_SUPPORTED_YET, s.key().span(), "'freeze backbone' in a network with gates is not supported yet");
            return false;
        }
        if (terms.stream().noneMatch(t -> t instanceof TrainSpec.ExitLoss)) {
            diag.error(Code.INVALID_SETTING, s.key().span(), "with a frozen backbone only the exit heads' loss terms train, but "
                    + "the loss has none for the output the exits stand for");
            return false;
        }
        return true;
    }

    /** {@code ramp(0.01 -> 0.5)} or {@code ramp(from = 0.01, to = 0.5)}. */
    private TrainSpec.ExitRamp ramp(Expr.Apply a) {
        double from;
        double to;
        if (a.args().size() == 1 && !a.args().get(0).named() && a.args().get(0).value() instanceof Expr.Pipe p) {
            from = number(p.left(), "a ramp's start", 0, false);
            to = number(p.right(), "a ramp's end", 0, false);
        } else {
            Map<String, Val> m = evaluator.constants(a.args(), List.of(new Args.Param("from", FLOAT, null),
                    new Args.Param("to", FLOAT, null)), "ramp", a.span());
            if (m == null) {
                return null;
            }
            from = Args.numArg(m, "from");
            to = Args.numArg(m, "to");
            if (from < 0 || to < 0) {
                diag.error(Code.INVALID_VALUE, a.span(), "exit weights must be at least 0");
                return null;
            }
        }
        return Double.isNaN(from) || Double.isNaN(to) ? null : new TrainSpec.ExitRamp(from, to);
    }

    /** A weighted sum of terms: {@code a + w * b - c}. */
    private void loss(Expr e, double weight, List<TrainSpec.LossTerm> terms) {
        if (e instanceof Expr.Binary b && (b.op() == Expr.BinaryOp.ADD || b.op() == Expr.BinaryOp.SUB)) {
            loss(b.left(), weight, terms);
            loss(b.right(), b.op() == Expr.BinaryOp.ADD ? weight : -weight, terms);
        } else if (e instanceof Expr.Binary b && b.op() == Expr.BinaryOp.MUL && constant(b.left()) != null) {
            loss(b.right(), weight * constant(b.left()), terms);
        } else if (e instanceof Expr.Binary b && b.op() == Expr.BinaryOp.MUL && constant(b.right()) != null) {
            loss(b.left(), weight * constant(b.right()), terms);
        } else if (e instanceof Expr.Apply a && a.callee() instanceof Expr.Name n) {
            term(n, a, weight, terms);
        } else {
            diag.error(Code.UNKNOWN_LOSS_TERM, e.span(), "a loss is a weighted sum of terms such as "
                    + "cross_entropy(logits) or 0.5 * mse(y)");
        }
    }

    private static Double constant(Expr e) {
        if (e instanceof Expr.IntLit i) {
            return (double) i.value();
        } else if (e instanceof Expr.FloatLit f) {
            return f.value();
        } else if (e instanceof Expr.Negate n) {
            Double inner = constant(n.operand());
            return inner == null ? null : -inner;
        }
        return null;
    }

    private void term(Expr.Name name, Expr.Apply a, double weight, List<TrainSpec.LossTerm> terms) {
        TermRule rule = termRules.get(name.name());
        if (rule == null) {
            diag.error(Code.UNKNOWN_LOSS_TERM, name.span(), "unknown loss term '" + name.name() + "'"
                    + Suggest.suffix(name.name(), termRules.keySet()));
            return;
        }
        rule.check(name, a, weight, terms);
    }

    /** {@code cross_entropy(output, smoothing = s)} and {@code mse(output)}: a term on one of the network's outputs. */
    private void outputTerm(Expr.Name name, Expr.Apply a, double weight, List<TrainSpec.LossTerm> terms) {
        String term = name.name();
        if (a.args().isEmpty() || a.args().get(0).named() || !(a.args().get(0).value() instanceof Expr.Name target)) {
            diag.error(Code.LOSS_TARGET, a.span(), "'" + term + "' needs the output it applies to as its first argument, e.g. "
                    + term + "(logits)");
            return;
        }
        Graph.Port port = outputs.get(target.name());
        if (port == null && brokenOutputs.contains(target.name())) {
            return;
        }
        if (port == null) {
            diag.error(Code.LOSS_TARGET, target.span(), "'" + target.name() + "' is not an output of this network"
                    + Suggest.suffix(target.name(), outputs.keySet()));
            return;
        }
        List<Args.Param> params = term.equals("cross_entropy") ? List.of(new Args.Param("smoothing", FLOAT, new Val.Num(0, false)))
                : List.of();
        Map<String, Val> args = evaluator.constants(a.args().subList(1, a.args().size()), params, term, a.span());
        if (args == null) {
            return;
        }
        String display = term + "(" + target.name() + ")";
        if (term.equals("cross_entropy")) {
            double smoothing = Args.numArg(args, "smoothing");
            if (smoothing < 0 || smoothing >= 1) {
                diag.error(Code.INVALID_VALUE, a.span(), "'smoothing' must be in [0, 1), not " + smoothing);
                return;
            }
            if (port.value().rank() != 1 || port.value().dim(0) < 2) {
                diag.error(Code.LOSS_TARGET, target.span(), "cross_entropy needs class scores [classes] with at least 2 classes, but '"
                        + target.name() + "' is " + port.value().shapeText());
                return;
            }
            terms.add(new TrainSpec.CrossEntropy(target.name(), weight, smoothing, display));
        } else {
            terms.add(new TrainSpec.MeanSquaredError(target.name(), weight, display));
        }
    }

    /** Distillation terms, which only exits carry (see {@link #exitLosses}). */
    private final List<TrainSpec.LossTerm> distills = new ArrayList<>();

    /** {@code distill(logits)} or {@code distill(logits, temperature = 3)}: exit heads learn from the final output. */
    private void distill(Expr.Name name, Expr.Apply a, double weight) {
        if (exits().isEmpty()) {
            diag.error(Code.LOSS_TARGET, name.span(), "'distill' teaches exit heads from the final output, but this network has no exit");
            return;
        }
        if (a.args().isEmpty() || a.args().get(0).named() || !(a.args().get(0).value() instanceof Expr.Name target)) {
            diag.error(Code.LOSS_TARGET, a.span(), "'distill' needs the output the exits stand for, e.g. distill(logits)");
            return;
        }
        if (!outputs.containsKey(target.name())) {
            if (!brokenOutputs.contains(target.name())) {
                diag.error(Code.LOSS_TARGET, target.span(), "'" + target.name() + "' is not an output of this network"
                        + Suggest.suffix(target.name(), outputs.keySet()));
            }
            return;
        }
        Map<String, Val> args = evaluator.constants(a.args().subList(1, a.args().size()),
                List.of(new Args.Param("temperature", FLOAT, new Val.Num(1.0, false))), "distill", a.span());
        if (args == null) {
            return;
        }
        double t = Args.numArg(args, "temperature");
        if (!(t > 0) || Double.isInfinite(t)) {
            diag.error(Code.INVALID_VALUE, a.span(), "a distillation temperature must be positive, not " + t);
            return;
        }
        distills.add(new TrainSpec.Distill(target.name(), weight, t, "distill(" + target.name() + ")"));
    }

    /** {@code ponder()}: the halting loops' ponder costs, each with its own weight. */
    private void ponderTerm(Expr.Name name, Expr.Apply a, double weight, List<TrainSpec.LossTerm> terms) {
        double[] ponders = ops.stream().filter(o -> o instanceof dev.adnet.compiler.ir.HaltingLoop l
                        && l.policy() instanceof dev.adnet.compiler.ir.LoopPolicy.Act)
                .mapToDouble(o -> ((dev.adnet.compiler.ir.LoopPolicy.Act) ((dev.adnet.compiler.ir.HaltingLoop) o).policy()).ponder())
                .toArray();
        if (ponders.length == 0) {
            diag.error(Code.LOSS_TARGET, name.span(), "'ponder' measures halting loops, but this network has none");
            return;
        }
        if (!a.args().isEmpty()) {
            diag.error(Code.TOO_MANY_ARGUMENTS, a.args().get(0).span(), "'ponder()' takes no arguments: each loop's act(ponder = ...) "
                    + "sets its weight");
            return;
        }
        terms.add(new TrainSpec.Ponder(weight, ponders, "ponder()"));
    }

    /** {@code jacobian()}: the fixed points' Jacobian-norm regulariser (Hutchinson estimate at z*). */
    private void jacobianTerm(Expr.Name name, Expr.Apply a, double weight, List<TrainSpec.LossTerm> terms) {
        if (ops.stream().noneMatch(o -> o instanceof dev.adnet.compiler.ir.FixedPoint)) {
            diag.error(Code.LOSS_TARGET, name.span(), "'jacobian' regularises fixed points, but this network has none");
            return;
        }
        if (!a.args().isEmpty()) {
            diag.error(Code.TOO_MANY_ARGUMENTS, a.args().get(0).span(), "'jacobian()' takes no arguments: its weight is "
                    + "its coefficient, e.g. 0.5 * jacobian()");
            return;
        }
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            diag.error(Code.INVALID_VALUE, name.span(), "the Jacobian regulariser's weight must be finite and at least 0, "
                    + "not " + weight);
            return;
        }
        terms.add(new TrainSpec.Jacobian(weight, "jacobian()"));
    }

    /** {@code sparsity()} and {@code sharing()}: AdaShare's terms over every share, each with its own weight. */
    private void shareTerm(Expr.Name name, Expr.Apply a, double weight, List<TrainSpec.LossTerm> terms) {
        if (ops.stream().noneMatch(o -> o instanceof dev.adnet.compiler.ir.ShareUnit)) {
            diag.error(Code.LOSS_TARGET, name.span(), "'" + name.name() + "' measures the policies of shares, but this network has none");
            return;
        }
        if (!a.args().isEmpty()) {
            diag.error(Code.TOO_MANY_ARGUMENTS, a.args().get(0).span(), "'" + name.name() + "()' takes no arguments: each share's "
                    + "adashare(" + name.name() + " = ...) sets its weight");
            return;
        }
        terms.add(new TrainSpec.ShareTerm(name.name().equals("sparsity") ? TrainSpec.ShareTermKind.SPARSITY
                : TrainSpec.ShareTermKind.SHARING, weight, name.name() + "()"));
    }

    /** {@code target_rate()}, {@code target_rate(0.6)}, {@code target_rate([1, 0.6, ...])}, {@code flops_budget(0.5)}. */
    private void gateTerm(Expr.Name name, Expr.Apply a, double weight, List<TrainSpec.LossTerm> terms) {
        List<GateEntry> gates = gateEntries();
        if (gates.isEmpty()) {
            diag.error(Code.LOSS_TARGET, name.span(), "'" + name.name() + "' measures gates, but this network has none");
            return;
        }
        String display = name.name() + "()";
        if (name.name().equals("flops_budget")) {
            Map<String, Val> m = evaluator.constants(a.args(), List.of(new Args.Param("budget", FLOAT, null)), name.name(), a.span());
            if (m == null) {
                return;
            }
            double budget = Args.numArg(m, "budget");
            if (!(budget > 0 && budget <= 1)) {
                diag.error(Code.INVALID_VALUE, a.span(), "a FLOPs budget is a fraction of the full network in (0, 1], not " + budget);
                return;
            }
            double[] gateFlops = new double[gates.size()];
            double total = 0;
            for (dev.adnet.compiler.ir.Op op : ops) {
                total += dev.adnet.compiler.cost.CostModel.flops(op);
            }
            double gated = 0;
            for (int g = 0; g < gates.size(); g++) {
                gateFlops[g] = gates.get(g).flops();
                gated += gateFlops[g];
            }
            terms.add(new TrainSpec.FlopsBudget(weight, budget, gateFlops, total - gated, "flops_budget(" + budget + ")"));
            return;
        }
        double[] targets = gates.stream().mapToDouble(GateEntry::target).toArray();
        if (!a.args().isEmpty()) {
            Map<String, Val> m = evaluator.constants(a.args(), List.of(new Args.Param("target", Args.Type.ANY, null)), name.name(), a.span());
            if (m == null) {
                return;
            }
            Val t = m.get("target");
            if (t instanceof Val.Num n) {
                java.util.Arrays.fill(targets, n.value());
            } else if (t instanceof Val.ListV l) {
                if (l.items().size() != gates.size()) {
                    diag.error(Code.INVALID_VALUE, a.args().get(0).value().span(), "the target list has " + l.items().size()
                            + (l.items().size() == 1 ? " entry" : " entries") + " but the network has " + gates.size()
                            + (gates.size() == 1 ? " gate" : " gates"));
                    return;
                }
                for (int i = 0; i < targets.length; i++) {
                    if (!(l.items().get(i) instanceof Val.Num n)) {
                        diag.error(Code.TYPE_MISMATCH, a.args().get(0).value().span(), "targets must be numbers");
                        return;
                    }
                    targets[i] = n.value();
                }
            } else {
                diag.error(Code.TYPE_MISMATCH, a.args().get(0).value().span(), "a target is a number or a list of numbers, one per gate");
                return;
            }
            for (double t1 : targets) {
                if (!(t1 >= 0 && t1 <= 1)) {
                    diag.error(Code.INVALID_VALUE, a.args().get(0).value().span(), "targets are execution rates in [0, 1], not " + t1);
                    return;
                }
            }
        }
        terms.add(new TrainSpec.TargetRate(weight, targets, display));
    }

    private TrainSpec.Temperature temperature(Member.Setting s) {
        if (gateEntries().isEmpty() && ops.stream().noneMatch(o -> o instanceof Op.ParentMixture || o instanceof ShareUnit)) {
            diag.error(Code.INVALID_SETTING, s.key().span(), "'temperature' has no effect: this network has no gate, share or branch");
            return null;
        }
        Expr e = s.value();
        if (e instanceof Expr.Apply a && a.callee() instanceof Expr.Name n && n.name().equals("anneal")) {
            Map<String, Val> m = evaluator.constants(a.args(), List.of(new Args.Param("from", FLOAT, null),
                    new Args.Param("to", FLOAT, null)), "anneal", a.span());
            if (m == null) {
                return null;
            }
            double from = Args.numArg(m, "from");
            double to = Args.numArg(m, "to");
            if (!(from > 0 && to > 0)) {
                diag.error(Code.INVALID_VALUE, a.span(), "temperatures must be positive");
                return null;
            }
            return new TrainSpec.Temperature(from, to);
        }
        double t = number(e, "temperature", 0, true);
        return t > 0 ? new TrainSpec.Temperature(t, t) : null;
    }

    private Optimizer optimizer(Expr e) {
        Expr.Name name = callee(e);
        List<dev.adnet.compiler.ast.Arg> args = e instanceof Expr.Apply a ? a.args() : List.of();
        if (name == null) {
            diag.error(Code.INVALID_SETTING, e.span(), "optimizer is one of sgd(...), adam(...), adamw(...)");
            return null;
        }
        Val.Num beta1 = new Val.Num(0.9, false);
        Val.Num beta2 = new Val.Num(0.999, false);
        Val.Num eps = new Val.Num(1e-8, false);
        Val.Num zero = new Val.Num(0, false);
        switch (name.name()) {
            case "sgd" -> {
                Map<String, Val> m = evaluator.constants(args, List.of(new Args.Param("lr", FLOAT, new Val.Num(0.1, false)),
                        new Args.Param("momentum", FLOAT, zero), new Args.Param("nesterov", BOOL, new Val.Bool(false)),
                        new Args.Param("weight_decay", FLOAT, zero)), "sgd", e.span());
                return m == null || !rates(m, e.span()) ? null : Optimizer.sgd(Args.numArg(m, "lr"), Args.numArg(m, "momentum"),
                        Args.boolArg(m, "nesterov"), Args.numArg(m, "weight_decay"));
            }
            case "adam", "adamw" -> {
                boolean w = name.name().equals("adamw");
                Map<String, Val> m = evaluator.constants(args, List.of(new Args.Param("lr", FLOAT, new Val.Num(1e-3, false)),
                        new Args.Param("beta1", FLOAT, beta1), new Args.Param("beta2", FLOAT, beta2), new Args.Param("eps", FLOAT, eps),
                        new Args.Param("weight_decay", FLOAT, w ? new Val.Num(0.01, false) : zero)), name.name(), e.span());
                if (m == null || !rates(m, e.span())) {
                    return null;
                }
                double lr = Args.numArg(m, "lr");
                double wd = Args.numArg(m, "weight_decay");
                return w ? Optimizer.adamw(lr, wd, Args.numArg(m, "beta1"), Args.numArg(m, "beta2"), Args.numArg(m, "eps"))
                        : Optimizer.adam(lr, wd, Args.numArg(m, "beta1"), Args.numArg(m, "beta2"), Args.numArg(m, "eps"));
            }
            default -> {
                diag.error(Code.INVALID_SETTING, name.span(), "unknown optimizer '" + name.name() + "'"
                        + Suggest.suffix(name.name(), List.of("sgd", "adam", "adamw")));
                return null;
            }
        }
    }

    /** Learning rate positive; momentum, betas in [0, 1); decay and eps not negative. */
    private boolean rates(Map<String, Val> m, Span span) {
        for (Map.Entry<String, Val> kv : m.entrySet()) {
            if (!(kv.getValue() instanceof Val.Num n)) {
                continue;
            }
            double v = n.value();
            boolean ok = switch (kv.getKey()) {
                case "lr" -> v > 0;
                case "momentum", "beta1", "beta2" -> v >= 0 && v < 1;
                default -> v >= 0;
            };
            if (!ok) {
                String range = switch (kv.getKey()) {
                    case "lr" -> "positive";
                    case "momentum", "beta1", "beta2" -> "in [0, 1)";
                    default -> "at least 0";
                };
                diag.error(Code.INVALID_VALUE, span, "'" + kv.getKey() + "' must be " + range + ", not " + v);
                return false;
            }
        }
        return true;
    }

    private Schedule schedule(Expr e, double warmup) {
        Expr.Name name = callee(e);
        List<dev.adnet.compiler.ast.Arg> args = e instanceof Expr.Apply a ? a.args() : List.of();
        if (name == null) {
            diag.error(Code.INVALID_SETTING, e.span(), "schedule is one of constant, step(at = [...]), cosine(...)");
            return null;
        }
        switch (name.name()) {
            case "constant" -> {
                return evaluator.constants(args, List.of(), "constant", e.span()) == null ? null
                        : new Schedule(ScheduleKind.CONSTANT, new double[0], 1, 0, warmup);
            }
            case "step" -> {
                Map<String, Val> m = evaluator.constants(args, List.of(new Args.Param("at", LIST, null),
                        new Args.Param("factor", FLOAT, new Val.Num(0.1, false))), "step", e.span());
                if (m == null) {
                    return null;
                }
                List<Val> at = ((Val.ListV) m.get("at")).items();
                double[] milestones = new double[at.size()];
                for (int i = 0; i < milestones.length; i++) {
                    if (!(at.get(i) instanceof Val.Num n) || n.value() <= 0 || i > 0 && n.value() <= milestones[i - 1]) {
                        diag.error(Code.INVALID_VALUE, e.span(), "'at' must list increasing positive epochs");
                        return null;
                    }
                    milestones[i] = n.value();
                }
                return new Schedule(ScheduleKind.STEP, milestones, Args.numArg(m, "factor"), 0, warmup);
            }
            case "cosine" -> {
                Map<String, Val> m = evaluator.constants(args, List.of(new Args.Param("min_lr", FLOAT, new Val.Num(0, false))),
                        "cosine", e.span());
                return m == null ? null : new Schedule(ScheduleKind.COSINE, new double[0], 1, Args.numArg(m, "min_lr"), warmup);
            }
            default -> {
                diag.error(Code.INVALID_SETTING, name.span(), "unknown schedule '" + name.name() + "'"
                        + Suggest.suffix(name.name(), List.of("constant", "step", "cosine")));
                return null;
            }
        }
    }

    private static Expr.Name callee(Expr e) {
        if (e instanceof Expr.Name n) {
            return n;
        }
        return e instanceof Expr.Apply a && a.callee() instanceof Expr.Name n ? n : null;
    }

    private long integer(Expr e, String what, long min, long max) {
        Val v = evaluator.eval(e, new Env(null, new Blocks(null)), "");
        if (v instanceof Val.Num n && n.integer() && n.value() >= min && n.value() <= max) {
            return n.asLong();
        }
        if (!(v instanceof Val.Err)) {
            diag.error(Code.INVALID_SETTING, e.span(), "'" + what + "' must be " + (min >= 1 ? "a positive integer" : "an integer")
                    + ", not " + (v instanceof Val.Num n ? n.text() : Val.describe(v)));
        }
        return Math.max(min, 0);
    }

    private double number(Expr e, String what, double min, boolean strict) {
        Val v = evaluator.eval(e, new Env(null, new Blocks(null)), "");
        if (v instanceof Val.Num n && (strict ? n.value() > min : n.value() >= min)) {
            return n.value();
        }
        if (!(v instanceof Val.Err)) {
            diag.error(Code.INVALID_SETTING, e.span(), "'" + what + "' must be a number " + (strict ? "greater than " : "of at least ")
                    + (min == Math.rint(min) ? Long.toString((long) min) : Double.toString(min)));
        }
        return min;
    }
}
