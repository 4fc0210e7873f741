package dev.adnet.runtime.train;

import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.checkpoint.Checkpoint;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.checkpoint.TrainerState;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.DataSpec;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training loop: epochs over a {@link DataLoader}, one {@link TrainableNetwork#trainStep} and one
 * {@link Optimizer#step} per batch with the scheduled learning rate, evaluation on a test loader after every
 * epoch, metrics, checkpoints ({@code last.ckpt} after every epoch, {@code best.ckpt} when the evaluation metric
 * improves) and resumption.
 *
 * <p>A NaN or infinity in the loss or in any gradient stops training with a {@link TrainingException} before the
 * optimizer touches the parameters; no checkpoint is written then, so the last good one is kept. A stop request
 * ({@link #requestStop()}, or Ctrl-C through the shutdown hook) finishes the current step, writes
 * {@code last.ckpt} for it and returns.
 *
 * <p>Given the same seed, data, initial parameters and a deterministic network, training is deterministic:
 * the data order depends only on the loader's seed and the epoch, the per-step seed only on the training seed and
 * the step, and the optimizers update element by element in a fixed order. Resuming from a checkpoint (also one
 * written mid-epoch) continues exactly as if training had not stopped.
 */
public final class Trainer {
    /** The trainer's settings. */
    public static final class Options {
        int epochs = 1;
        double learningRate = Double.NaN;
        long seed;
        Path outputDirectory;
        PrintStream progress;
        ProgressBar.Mode progressMode = ProgressBar.Mode.AUTO;
        boolean shutdownHook = true;
        long stopAfterStep = -1;
        DataSpec data;

        /** The training data's normalisation and class names, recorded in every checkpoint (null: none). */
        public Options data(DataSpec d) {
            this.data = d;
            return this;
        }

        public Options epochs(int e) {
            this.epochs = e;
            return this;
        }

        /** The base learning rate; defaults to the optimizer configuration's. */
        public Options learningRate(double lr) {
            this.learningRate = lr;
            return this;
        }

        public Options seed(long s) {
            this.seed = s;
            return this;
        }

        /** Where {@code last.ckpt}, {@code best.ckpt}, {@code metrics.csv} and {@code metrics.json} go; null for none. */
        public Options outputDirectory(Path d) {
            this.outputDirectory = d;
            return this;
        }

        /** Where progress is shown; null for nowhere. */
        public Options progress(PrintStream out, ProgressBar.Mode mode) {
            this.progress = out;
            this.progressMode = mode;
            return this;
        }

        /** Whether to install a shutdown hook that checkpoints on Ctrl-C (default true). */
        public Options shutdownHook(boolean on) {
            this.shutdownHook = on;
            return this;
        }

        /** Stops as on Ctrl-C once the global step count reaches {@code steps} (a step budget; -1 for none). */
        public Options stopAfterStep(long steps) {
            this.stopAfterStep = steps;
            return this;
        }
    }

    /**
     * What {@link #fit} did.
     *
     * @param completed whether all epochs ran (false if stopped on request)
     * @param state where training stands
     * @param history the metrics of the epochs this call completed
     */
    public record Result(boolean completed, TrainerState state, List<EpochMetrics> history) {
        public Result {
            history = List.copyOf(history);
        }
    }

    public static final String LAST = "last.ckpt";
    public static final String BEST = "best.ckpt";

    private final TrainableNetwork net;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final Options options;
    private final double baseRate;
    private final ProgressBar bar;
    private TrainerState state;
    private volatile boolean stopRequested;
    private volatile CountDownLatch finished;

    public Trainer(TrainableNetwork net, Optimizer optimizer, LearningRateSchedule schedule, double baseRate, Options options) {
        this.net = net;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.options = options;
        this.baseRate = Double.isNaN(options.learningRate) ? baseRate : options.learningRate;
        this.bar = new ProgressBar(options.progress, options.progressMode);
        this.state = TrainerState.start(options.seed);
    }

    /** A trainer with the optimizer and schedule of {@code config} (epochs and seed from {@code config} too). */
    public static Trainer create(TrainableNetwork net, TrainingConfig config, Options options) {
        options.epochs(config.epochs()).seed(config.seed());
        return new Trainer(net, Optimizers.create(config.optimizer()), LearningRateSchedule.of(config.schedule()),
                config.optimizer().learningRate(), options);
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public TrainerState state() {
        return state;
    }

    /** Loads parameters, buffers, optimizer state and the trainer state from {@code checkpoint}. */
    public Checkpoint resume(Path checkpoint) {
        Checkpoint c = Checkpoints.load(checkpoint, net, optimizer);
        state = c.trainer();
        if (state.seed() != options.seed) {
            bar.message("note: resuming with the checkpoint's seed " + state.seed() + ", not " + options.seed);
        }
        bar.message(String.format(Locale.ROOT, "resumed from %s at epoch %d, batch %d (step %d)", checkpoint,
                state.epoch() + 1, state.batchInEpoch(), state.step()));
        return c;
    }

    /** Asks the loop to stop after the current step and checkpoint it (what Ctrl-C does). */
    public void requestStop() {
        stopRequested = true;
    }

    public Result fit(DataLoader train, DataLoader test) {
        Thread hook = null;
        finished = new CountDownLatch(1);
        if (options.shutdownHook) {
            CountDownLatch done = finished;
            hook = new Thread(() -> {
                requestStop();
                try {
                    done.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "adnet-trainer-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        }
        try {
            return loop(train, test);
        } finally {
            finished.countDown();
            if (hook != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down: the hook is running
                }
            }
        }
    }

    private Result loop(DataLoader train, DataLoader test) {
        int epochs = options.epochs;
        int spe = train.batchesPerEpoch();
        if (spe == 0) {
            throw new TrainingException("the training loader yields no batch (" + train.size() + " samples, batch size "
                    + train.batchSize() + ")");
        }
        String metricOutput = train.outputName();
        MetricsLog metrics = options.outputDirectory == null ? null : new MetricsLog(options.outputDirectory);
        List<EpochMetrics> history = new ArrayList<>();
        List<Parameter> params = net.trainableParameters();
        double lr = baseRate;
        boolean hasLabels = net.outputs().stream().anyMatch(o -> o.name().equals(metricOutput));
        TaskAccuracy taskAccuracy = new TaskAccuracy(net.tasks());
        while (state.epoch() < epochs) {
            int epoch = state.epoch();
            int first = state.batchInEpoch();
            double lossSum = state.epochLossSum();
            long samples = state.epochSamples();
            long correct = state.epochCorrect();
            long runSamples = 0;
            Map<String, Double> measureSums = new java.util.HashMap<>();
            long t0 = System.nanoTime();
            bar.startEpoch(epoch, epochs, spe, first);
            int b = first;
            for (Batch batch : train.epoch(epoch, first)) {
                long step = state.step();
                lr = schedule.rate(step, spe, epochs, baseRate);
                StepContext ctx = new StepContext(step, epoch, step / (double) ((long) spe * epochs), stepSeed(state.seed(), step));
                StepResult r = net.trainStep(batch, ctx);
                checkFinite(r, step, epoch, b, params);
                optimizer.step(params, lr);
                long n = batch.size();
                r.measures().forEach((k, v) -> measureSums.merge(k, v * n, Double::sum));
                taskAccuracy.add(batch, r);
                lossSum += r.loss() * n;
                samples += n;
                runSamples += n;
                int[] labels = batch.labels().get(metricOutput);
                INDArray out = r.outputs().get(metricOutput);
                hasLabels = labels != null && out != null;
                if (labels != null && out != null) {
                    correct += Evaluator.correct(out, labels);
                }
                b++;
                state = new TrainerState(epoch, b, step + 1, state.bestMetric(), state.seed(), lossSum, samples, correct);
                double secs = (System.nanoTime() - t0) / 1e9;
                double sps = runSamples / Math.max(secs, 1e-9);
                double eta = (spe - b) * secs / Math.max(1, b - first);
                bar.update(b, lossSum / samples, hasLabels ? correct / (double) samples : Double.NaN, sps, eta);
                if (stopRequested || (options.stopAfterStep >= 0 && state.step() >= options.stopAfterStep)) {
                    Path where = saveLast();
                    bar.message("stopped at epoch " + (epoch + 1) + ", batch " + b + " (step " + state.step() + ")"
                            + (where == null ? "" : "; checkpoint written to " + where));
                    return new Result(false, state, history);
                }
            }
            double trainSecs = (System.nanoTime() - t0) / 1e9;
            if (net instanceof dev.adnet.runtime.implicit.FixedPointNetwork f) {
                // the epoch's solves: mean iterations, and once per epoch the share that did not converge
                dev.adnet.runtime.implicit.SolverTrace.Summary solves = f.solverTrace().drain();
                bar.message(solves.text());
                if (solves.warning() != null) {
                    bar.message(solves.warning());
                }
            }
            if (net instanceof dev.adnet.runtime.implicit.OdeNetwork o) {
                dev.adnet.runtime.implicit.OdeTrace.Summary solves = o.odeTrace().drain();
                bar.message(solves.text());
                if (solves.warning() != null) {
                    bar.message(solves.warning());
                }
            }
            Map<String, Double> testAcc = new TreeMap<>();
            if (test != null) {
                testAcc.putAll(Evaluator.evaluate(net, test).accuracy());
            }
            double trainAcc = hasLabels && samples > 0 ? correct / (double) samples : Double.NaN;
            double metric = testAcc.getOrDefault(metricOutput, trainAcc);
            boolean improved = !Double.isNaN(metric) && (Double.isNaN(state.bestMetric()) || metric > state.bestMetric());
            double best = improved ? metric : state.bestMetric();
            EpochMetrics m = new EpochMetrics(epoch, state.step(), samples == 0 ? Double.NaN : lossSum / samples, trainAcc,
                    testAcc, lr, (System.nanoTime() - t0) / 1e9, runSamples / Math.max(trainSecs, 1e-9), taskAccuracy.drain());
            history.add(m);
            state = new TrainerState(epoch + 1, 0, state.step(), best, state.seed(), 0, 0, 0);
            if (metrics != null) {
                metrics.append(m);
            }
            Path last = saveLast();
            if (improved && last != null) {
                Checkpoints.save(options.outputDirectory.resolve(BEST), net, optimizer, state, options.data);
            }
            bar.endEpoch(summary(m, epochs, improved && last != null) + measures(measureSums, runSamples)
                    + TaskAccuracy.text(m.taskAccuracy()));
            if (stopRequested) {
                bar.message("stopped after epoch " + (epoch + 1) + (last == null ? "" : "; checkpoint written to " + last));
                return new Result(false, state, history);
            }
        }
        return new Result(true, state, history);
    }

    private Path saveLast() {
        if (options.outputDirectory == null) {
            return null;
        }
        Path p = options.outputDirectory.resolve(LAST);
        Checkpoints.save(p, net, optimizer, state, options.data);
        return p;
    }

    private void checkFinite(StepResult r, long step, int epoch, int batch, List<Parameter> params) {
        String where = "step " + step + " (epoch " + (epoch + 1) + ", batch " + (batch + 1) + ")";
        if (!Double.isFinite(r.loss())) {
            fail(where + ": the loss is " + r.loss() + terms(r));
        }
        for (Parameter p : params) {
            double s = p.gradient().sumNumber().doubleValue();
            if (!Double.isFinite(s)) {
                int i = Flat.of(p.gradient()).firstNonFinite();
                if (i >= 0) {
                    fail(where + ": the gradient of parameter " + p.name() + " is " + p.gradient().getDouble(i)
                            + " at element " + i);
                }
            }
        }
    }

    private static String terms(StepResult r) {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(r.terms()).forEach((k, v) -> {
            if (!Double.isFinite(v)) {
                s.append(s.length() == 0 ? " (non-finite terms: " : ", ").append(k).append(" = ").append(v);
            }
        });
        return s.length() == 0 ? "" : s.append(')').toString();
    }

    private void fail(String what) {
        String kept;
        Path last = options.outputDirectory == null ? null : options.outputDirectory.resolve(LAST);
        if (last != null && Files.exists(last)) {
            kept = "; the last good checkpoint " + last + " is kept";
        } else {
            kept = "; no checkpoint was written";
        }
        String msg = "training diverged at " + what + kept;
        bar.message(msg);
        throw new TrainingException(msg);
    }

    /** The epoch means of the steps' measures (a halting loop's ponder time), over the samples this run trained on. */
    private static String measures(Map<String, Double> sums, long samples) {
        StringBuilder s = new StringBuilder();
        new TreeMap<>(sums).forEach((k, v) -> s.append(String.format(Locale.ROOT, "; %s %.3f", k, v / Math.max(1, samples))));
        return s.toString();
    }

    private static String summary(EpochMetrics m, int epochs, boolean best) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d: loss %.4f", m.epoch() + 1, epochs,
                m.trainLoss()));
        if (!Double.isNaN(m.trainAccuracy())) {
            s.append(String.format(Locale.ROOT, " train acc %.2f%%", 100 * m.trainAccuracy()));
        }
        m.testAccuracy().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> s.append(
                String.format(Locale.ROOT, " test acc %s%.2f%%", m.testAccuracy().size() > 1 ? e.getKey() + " " : "",
                        100 * e.getValue())));
        s.append(String.format(Locale.ROOT, " lr %.3g %.1fs %.0f samples/s", m.learningRate(), m.seconds(),
                m.samplesPerSecond()));
        if (best) {
            s.append(" (best)");
        }
        return s.toString();
    }

    /** The seed of step {@code step}'s randomness: a mix of the training seed and the step. */
    public static long stepSeed(long seed, long step) {
        long z = seed * 0x9E3779B97F4A7C15L + step;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
