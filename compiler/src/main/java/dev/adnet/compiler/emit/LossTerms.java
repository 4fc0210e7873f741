package dev.adnet.compiler.emit;

import static dev.adnet.compiler.emit.JavaEmitter.*;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.adnet.compiler.emit.BackwardPlanner.Seed;
import dev.adnet.compiler.emit.BackwardPlanner.Write;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loss terms of the training step: each term's value and the seeds of the backward pass, the weighted sum
 * and the map of terms by name.
 */
final class LossTerms {
    private final JavaEmitter.Emission em;

    LossTerms(JavaEmitter.Emission em) {
        this.em = em;
    }

    /**
     * The loss terms after the training forward: each term's value and the seeds of the backward pass (its
     * gradient, scaled by its weight), then {@code loss}, their weighted sum, and {@code terms}, by name.
     */
    void losses(MethodSpec.Builder m, Names.Scope scope) {
        List<TrainSpec.LossTerm> terms = em.graph.training().terms();
        String[] termVars = new String[terms.size()];
        Map<String, Integer> outputIndex = new HashMap<>();
        for (int i = 0; i < em.graph.outputs().size(); i++) {
            outputIndex.put(em.graph.outputs().get(i).name(), i);
        }
        for (int ti = 0; ti < terms.size(); ti++) {
            if (BackwardPlanner.isGateTerm(terms.get(ti))) {
                termVars[ti] = gateTerm(m, scope, ti, terms.get(ti));
            } else if (terms.get(ti) instanceof TrainSpec.ShareTerm st) {
                termVars[ti] = scope.claim("term" + ti);
                m.addComment("loss term $L: $L, weight $L; its gradient goes into the policy logits after the backward pass", ti,
                        st.display(), lit(st.weight()));
                m.addStatement("double $L = $L", termVars[ti], em.shares.termValue(st));
            } else if (terms.get(ti) instanceof TrainSpec.Ponder) {
                termVars[ti] = scope.claim("term" + ti);
                m.addComment("loss term $L: ponder(), weight $L; its gradient flows back through the halting means",
                        ti, lit(terms.get(ti).weight()));
                m.addStatement("double $L = $L", termVars[ti], HaltingLoopEmitter.ponderTerm(em.graph, h -> em.aux(h, "steps")));
            } else if (terms.get(ti) instanceof TrainSpec.Jacobian) {
                termVars[ti] = scope.claim("term" + ti);
                m.addComment("loss term $L: jacobian(), weight $L; its gradient is added in the fixed points' backward",
                        ti, lit(terms.get(ti).weight()));
                m.addStatement("double $L = $L", termVars[ti], em.fixedPoints.jacobianTerm());
            }
        }
        for (Seed seed : em.plan.seeds()) {
            TrainSpec.LossTerm term = terms.get(seed.term());
            if (BackwardPlanner.isGateTerm(term)) {
                continue;
            }
            String output = BackwardPlanner.outputOf(term);
            Value value = seed.value();
            TrainSpec.LossTerm kind = term instanceof TrainSpec.ExitLoss el ? el.base() : term;
            m.addComment("loss term $L: $L, weight $L", seed.term(), commentText(term.display()),
                    weight(term));
            String target = scope.claim(em.v(value) + "_target");
            if (kind instanceof TrainSpec.Distill) {
                m.addComment("the teacher is the final output, which gets no gradient from this term");
                m.addStatement("$T $L = $L", INDARRAY, target, em.v(outputValue(output)));
            } else {
                m.addStatement("$T $L = OUTPUTS.get($L).checked(NAME, batch.targets(), $S, batchSize, dataType)",
                        INDARRAY, target, outputIndex.get(output), "target");
            }
            String grad = em.backward.gradTarget(m, scope, seed.write(), value, value.shape(), "v" + value.id());
            String termVar = scope.claim("term" + seed.term());
            termVars[seed.term()] = termVar;
            if (kind instanceof TrainSpec.CrossEntropy ce) {
                m.addStatement("double $L = $T.forward($L, $L, $L, $L)", termVar, op("SoftmaxCrossEntropy"),
                        em.v(value), target, lit(ce.smoothing()), grad);
            } else if (kind instanceof TrainSpec.Distill d) {
                m.addStatement("double $L = $T.forward($L, $L, $L, $L)", termVar, op("Distillation"), em.v(value), target,
                        lit(d.temperature()), grad);
            } else {
                m.addStatement("double $L = $T.forward($L, $L, $L)", termVar, op("MeanSquaredError"), em.v(value),
                        target, grad);
            }
            if (seed.write() != Write.SKIP && !weight(term).equals("1.0")) {
                m.addStatement("$T.scale($L, $L, $L)", ELEMENTWISE, grad, weight(term), grad);
            }
            em.backward.finishWrite(m, seed.write(), value, grad);
        }
        List<CodeBlock> sum = new ArrayList<>();
        for (int t = 0; t < terms.size(); t++) {
            sum.add(CodeBlock.of("$L * $L", weight(terms.get(t)), termVars[t]));
        }
        m.addStatement("double loss = $L", sum.isEmpty() ? CodeBlock.of("0.0") : CodeBlock.join(sum, " + "));
        m.addStatement("$T<$T, $T> terms = new $T<>()", MAP, String.class, Double.class, LINKED_HASH_MAP);
        for (int t = 0; t < terms.size(); t++) {
            m.addStatement("terms.merge($S, $L * $L, $T::sum)", terms.get(t).display(),
                    weight(terms.get(t)), termVars[t], Double.class);
        }
    }

    /** The gradients of the terms on parameters alone (AdaShare's), added after the backward pass wrote the others. */
    void parameterTermGradients(MethodSpec.Builder m) {
        for (TrainSpec.LossTerm t : em.graph.training().terms()) {
            if (t instanceof TrainSpec.ShareTerm st) {
                m.addComment("$L: its gradient on the policy logits", st.display());
                em.shares.termGradient(m, st);
            }
        }
    }

    private Value outputValue(String name) {
        for (Graph.Port p : em.graph.outputs()) {
            if (p.name().equals(name)) {
                return p.value();
            }
        }
        throw new IllegalStateException("no output " + name);
    }

    /** A loss term's weight as Java: a constant, or times the exit ramp for a ramped exit's term. */
    private static String weight(TrainSpec.LossTerm term) {
        return term instanceof TrainSpec.ExitLoss el && el.ramped() ? lit(term.weight()) + " * exitRamp" : lit(term.weight());
    }

    /**
     * A complexity term over every gate's decision: its value, and (scaled by its weight) its gradient with
     * respect to each gate's {@code z}, written as the seeds of the backward pass.
     */
    private String gateTerm(MethodSpec.Builder m, Names.Scope scope, int index, TrainSpec.LossTerm term) {
        List<Seed> seeds = em.plan.seeds().stream().filter(s -> s.term() == index).toList();
        m.addComment("loss term $L: $L, weight $L", index, commentText(term.display()), lit(term.weight()));
        List<String> zs = new ArrayList<>();
        List<String> grads = new ArrayList<>();
        for (Seed seed : seeds) {
            zs.add(em.v(seed.value()));
            grads.add(em.backward.gradTarget(m, scope, seed.write(), seed.value(), seed.value().shape(), "v" + seed.value().id() + "@t" + index));
        }
        String var = scope.claim("term" + index);
        CodeBlock zArray = CodeBlock.of("new $T[] {$L}", INDARRAY, String.join(", ", zs));
        CodeBlock gArray = CodeBlock.of("new $T[] {$L}", INDARRAY, String.join(", ", grads));
        if (term instanceof TrainSpec.TargetRate tr) {
            List<String> targets = new ArrayList<>();
            for (double d : tr.targets()) {
                targets.add(lit(d));
            }
            m.addStatement("double $L = $T.forward($L, new double[] {$L}, $L)", var, ClassName.get(ADAPTIVE, "TargetRateLoss"),
                    zArray, String.join(", ", targets), gArray);
        } else {
            TrainSpec.FlopsBudget fb = (TrainSpec.FlopsBudget) term;
            List<String> flops = new ArrayList<>();
            for (double d : fb.gateFlops()) {
                flops.add(lit(d));
            }
            m.addStatement("double $L = $T.forward($L, new double[] {$L}, $L, $L, $L)", var,
                    ClassName.get(ADAPTIVE, "FlopsBudgetLoss"), zArray, String.join(", ", flops), lit(fb.fixedFlops()),
                    lit(fb.budget()), gArray);
        }
        for (int s = 0; s < seeds.size(); s++) {
            Seed seed = seeds.get(s);
            if (seed.write() != Write.SKIP && term.weight() != 1.0) {
                m.addStatement("$T.scale($L, $L, $L)", ELEMENTWISE, grads.get(s), lit(term.weight()), grads.get(s));
            }
            em.backward.finishWrite(m, seed.write(), seed.value(), grads.get(s));
        }
        return var;
    }
}
