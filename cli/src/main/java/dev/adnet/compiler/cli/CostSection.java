package dev.adnet.compiler.cli;

import dev.adnet.compiler.cost.CostModel;
import java.util.List;
import java.util.Locale;

/**
 * One kind of adaptive construct's section of {@code adnet describe}, after the cost table: what its constructs cost
 * and what they can save. {@code describe} runs on the compiler alone, so these read the cost model, not the
 * runtime's units. A new construct adds its section to {@link #ALL}.
 */
interface CostSection {
    /** Every kind's section, in the order they are printed. */
    List<CostSection> ALL = List.of(new GateCostSection(), new ExitCostSection(), new LoopCostSection(),
            new FixedPointCostSection(), new OdeCostSection(), new TreeCostSection());

    /** Appends the section when the network has constructs of this kind; {@code width} is the layer column's. */
    void append(StringBuilder sb, CostModel.Report r, int width);

    /** A count with thousands separators. */
    static String group(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    /** {@code part} as a percentage of {@code whole}, with one decimal. */
    static String percent(double part, double whole) {
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }
}
