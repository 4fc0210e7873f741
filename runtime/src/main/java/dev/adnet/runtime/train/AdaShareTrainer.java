package dev.adnet.runtime.train;

import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.checkpoint.TrainerState;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.DataSpec;
import dev.adnet.runtime.share.AdaShareSchedule;
import dev.adnet.runtime.share.PolicyControl;
import dev.adnet.runtime.share.ScheduledShareNetwork;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * AdaShare's schedule ({@code train.py} of sunxm2357/AdaShare), one phase after another:
 * <ol>
 * <li>warm-up: {@code warmup} epochs over all training samples with every unit run; only the weights move;
 * <li>alternations, one per remaining epoch: a pass over the weight split that updates the weights (policies sampled,
 * the logits fixed), then a pass over the held-out policy split that updates only the logits, with their own Adam
 * (learning rate and L2 decay of the schedule); the curriculum samples and updates only the last {@code p / curriculum
 * + 1} units' policies in alternation {@code p}, and the temperature is multiplied by {@code decay} after each policy
 * pass;
 * <li>the choice: policies sampled from the learned distribution, each scored on the held-out split (the mean of
 * the tasks' accuracies), the best set as the network's argmax policy.
 * </ol>
 * Files in the output directory: {@code metrics.csv} and {@code metrics.json} (a row per warm-up epoch and
 * alternation: the weight pass's loss and task accuracies, the test accuracies), {@code last.ckpt} after every epoch
 * with the learned logits, {@code chosen.ckpt} with
 * the chosen policy as logits (what {@code adnet eval} and {@code adnet freeze} then run), {@code policy.txt} with every
 * sampled policy's held-out score. The weights keep the train section's optimizer and schedule over all their steps;
 * the reference switches them from Adam to SGD after warm-up, which this trainer does not.
 */
public final class AdaShareTrainer {
    public static final String CHOSEN = "chosen.ckpt";
    public static final String POLICY = "policy.txt";

    /**
     * What the schedule did.
     *
     * @param history each epoch's metrics (warm-up epochs and alternations)
     * @param chosen the chosen policy as text, {@code category: select skip; group: ...}
     * @param heldOut its accuracy per task on the held-out split
     */
    public record Result(List<EpochMetrics> history, String chosen, Map<String, Double> heldOut) {
        public Result {
            history = List.copyOf(history);
            heldOut = Map.copyOf(heldOut);
        }
    }

    private final ScheduledShareNetwork net;
    private final TrainingConfig config;
    private final AdaShareSchedule schedule;
    private final Path out;
    private final DataSpec data;
    private final Consumer<String> log;
    private final Optimizer weightOptimizer;
    private final Optimizer policyOptimizer;
    private final LearningRateSchedule rates;
    private final List<Parameter> weights = new ArrayList<>();
    private final List<Parameter> logits = new ArrayList<>();
    private final MetricsLog metrics;
    private long step;
    private long weightSteps;

    /**
     * @param out where the checkpoints and {@code policy.txt} go (null: nowhere)
     * @param progress where each phase is reported (null: nowhere)
     */
    public AdaShareTrainer(ScheduledShareNetwork net, TrainingConfig config, Path out, PrintStream progress, DataSpec data) {
        this.net = net;
        this.config = config;
        this.schedule = net.adaShareSchedule();
        this.out = out;
        this.data = data;
        this.metrics = out == null ? null : new MetricsLog(out);
        this.log = progress == null ? s -> { } : s -> {
            progress.println(s);
            progress.flush();
        };
        if (config.epochs() <= schedule.warmupEpochs()) {
            throw new TrainingException("AdaShare's schedule needs an epoch after its " + schedule.warmupEpochs()
                    + " warm-up epochs to learn the policies; " + config.epochs() + " epochs given");
        }
        this.weightOptimizer = Optimizers.create(config.optimizer());
        this.policyOptimizer = Optimizers.create(OptimizerConfig.adam(schedule.policyLearningRate(), 0, 0.9, 0.999, 1e-8));
        this.rates = LearningRateSchedule.of(config.schedule());
        // the logits in the network's order (tasks, then units), the weights in the parameters' own
        Set<String> names = new HashSet<>(net.policyLogits());
        Map<String, Parameter> byName = new java.util.HashMap<>();
        for (Parameter p : net.trainableParameters()) {
            if (names.contains(p.name())) {
                byName.put(p.name(), p);
            } else {
                weights.add(p);
            }
        }
        for (String n : net.policyLogits()) {
            logits.add(byName.get(n));
        }
    }

    /** The weight split, the held-out policy split: the last {@code holdout} of {@code train}'s samples held out. */
    public static DataLoader[] split(DataLoader train, double holdout, long seed) {
        int n = train.size();
        int held = (int) Math.round(n * holdout);
        if (held < train.batchSize() || n - held < train.batchSize()) {
            throw new TrainingException(String.format(Locale.ROOT, "AdaShare's holdout %.2f of %d samples leaves a split "
                    + "smaller than one batch of %d", holdout, n, train.batchSize()));
        }
        DataLoader w = DataLoader.builder(train.dataset().slice(0, n - held)).batchSize(train.batchSize()).shuffle(seed).build();
        DataLoader p = DataLoader.builder(train.dataset().slice(n - held, n)).batchSize(train.batchSize()).shuffle(seed + 1).build();
        return new DataLoader[] {w, p};
    }

    public Result fit(DataLoader train, DataLoader test) {
        DataLoader[] splits = split(train, schedule.holdout(), config.seed());
        int alternations = config.epochs() - schedule.warmupEpochs();
        long totalWeightSteps = (long) schedule.warmupEpochs() * train.batchesPerEpoch()
                + (long) alternations * splits[0].batchesPerEpoch();
        PolicyControl control = net.policyControl();
        double temperature = schedule.temperature();
        control.setTemperature(temperature);
        log.accept(String.format(Locale.ROOT, "AdaShare schedule: %d warm-up epochs on %d samples; %d alternations of weights "
                + "(%d samples) and policies (%d held-out samples, Adam lr %.3g); curriculum %d; temperature %.3g x %.3g per "
                + "policy pass; %d policies sampled at the end", schedule.warmupEpochs(), train.size(), alternations,
                splits[0].size(), splits[1].size(), schedule.policyLearningRate(), schedule.curriculum(), temperature,
                schedule.decay(), schedule.samples()));
        List<EpochMetrics> history = new ArrayList<>();
        int units = unitsPerShare();
        control.warmup(true);
        for (int e = 0; e < schedule.warmupEpochs(); e++) {
            Pass w = pass(train, e, weights, weightOptimizer, totalWeightSteps);
            history.add(epochEnd(history.size(), "warm-up " + (e + 1) + "/" + schedule.warmupEpochs() + ": weights", w, null, test));
        }
        control.warmup(false);
        for (int a = 0; a < alternations; a++) {
            int k = Math.min(units, a / schedule.curriculum() + 1);
            control.sampleLast(k);
            Pass w = pass(splits[0], a, weights, weightOptimizer, totalWeightSteps);
            Pass p = pass(splits[1], a, learnable(control), policyOptimizer, -1);
            temperature *= schedule.decay();
            control.setTemperature(temperature);
            history.add(epochEnd(history.size(), String.format(Locale.ROOT, "alternation %d/%d (policies of the last %d of %d "
                    + "units): weights", a + 1, alternations, k, units), w, p, test));
            log.accept("  select probabilities: " + probabilities() + String.format(Locale.ROOT, "; temperature now %.4g",
                    temperature));
        }
        return choose(splits[1], test, history);
    }

    /** The largest unit count of the shares (the policy logits of one task of one share). */
    private int unitsPerShare() {
        return net.policyLogits().stream().mapToInt(this::units).max().orElse(0);
    }

    /** The number of units of the share of the logits {@code name} ({@code <share>.policy.<task>.unit<k>}). */
    private int units(String name) {
        String task = name.substring(0, name.lastIndexOf('.'));
        return (int) net.policyLogits().stream().filter(n -> n.substring(0, n.lastIndexOf('.')).equals(task)).count();
    }

    /**
     * The logits the policy pass updates: those of the units whose policies {@code control} samples. The reference
     * masks the earlier units in the forward pass and the sparsity term, but its sharing term and its Adam's decay
     * still reach their logits; here the curriculum's earlier units keep their logits until their turn.
     */
    private List<Parameter> learnable(PolicyControl control) {
        List<Parameter> learnable = new ArrayList<>();
        for (Parameter p : logits) {
            int unit = Integer.parseInt(p.name().substring(p.name().lastIndexOf(".unit") + 5)) - 1;
            if (control.sampled(unit, units(p.name()))) {
                learnable.add(p);
            }
        }
        return learnable;
    }

    /** One pass's training loss and per-task accuracy (training-mode outputs). */
    private record Pass(double loss, Map<String, Double> accuracy, long samples, double seconds) {}

    /**
     * One pass over {@code loader}'s epoch {@code epoch}, updating {@code params} with {@code optimizer}; the weights'
     * learning rate follows the train section's schedule over their {@code totalWeightSteps} (-1: the policy's own rate).
     */
    private Pass pass(DataLoader loader, int epoch, List<Parameter> params, Optimizer optimizer, long totalWeightSteps) {
        TaskAccuracy acc = new TaskAccuracy(net.tasks());
        double lossSum = 0;
        long n = 0;
        long t0 = System.nanoTime();
        for (Batch batch : loader.epoch(epoch)) {
            double progress = totalWeightSteps > 0 ? weightSteps / (double) totalWeightSteps : 0;
            StepContext ctx = new StepContext(step, epoch, progress, Trainer.stepSeed(config.seed(), step));
            StepResult r = net.trainStep(batch, ctx);
            if (!Double.isFinite(r.loss())) {
                throw new TrainingException("training diverged at step " + step + ": the loss is " + r.loss());
            }
            double lr;
            if (totalWeightSteps > 0) {
                lr = rates.rate(weightSteps, Math.max(1, totalWeightSteps / config.epochs()), config.epochs(),
                        config.optimizer().learningRate());
                weightSteps++;
            } else {
                lr = schedule.policyLearningRate();
                for (Parameter p : params) {
                    p.gradient().addi(p.value().mul(schedule.policyWeightDecay()));
                }
            }
            optimizer.step(params, lr);
            acc.add(batch, r);
            lossSum += r.loss() * batch.size();
            n += batch.size();
            step++;
        }
        return new Pass(lossSum / Math.max(1, n), acc.drain(), n, (System.nanoTime() - t0) / 1e9);
    }

    private EpochMetrics epochEnd(int index, String what, Pass w, Pass p, DataLoader test) {
        Map<String, Double> testAcc = test == null ? Map.of() : p == null ? everyUnit(test) : Evaluator.evaluate(net, test).accuracy();
        double seconds = w.seconds() + (p == null ? 0 : p.seconds());
        long samples = w.samples() + (p == null ? 0 : p.samples());
        EpochMetrics m = new EpochMetrics(index, step, w.loss(), Double.NaN, testAcc, Double.NaN, seconds,
                samples / Math.max(seconds, 1e-9), w.accuracy());
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s loss %.4f%s", what, w.loss(),
                TaskAccuracy.text(w.accuracy())));
        if (p != null) {
            s.append(String.format(Locale.ROOT, "; policies loss %.4f", p.loss()));
        }
        if (!testAcc.isEmpty()) {
            s.append(p == null ? "; test acc (every unit run) " : "; test acc (argmax policy) ").append(PolicyChoice.accuracy(testAcc));
        }
        s.append(String.format(Locale.ROOT, "; %.1fs", seconds));
        log.accept(s.toString());
        if (metrics != null) {
            metrics.append(m);
        }
        save(Trainer.LAST, index + 1);
        return m;
    }

    /**
     * The test accuracy with every unit run, as the warm-up trains (the argmax of the untouched logits, a tie, would
     * skip every unit).
     */
    private Map<String, Double> everyUnit(DataLoader test) {
        PolicyChoice all = new PolicyChoice(net, logits);
        List<org.nd4j.linalg.api.ndarray.INDArray> learned = all.snapshot();
        boolean[] select = new boolean[logits.size()];
        java.util.Arrays.fill(select, true);
        all.set(select);
        Map<String, Double> acc = Evaluator.evaluate(net, test).accuracy();
        all.restore(learned);
        return acc;
    }

    private Result choose(DataLoader heldOut, DataLoader test, List<EpochMetrics> history) {
        PolicyChoice choice = new PolicyChoice(net, logits);
        List<org.nd4j.linalg.api.ndarray.INDArray> learned = choice.snapshot();
        List<boolean[]> policies = choice.sample(schedule.samples(), config.seed());
        List<PolicyChoice.Candidate> scored = choice.score(policies, heldOut);
        PolicyChoice.Candidate best = PolicyChoice.best(scored);
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "%d policies sampled (%d distinct), scored on %d held-out samples "
                + "(mean task accuracy):%n", schedule.samples(), scored.size(), heldOut.size()));
        for (PolicyChoice.Candidate c : scored) {
            report.append(String.format(Locale.ROOT, "%s %.2f%%  %s  (%s)%n", c == best ? "*" : " ", 100 * c.score(),
                    choice.text(c.select()), PolicyChoice.accuracy(c.accuracy())));
        }
        choice.set(best.select());
        String chosen = choice.text(best.select());
        report.append("chosen: ").append(chosen).append('\n');
        if (test != null) {
            report.append("chosen policy on the test samples: ").append(PolicyChoice.accuracy(Evaluator.evaluate(net, test)
                    .accuracy())).append('\n');
        }
        log.accept(report.toString().stripTrailing());
        save(CHOSEN, history.size());
        if (out != null) {
            try {
                Files.writeString(out.resolve(POLICY), report.toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        // last.ckpt keeps the learned distribution; the network itself leaves with the chosen policy
        List<org.nd4j.linalg.api.ndarray.INDArray> chosenLogits = choice.snapshot();
        choice.restore(learned);
        save(Trainer.LAST, history.size());
        choice.restore(chosenLogits);
        return new Result(history, chosen, best.accuracy());
    }

    private void save(String file, int epochs) {
        if (out == null) {
            return;
        }
        Checkpoints.save(out.resolve(file), net, weightOptimizer,
                new TrainerState(epochs, 0, step, Double.NaN, config.seed(), 0, 0, 0), data);
    }

    /** Each task's select probability per unit, {@code category 0.52 0.61 0.70; group ...}. */
    private String probabilities() {
        StringBuilder s = new StringBuilder();
        String task = null;
        for (Parameter p : logits) {
            String owner = p.name().substring(0, p.name().lastIndexOf('.'));
            String t = owner.substring(owner.lastIndexOf('.') + 1);
            if (!t.equals(task)) {
                s.append(task == null ? "" : "; ").append(t);
                task = t;
            }
            double sel = 1 / (1 + Math.exp(p.value().getDouble(1) - p.value().getDouble(0)));
            s.append(String.format(Locale.ROOT, " %.3f", sel));
        }
        return s.toString();
    }
}
