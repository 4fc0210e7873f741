package dev.adnet.lsp;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.check.Catalogue;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.ExitCost;
import dev.adnet.compiler.cost.GateCost;
import dev.adnet.compiler.index.SymbolIndex;
import dev.adnet.compiler.index.SymbolIndex.Kind;
import dev.adnet.compiler.index.SymbolIndex.Symbol;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What hovering a name shows: a value's per-sample shape, parameters and FLOPs (with min / expected / max when it
 * holds gates); a block's or layer's signature and documentation; a gate's or exit's cost on its keyword.
 */
final class Hovers {
    private Hovers() {}

    static Optional<String> at(Analysis a, int line, int column) {
        Optional<SymbolIndex.Occurrence> occ = a.index().flatMap(i -> i.at(line, column));
        if (occ.isPresent()) {
            return Optional.of(symbol(a, occ.get().symbol()));
        }
        return construct(a, line, column);
    }

    private static String symbol(Analysis a, Symbol s) {
        StringBuilder md = new StringBuilder();
        md.append("```adnet\n").append(s.detail()).append("\n```\n");
        switch (s.kind()) {
            case LAYER -> Catalogue.layer(s.name()).ifPresent(l -> md.append('\n').append(l.doc()).append('\n'));
            case BLOCK -> md.append("\nblock declared in `").append(fileName(s.declaration())).append("`\n");
            case PARAM -> {
                List<String> values = a.result().facts().at(s.declaration());
                if (!values.isEmpty()) {
                    md.append("\nbound to: ").append(String.join(", ", values.stream().map(v -> "`" + v + "`").toList())).append('\n');
                }
            }
            case NETWORK -> network(a, s).ifPresent(g -> {
                CostModel.Report r = g.cost();
                md.append('\n').append(costLines(r.totalParams(), r.totalFlops(), GateCost.minFlops(r),
                        GateCost.expectedFlopsAtTargets(r), !r.units(GateCost.class).isEmpty()));
            });
            default -> value(a, s, md);
        }
        return md.toString();
    }

    private static void value(Analysis a, Symbol s, StringBuilder md) {
        List<String> facts = a.result().facts().at(s.declaration());
        if (!facts.isEmpty()) {
            md.append("\nper-sample ").append(facts.size() == 1 ? "value: " : "values: ")
                    .append(String.join(", ", facts.stream().map(v -> "`" + v + "`").toList())).append('\n');
        }
        Optional<CompiledNetwork> net = network(a, s);
        if (net.isEmpty() || s.kind() == Kind.INPUT) {
            return;
        }
        long params = 0;
        long flops = 0;
        double saved = 0;
        long gated = 0;
        boolean any = false;
        for (CostModel.Row row : net.get().cost().rows()) {
            if (owned(row.op().path(), s.name())) {
                params += row.params();
                flops += row.flops();
                any = true;
            }
        }
        List<GateCost> gates = net.get().cost().units(GateCost.class).stream().filter(g -> owned(g.path(), s.name())).toList();
        for (GateCost g : gates) {
            gated += g.bodyFlops();
            saved += (1 - g.target()) * g.bodyFlops();
        }
        if (any) {
            md.append('\n').append(costLines(params, flops, flops - gated, flops - saved, !gates.isEmpty()));
        }
    }

    /** Whether an op's path belongs to the network value {@code name}: the checker prefixes it with the name. */
    private static boolean owned(String path, String name) {
        return path.equals(name) || path.startsWith(name + ".");
    }

    private static String costLines(long params, long flops, long min, double expected, boolean adaptive) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "parameters: %,d  \n", params));
        if (adaptive) {
            sb.append(String.format(Locale.ROOT, "FLOPs per sample: min %,d / expected %,.0f / max %,d (gates at their targets)\n",
                    min, expected, flops));
        } else {
            sb.append(String.format(Locale.ROOT, "FLOPs per sample: %,d\n", flops));
        }
        return sb.toString();
    }

    /** The compiled network a symbol of this file belongs to: the last one declared at or before it. */
    private static Optional<CompiledNetwork> network(Analysis a, Symbol s) {
        CompiledNetwork best = null;
        for (CompiledNetwork n : a.result().networks()) {
            Span at = n.graph().span();
            if (at.file().equals(s.declaration().file()) && at.line() <= s.declaration().line()
                    && (best == null || at.line() > best.graph().span().line())) {
                best = n;
            }
        }
        return Optional.ofNullable(best);
    }

    /** On a {@code gate} or {@code exit} keyword: the construct's own cost, else its documentation. */
    private static Optional<String> construct(Analysis a, int line, int column) {
        List<String> parts = new ArrayList<>();
        for (CompiledNetwork n : a.result().networks()) {
            CostModel.Report r = n.cost();
            for (GateCost g : r.units(GateCost.class)) {
                Op.GatedResidual op = n.graph().gates().get(g.index());
                if (covers(op.origin(), a.name(), line, column)) {
                    parts.add(String.format(Locale.ROOT, "gate `%s`: target rate %s; its block costs %,d FLOPs per sample when open "
                            + "(min %,d / expected %,.0f / max %,d for this gate alone)", g.path(), g.target(), g.bodyFlops(), 0,
                            g.target() * g.bodyFlops(), g.bodyFlops()));
                }
            }
            List<ExitCost> exits = r.units(ExitCost.class);
            for (int k = 0; k < exits.size(); k++) {
                ExitCost x = exits.get(k);
                if (covers(n.graph().exits().get(k).origin(), a.name(), line, column)) {
                    parts.add(String.format(Locale.ROOT, "exit `%s` (%s): a sample leaving here costs %,d FLOPs, of which the head "
                            + "%,d; the network without exits costs %,d", x.name(), x.policy().name().toLowerCase(Locale.ROOT),
                            x.cumulativeFlops(), x.headFlops(), ExitCost.fullFlops(r)));
                }
            }
        }
        if (!parts.isEmpty()) {
            return Optional.of(String.join("\n\n", parts));
        }
        String word = Words.at(a.text(), line, column);
        return Catalogue.construct(word).map(c -> "```adnet\n" + c.label() + "\n```\n\n" + c.doc());
    }

    private static boolean covers(Span s, String file, int line, int column) {
        return s != null && s.file().equals(file) && s.line() == line && column >= s.column() && column < s.column() + s.length();
    }

    private static String fileName(Span s) {
        return java.nio.file.Path.of(s.file()).getFileName().toString();
    }
}
