package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.source.Span;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds call arguments to a signature: positional first, then named; reports too many, unknown (with a
 * suggestion), duplicate and missing arguments, and values of the wrong type.
 */
final class Args {
    private Args() {}

    /** A parameter of a layer or block. {@code defaultValue} null means required. */
    record Param(String name, Type type, Val defaultValue) {}

    enum Type {
        INT("an integer"),
        FLOAT("a number"),
        BOOL("a boolean"),
        STRING("a string"),
        INT_OR_STRING("an integer or a string"),
        LIST("a list"),
        STAGE("a stage"),
        ANY("a value");

        final String description;

        Type(String description) {
            this.description = description;
        }

        boolean accepts(Val v) {
            return switch (this) {
                case INT -> v instanceof Val.Num n && n.integer();
                case FLOAT -> v instanceof Val.Num;
                case BOOL -> v instanceof Val.Bool;
                case STRING -> v instanceof Val.Str;
                case INT_OR_STRING -> v instanceof Val.Str || v instanceof Val.Num n && n.integer();
                case LIST -> v instanceof Val.ListV;
                case STAGE -> v instanceof Val.StageV || v instanceof Val.Callable;
                case ANY -> true;
            };
        }
    }

    /** An evaluated argument. */
    record Evaluated(Arg arg, Val value) {}

    /**
     * Binds {@code args} to {@code params}; returns null after reporting when binding fails. Defaults fill what is
     * not given; an absent optional parameter without a default (none here) maps to nothing.
     */
    static Map<String, Val> bind(String callee, List<Param> params, List<Evaluated> args, Span callSpan, Diagnostics diag) {
        Map<String, Val> bound = new LinkedHashMap<>();
        boolean ok = true;
        boolean sawNamed = false;
        // An argument that was rejected (unknown name, misplaced, wrong type) still accounts for its parameter, or
        // for any parameter when it is unclear which one the user meant: "missing" would only echo the first error.
        Set<String> attempted = new HashSet<>();
        boolean unclear = false;
        int position = 0;
        for (Evaluated e : args) {
            Arg a = e.arg();
            if (a.named()) {
                sawNamed = true;
                String name = a.name().name();
                Param p = params.stream().filter(q -> q.name().equals(name)).findFirst().orElse(null);
                if (p == null) {
                    diag.error(Code.UNKNOWN_ARGUMENT, a.name().span(), "'" + callee + "' has no parameter '" + name + "'"
                            + Suggest.suffix(name, params.stream().map(Param::name).toList()));
                    ok = false;
                    unclear = true;
                    continue;
                }
                if (attempted.contains(name)) {
                    diag.error(Code.DUPLICATE_ARGUMENT, a.name().span(), "argument '" + name + "' is given twice");
                    ok = false;
                    continue;
                }
                attempted.add(name);
                ok &= put(callee, p, e, bound, diag);
            } else {
                if (sawNamed) {
                    diag.error(Code.POSITIONAL_AFTER_NAMED, a.span(), "positional argument after a named one");
                    ok = false;
                    unclear = true;
                    continue;
                }
                if (position >= params.size()) {
                    diag.error(Code.TOO_MANY_ARGUMENTS, a.span(), "'" + callee + "' takes " + countText(params.size())
                            + " but is given " + args.stream().filter(x -> !x.arg().named()).count());
                    return null;
                }
                attempted.add(params.get(position).name());
                ok &= put(callee, params.get(position++), e, bound, diag);
            }
        }
        for (Param p : params) {
            if (!bound.containsKey(p.name()) && !attempted.contains(p.name())) {
                if (p.defaultValue() == null && !unclear) {
                    diag.error(Code.MISSING_ARGUMENT, callSpan, "'" + callee + "' needs argument '" + p.name() + "' ("
                            + p.type().description + ")");
                    ok = false;
                } else if (p.defaultValue() != null) {
                    bound.put(p.name(), p.defaultValue());
                }
            }
        }
        return ok ? bound : null;
    }

    private static boolean put(String callee, Param p, Evaluated e, Map<String, Val> bound, Diagnostics diag) {
        Val v = e.value();
        if (v instanceof Val.Err) {
            return false;
        }
        if (!p.type().accepts(v)) {
            diag.error(Code.TYPE_MISMATCH, e.arg().value().span(), "argument '" + p.name() + "' of '" + callee
                    + "' must be " + p.type().description + ", not " + Val.describe(v));
            return false;
        }
        bound.put(p.name(), v);
        return true;
    }

    private static String countText(int n) {
        return n == 0 ? "no arguments" : n == 1 ? "1 argument" : n + " arguments";
    }

    static long intArg(Map<String, Val> args, String name) {
        return ((Val.Num) args.get(name)).asLong();
    }

    static double numArg(Map<String, Val> args, String name) {
        return ((Val.Num) args.get(name)).value();
    }

    static boolean boolArg(Map<String, Val> args, String name) {
        return ((Val.Bool) args.get(name)).value();
    }
}
