package dev.adnet.compiler.ir;

import java.util.List;

/**
 * A checked train section: the loss as a weighted sum of terms, and the training set-up.
 *
 * @param terms the loss terms, each with its weight
 * @param config optimizer, schedule, epochs, batch size, seed
 * @param freezeBackbone whether only the exit heads train: every other op runs as at inference (batchnorm with
 *     its running statistics, no dropout) and its parameters get no gradient
 * @param policySchedule AdaShare's schedule for the shares' policies, or null (the policies learn with the weights
 *     from the first step)
 */
public record TrainSpec(List<LossTerm> terms, TrainingSetup config, Temperature temperature, ExitRamp exitRamp,
        boolean freezeBackbone, PolicySchedule policySchedule) {
    public TrainSpec {
        terms = List.copyOf(terms);
    }

    public TrainSpec(List<LossTerm> terms, TrainingSetup config) {
        this(terms, config, null, null, false, null);
    }

    public TrainSpec(List<LossTerm> terms, TrainingSetup config, Temperature temperature) {
        this(terms, config, temperature, null, false, null);
    }

    /**
     * {@code policy_schedule adashare(...)}: the fields of the runtime's {@code AdaShareSchedule}, which the emitter
     * writes out (warm-up epochs, the logits' Adam learning rate and L2 decay, curriculum speed, starting temperature
     * and its decay per policy pass, the held-out fraction, the number of policies sampled at the end).
     */
    public record PolicySchedule(int warmup, double policyLr, double policyWeightDecay, int curriculum, double temperature,
            double decay, double holdout, int samples) {}

    /**
     * SDN's schedule for the exits' loss weights: each exit's weight is multiplied by a factor that grows linearly
     * from {@code from} to {@code to} over training.
     */
    public record ExitRamp(double from, double to) {
        public double at(double progress) {
            return from + (to - from) * Math.max(0, Math.min(1, progress));
        }
    }

    /**
     * An exit head's share of the loss: {@code base} (a term on the output the exit stands for) applied to the head's
     * prediction instead, with {@code weight} = the base term's weight times the exit's.
     *
     * @param ramped whether {@link TrainSpec#exitRamp()} scales the weight over training
     */
    public record ExitLoss(int exit, LossTerm base, double weight, boolean ramped, String display) implements LossTerm {}

    /**
     * A temperature for every gate's Gumbel-softmax, overriding the gates' own: fixed when {@code from == to}, else
     * annealed geometrically over training, {@code from * (to / from)^progress}.
     */
    public record Temperature(double from, double to) {
        public double at(double progress) {
            return from == to ? from : from * Math.pow(to / from, Math.max(0, Math.min(1, progress)));
        }
    }

    /** One term of the loss. */
    public sealed interface LossTerm {
        double weight();

        /** How the term is shown in progress and metrics, e.g. {@code cross_entropy(logits)}. */
        String display();
    }

    /** Softmax cross-entropy of an output against one-hot targets, mean over the batch. */
    public record CrossEntropy(String output, double weight, double smoothing, String display) implements LossTerm {}

    /**
     * ConvNet-AIG's target-rate loss: mean over gates of (target - batch execution rate)^2.
     *
     * @param targets one target per gate, in gate order
     */
    public record TargetRate(double weight, double[] targets, String display) implements LossTerm {
        public TargetRate {
            targets = targets.clone();
        }

        @Override
        public double[] targets() {
            return targets.clone();
        }
    }

    /**
     * Holds the expected executed FLOPs (from the cost model and the batch's gate rates), as a fraction of the full
     * network, at or below {@code budget}: {@code max(0, expected - budget)^2}.
     *
     * @param gateFlops FLOPs per sample of each gated body, in gate order
     * @param fixedFlops FLOPs per sample that run whatever the gates decide
     */
    public record FlopsBudget(double weight, double budget, double[] gateFlops, double fixedFlops, String display)
            implements LossTerm {
        public FlopsBudget {
            gateFlops = gateFlops.clone();
        }

        @Override
        public double[] gateFlops() {
            return gateFlops.clone();
        }
    }

    /**
     * Self-distillation: an exit head learns from the final output's softmax at {@code temperature} (the teacher
     * gets no gradient). Only exits carry it, as an {@link ExitLoss}; on the output itself it would be zero.
     */
    public record Distill(String output, double weight, double temperature, String display) implements LossTerm {}

    /**
     * ACT's ponder cost: for each halting loop, its own ponder weight times the batch mean of {@code N + R}; the
     * term's weight multiplies them all.
     *
     * @param ponders each loop's ponder weight, in loop order
     */
    /**
     * {@code sparsity()} or {@code sharing()}: AdaShare's regularisers of the shares' policy logits, each share's term
     * weighted by its own option of the same name.
     */
    public record ShareTerm(ShareTermKind kind, double weight, String display) implements LossTerm {}

    /** Which AdaShare regulariser. */
    public enum ShareTermKind {
        /** Each task's mean over units of the cross-entropy of its logits against "skip". */
        SPARSITY,
        /** Over pairs of tasks and units, the unit-weighted absolute difference of their "select" logits. */
        SHARING
    }

    public record Ponder(double weight, double[] ponders, String display) implements LossTerm {
        public Ponder {
            ponders = ponders.clone();
        }

        @Override
        public double[] ponders() {
            return ponders.clone();
        }
    }

    /**
     * The Jacobian-norm regulariser of the fixed points (Bai, Koltun, Kolter 2021): for each, the Hutchinson estimate
     * {@code ||eps^T J_f(z*)||^2 / d} with one Gaussian {@code eps} per sample and step, averaged over the batch and
     * summed over the fixed points, and differentiated in full (through z* too).
     */
    public record Jacobian(double weight, String display) implements LossTerm {}

    /** Mean squared error of an output against targets of its shape. */
    public record MeanSquaredError(String output, double weight, String display) implements LossTerm {}
}
