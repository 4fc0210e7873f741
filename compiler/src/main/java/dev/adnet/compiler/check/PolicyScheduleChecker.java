package dev.adnet.compiler.check;

import static dev.adnet.compiler.check.Args.Type.FLOAT;
import static dev.adnet.compiler.check.Args.Type.INT;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Member;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ShareUnit;
import dev.adnet.compiler.ir.HaltingLoop;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.source.Span;
import java.util.List;
import java.util.Map;

/**
 * Checks the train setting {@code policy_schedule adashare(...)}: AdaShare's schedule for the shares' policies, its
 * options with the reference code's defaults ({@code yamls/adashare/nyu_v2_3task.yml}, {@code envs/blockdrop_env.py}),
 * each out-of-range value reported at its argument.
 */
final class PolicyScheduleChecker {
    static final List<Args.Param> PARAMS = List.of(
            new Args.Param("warmup", INT, new Val.Num(1, true)),
            new Args.Param("policy_lr", FLOAT, new Val.Num(0.01, false)),
            new Args.Param("policy_weight_decay", FLOAT, new Val.Num(5e-4, false)),
            new Args.Param("curriculum", INT, new Val.Num(3, true)),
            new Args.Param("temperature", FLOAT, new Val.Num(5.0, false)),
            new Args.Param("decay", FLOAT, new Val.Num(0.965, false)),
            new Args.Param("holdout", FLOAT, new Val.Num(0.5, false)),
            new Args.Param("samples", INT, new Val.Num(8, true)));

    private final Diagnostics diag;
    private final Evaluator evaluator;
    private final List<Op> ops;

    PolicyScheduleChecker(Diagnostics diag, Evaluator evaluator, List<Op> ops) {
        this.diag = diag;
        this.evaluator = evaluator;
        this.ops = ops;
    }

    /**
     * The schedule, or null after reporting.
     *
     * @param epochs the section's epochs, warm-up included
     * @param epochsSetting where they are declared (null: the default)
     * @param temperature the section's temperature setting, or null
     */
    TrainSpec.PolicySchedule check(Member.Setting s, int epochs, Member.Setting epochsSetting, Member.Setting temperature) {
        if (ops.stream().noneMatch(o -> o instanceof ShareUnit)) {
            diag.error(Code.INVALID_SETTING, s.key().span(), "'policy_schedule' has no effect: this network has no share");
            return null;
        }
        if (temperature != null && ops.stream().noneMatch(o -> o instanceof Op.GatedResidual || o instanceof HaltingLoop
                || o instanceof Op.ParentMixture)) {
            diag.error(Code.INVALID_SETTING, temperature.key().span(), "'temperature' has no effect with 'policy_schedule': "
                    + "AdaShare's schedule sets the policies' temperature (its options temperature and decay)");
        }
        Expr e = s.value();
        Expr.Name name = e instanceof Expr.Name n ? n : e instanceof Expr.Apply a && a.callee() instanceof Expr.Name n ? n : null;
        if (name == null || !name.name().equals("adashare")) {
            diag.error(Code.INVALID_SETTING, name == null ? e.span() : name.span(), "policy_schedule is adashare(...), "
                    + "AdaShare's schedule" + (name == null ? "" : ", not '" + name.name() + "'"));
            return null;
        }
        List<Arg> args = e instanceof Expr.Apply a ? a.args() : List.of();
        Map<String, Val> m = evaluator.constants(args, PARAMS, "adashare", e.span());
        if (m == null) {
            return null;
        }
        int warmup = (int) Args.numArg(m, "warmup");
        boolean ok = range(m, "warmup", warmup >= 0, "at least 0", args, e)
                & range(m, "policy_lr", Args.numArg(m, "policy_lr") > 0, "positive", args, e)
                & range(m, "policy_weight_decay", Args.numArg(m, "policy_weight_decay") >= 0, "at least 0", args, e)
                & range(m, "curriculum", Args.numArg(m, "curriculum") >= 1, "at least 1", args, e)
                & range(m, "temperature", Args.numArg(m, "temperature") > 0, "positive", args, e)
                & range(m, "decay", Args.numArg(m, "decay") > 0 && Args.numArg(m, "decay") <= 1, "in (0, 1]", args, e)
                & range(m, "holdout", Args.numArg(m, "holdout") > 0 && Args.numArg(m, "holdout") < 1, "in (0, 1)", args, e)
                & range(m, "samples", Args.numArg(m, "samples") >= 1, "at least 1", args, e);
        if (ok && warmup >= epochs) {
            diag.error(Code.INVALID_VALUE, at("warmup", args, e), "AdaShare's warm-up of " + warmup + " epochs leaves no epoch "
                    + "of the " + epochs + (epochsSetting == null ? " (the default)" : "") + " to learn the policies: "
                    + "the epochs after the warm-up alternate weight and policy updates");
            ok = false;
        }
        if (!ok) {
            return null;
        }
        return new TrainSpec.PolicySchedule(warmup, Args.numArg(m, "policy_lr"), Args.numArg(m, "policy_weight_decay"),
                (int) Args.numArg(m, "curriculum"), Args.numArg(m, "temperature"), Args.numArg(m, "decay"),
                Args.numArg(m, "holdout"), (int) Args.numArg(m, "samples"));
    }

    private boolean range(Map<String, Val> m, String option, boolean ok, String range, List<Arg> args, Expr call) {
        if (!ok) {
            diag.error(Code.INVALID_VALUE, at(option, args, call), "adashare's " + option + " must be " + range + ", not "
                    + ((Val.Num) m.get(option)).text());
        }
        return ok;
    }

    /** The value of the argument named {@code option}, else the call. */
    private static Span at(String option, List<Arg> args, Expr call) {
        for (int i = 0; i < args.size(); i++) {
            Arg a = args.get(i);
            if (a.named() ? a.name().name().equals(option) : i < PARAMS.size() && PARAMS.get(i).name().equals(option)) {
                return a.value().span();
            }
        }
        return call.span();
    }
}
