package dev.adnet.compiler.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import dev.adnet.compiler.cost.ConstructCost;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.ExitCost;
import dev.adnet.compiler.cost.FixedPointCost;
import dev.adnet.compiler.cost.GateCost;
import dev.adnet.compiler.cost.LoopCost;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.HaltingMean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.lang.model.element.Modifier;

/**
 * Emits {@code units()}: one runtime descriptor per adaptive construct, in schedule order, with the cost model's
 * figures. A descriptor reads and sets the network's state through the fields the class declares for its construct
 * (the gates' and exits' modes, an exit's threshold buffer); a new construct adds its case to {@link #unit}.
 */
final class UnitsEmitter {
    private static final String RT = "dev.adnet.runtime";
    private static final String ADAPTIVE = "dev.adnet.runtime.adaptive";
    static final ClassName ADAPTIVE_UNIT = ClassName.get(RT, "AdaptiveUnit");
    static final ClassName UNIT_COST = ClassName.get(RT, "UnitCost");
    static final ClassName GATE_UNIT = ClassName.get(ADAPTIVE, "GateUnit");
    static final ClassName EXIT_UNIT = ClassName.get(ADAPTIVE, "ExitUnit");
    static final ClassName LOOP_UNIT = ClassName.get("dev.adnet.runtime.loop", "LoopUnit");

    /** Simple names {@code units()} refers to; no field of the generated class may shadow them. */
    static final String[] TYPE_NAMES = {"AdaptiveUnit", "UnitCost", "GateUnit", "ExitUnit", "LoopUnit"};

    private UnitsEmitter() {}

    /**
     * The method, or null for a network without adaptive constructs (it keeps {@code Network}'s empty default).
     *
     * @param graph the graph the class runs: its loops unrolled
     * @param loops the cost of each loop, from the graph before its loops were unrolled
     * @param bufferField the field holding the buffer of a given name
     */
    static MethodSpec units(Graph graph, List<LoopCost> loops, Function<String, String> bufferField) {
        List<CodeBlock> units = new ArrayList<>();
        java.util.Iterator<ConstructCost> constructs = CostModel.of(graph).units().iterator();
        // the unrolled graph's constructs and its loops (each ending in its halting mean), in schedule order
        for (Op op : graph.ops()) {
            if (op instanceof HaltingMean h) {
                units.add(loop(loops.stream().filter(l -> l.index() == h.loopIndex()).findFirst().orElseThrow()));
                continue;
            }
            if (!(op instanceof Op.RegionOp)) {
                continue;
            }
            ConstructCost c = constructs.next();
            if (c instanceof FixedPointCost || c instanceof dev.adnet.compiler.cost.OdeCost) {
                continue; // not a unit yet: its stopping is FixedPointNetwork's, its iterations the solver trace's
            }
            units.add(unit(c, bufferField));
        }
        if (units.isEmpty()) {
            return null;
        }
        return MethodSpec.methodBuilder("units")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("The adaptive units in schedule order; they read and set this instance's modes and thresholds.\n")
                .returns(ParameterizedTypeName.get(ClassName.get(List.class), ADAPTIVE_UNIT))
                .addStatement("return $T.of(\n$L)", List.class, CodeBlock.join(units, ",\n"))
                .build();
    }

    /** A loop's descriptor; a gated loop's gates read and set the network's gate mode. */
    private static CodeBlock loop(LoopCost l) {
        CodeBlock cost = CodeBlock.of("new $T($LL, $LL)", UNIT_COST, l.flops(), l.saved());
        if (l.gated()) {
            return CodeBlock.of("new $T($L, $S, $L, $L, $LL, $L,$W() -> gateMode,$Wmode -> gateMode = mode)", LOOP_UNIT, l.index(),
                    l.path(), cost, l.cap(), l.stepFlops(), JavaEmitter.lit(l.target()));
        }
        return CodeBlock.of("new $T($L, $S, $L, $L, $LL, $T.NaN, null, null)", LOOP_UNIT, l.index(), l.path(), cost, l.cap(),
                l.stepFlops(), Double.class);
    }

    private static CodeBlock unit(ConstructCost c, Function<String, String> bufferField) {
        CodeBlock cost = CodeBlock.of("new $T($LL, $LL)", UNIT_COST, c.flops(), c.saved());
        if (c instanceof GateCost g) {
            return CodeBlock.of("new $T($L, $S, $L, $L,$W() -> gateMode,$Wmode -> gateMode = mode)", GATE_UNIT, g.index(),
                    g.path(), cost, JavaEmitter.lit(g.target()));
        }
        if (c instanceof ExitCost x) {
            return CodeBlock.of("new $T($L, $S, $S, $L, $LL,$WEXIT_POLICIES[$L],$W$L,$W() -> exitMode,$Wmode -> exitMode = mode)",
                    EXIT_UNIT, x.index(), x.name(), x.path(), cost, x.cumulativeFlops(), x.index(),
                    bufferField.apply(x.op().thresholdBuffer().name()));
        }
        throw new IllegalStateException("no unit descriptor for " + c.op().kind());
    }
}
