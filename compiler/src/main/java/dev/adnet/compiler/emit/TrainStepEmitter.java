package dev.adnet.compiler.emit;

import static dev.adnet.compiler.emit.JavaEmitter.*;

import com.palantir.javapoet.MethodSpec;
import dev.adnet.compiler.emit.BackwardPlanner.Step;
import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.HaltingMean;
import dev.adnet.compiler.ir.Ode;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.TrainSpec;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The training step: the public guarded {@code trainStep}, and the step itself: the training program's
 * forward, the loss terms ({@link LossTerms}), the backward pass ({@link BackwardEmitter}) and the outputs.
 */
final class TrainStepEmitter {
    private final JavaEmitter.Emission em;

    TrainStepEmitter(JavaEmitter.Emission em) {
        this.em = em;
    }

    /** The public {@code trainStep}: one at a time per instance, in a workspace like inference. */
    MethodSpec trainStepGuarded() {
        return MethodSpec.methodBuilder("trainStep")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("One training step; a step entered while another runs on this instance throws"
                        + " {@link IllegalStateException}.\n")
                .returns(STEP_RESULT)
                .addParameter(BATCH, "batch")
                .addParameter(STEP_CONTEXT, "context")
                .addStatement("trainingGuard.enter()")
                .addStatement("$T workspace = workspaces.acquire()", WORKSPACE)
                .beginControlFlow("try")
                .addStatement("return trainStep(batch, context, workspace.arena())")
                .nextControlFlow("finally")
                .addStatement("workspaces.release(workspace)")
                .addStatement("trainingGuard.exit()")
                .endControlFlow()
                .build();
    }

    MethodSpec trainStep() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("trainStep")
                .addModifiers(Modifier.PRIVATE)
                .returns(STEP_RESULT)
                .addParameter(BATCH, "batch")
                .addParameter(STEP_CONTEXT, "context")
                .addParameter(ARENA, "arena");
        // a copy: the names of this method's scratch locals do not leak into others
        Names.Scope scope = new Names.Scope(em.localScope);
        em.readInputs(m, "batch.inputs()", "input");
        em.inTrainStep = true;
        em.nhwc = em.channelsLast;
        if (em.nhwc) {
            em.toChannelsLast(m);
        }
        TrainSpec.Temperature anneal = em.graph.training().temperature();
        if (anneal != null && anneal.from() != anneal.to()) {
            m.addComment("the gates' temperature, annealed geometrically from $L to $L over training", lit(anneal.from()),
                    lit(anneal.to()));
            m.addStatement("double temperature = $L * Math.pow($L / $L, Math.max(0.0, Math.min(1.0, context.progress())))",
                    lit(anneal.from()), lit(anneal.to()), lit(anneal.from()));
        }
        TrainSpec.ExitRamp ramp = em.graph.training().exitRamp();
        if (ramp != null) {
            m.addComment("the exits' loss weights, ramped linearly from $L to $L over training", lit(ramp.from()), lit(ramp.to()));
            m.addStatement("double exitRamp = $L + $L * Math.max(0.0, Math.min(1.0, context.progress()))", lit(ramp.from()),
                    lit(ramp.to() - ramp.from()));
        }
        List<Op> ops = em.trainingProgram.ops();
        for (int i = 0; i < ops.size(); i++) {
            FixedPoint fixedPoint = em.fixedPoints.atBodyStart(em.trainingProgram, i);
            if (fixedPoint != null) {
                em.fixedPoints.forward(m, fixedPoint, true);
                i = em.trainingProgram.end(fixedPoint.bodyRegion());
                continue;
            }
            Ode ode = em.odes.atBodyStart(em.trainingProgram, i);
            if (ode != null) {
                em.odes.forward(m, ode, true);
                i = em.trainingProgram.end(ode.bodyRegion());
                continue;
            }
            HaltingMean act = em.acts.startingAt(ops.get(i));
            if (act != null) {
                i = em.acts.forward(m, act, ops, i);
                continue;
            }
            // a frozen backbone runs as at inference: running statistics, no dropout, no state updated
            em.opEmitter.forwardOp(m, ops.get(i), !em.graph.frozen(em.index(ops.get(i))));
        }
        em.losses.losses(m, scope);
        // backward
        List<Step> steps = em.plan.steps();
        for (int i = 0; i < steps.size(); i++) {
            int guarded = em.acts.backward(m, scope, steps, i);
            if (guarded > 0) {
                i += guarded - 1;
                continue;
            }
            em.stepIndex = i;
            em.backward.backwardStep(m, scope, steps.get(i));
        }
        em.stepIndex = -1;
        if (!em.plan.zeroed().isEmpty()) {
            m.addComment("parameters the loss does not depend on");
            for (String p : em.plan.zeroed()) {
                m.addStatement("$L.assign(0.0)", em.paramGradField.get(p));
            }
        }
        em.losses.parameterTermGradients(m);
        em.nhwc = false;
        em.inTrainStep = false;
        em.returnOutputs(m, false);
        if (HaltingLoopEmitter.loops(em.graph).isEmpty()) {
            m.addStatement("return new $T(loss, terms, outputs)", STEP_RESULT);
        } else {
            m.addStatement("return new $T(loss, terms, outputs, $L)", STEP_RESULT,
                    HaltingLoopEmitter.measures(em.graph, h -> em.aux(h, "steps")));
        }
        return m.build();
    }
}
