package dev.adnet.compiler.cli;

import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.checkpoint.CheckpointException;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.DataException;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.share.ScheduledShareNetwork;
import dev.adnet.runtime.train.AdaShareTrainer;
import dev.adnet.runtime.train.EpochMetrics;
import dev.adnet.runtime.train.ProgressBar;
import dev.adnet.runtime.train.Trainer;
import dev.adnet.runtime.train.TrainingConfig;
import dev.adnet.runtime.train.TrainingException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Compile a network in memory, train it on your data (--data; default Fashion-MNIST) and evaluate it each epoch.")
final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "an .adnet file with a train section")
    Path file;

    @Option(names = "--network", paramLabel = "NAME", description = "which network, when the file declares several")
    String networkName;

    @Option(names = "--data", paramLabel = "PATH", description = "training data: an .npz or .csv file, a directory of class "
            + "folders or of IDX files (default: Fashion-MNIST, Debian's, else the shipped subset)")
    Path data;

    @Option(names = "--test", paramLabel = "PATH", description = "evaluation data, as --data (default: Fashion-MNIST's test "
            + "set, or with --data a held-out part of it)")
    Path test;

    @Option(names = "--epochs", paramLabel = "N", description = "override the train section's epochs")
    Integer epochs;

    @Option(names = "--batch", paramLabel = "N", description = "override the batch size")
    Integer batch;

    @Option(names = "--lr", paramLabel = "X", description = "override the learning rate")
    Double learningRate;

    @Option(names = "--seed", paramLabel = "N", description = "override the seed")
    Long seed;

    @Option(names = "--limit", paramLabel = "N", description = "train on the first N training images only")
    Integer limit;

    @Option(names = "--holdout", paramLabel = "N", description = "keep N training samples (or a fraction, e.g. 0.1) out of "
            + "training: adnet calibrate uses them; with --data and no --test each epoch is evaluated on them (default 0.1)")
    String holdout;

    @Option(names = "--test-limit", paramLabel = "N", description = "evaluate on the first N test images only")
    Integer testLimit;

    @Option(names = "--out", paramLabel = "DIR", description = "checkpoints and metrics (default: runs/<network>)")
    Path out;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "continue from a checkpoint")
    Path resume;

    @Option(names = "--init", paramLabel = "CHECKPOINT", description = "start from the parameters and buffers of another "
            + "network's checkpoint wherever names and shapes match (e.g. a trained backbone for 'freeze backbone')")
    Path init;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto", description = "auto, redraw, plain or none")
    String progress;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter outText = spec.commandLine().getOut();
        ProgressBar.Mode mode;
        try {
            mode = ProgressBar.Mode.valueOf(progress.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            err.println("adnet: --progress must be auto, redraw, plain or none");
            return Main.USAGE;
        }
        if (positive(epochs, "--epochs", err) || positive(batch, "--batch", err) || positive(limit, "--limit", err)
                || positive(testLimit, "--test-limit", err) || learningRate != null && !(learningRate > 0)) {
            if (learningRate != null && !(learningRate > 0)) {
                err.println("adnet: --lr must be positive");
            }
            return Main.USAGE;
        }
        LoadedNetwork loaded = LoadedNetwork.load(file, networkName, seed == null ? Long.MIN_VALUE : seed, err);
        if (loaded == null) {
            return Main.DIAGNOSTICS;
        }
        if (!(loaded.network() instanceof TrainableNetwork net)) {
            err.println("adnet: network '" + loaded.network().name() + "' has no train section: add one with at least a loss");
            return Main.DIAGNOSTICS;
        }
        TrainingConfig config = net.trainingConfig();
        if (epochs != null) {
            config = config.withEpochs(epochs);
        }
        if (batch != null) {
            config = config.withBatchSize(batch);
        }
        if (seed != null) {
            config = config.withSeed(seed);
        }
        if (learningRate != null) {
            config = config.withLearningRate(learningRate);
        }
        try {
            DataSelection.Split split = DataSelection.forTraining(loaded, data, test, holdout);
            split.lines().forEach(outText::println);
            Dataset train = split.train();
            Dataset test = split.test();
            String input = net.inputs().get(0).name();
            String output = net.outputs().get(0).name();
            DataLoader trainLoader = DataLoader.builder(train).batchSize(config.batchSize()).shuffle(config.seed())
                    .limit(limit == null ? train.size() : Math.min(limit, train.size())).build();
            DataLoader testLoader = DataLoader.builder(test).batchSize(Math.max(config.batchSize(), 256))
                    .limit(testLimit == null ? test.size() : Math.min(testLimit, test.size())).build();
            Path dir = out != null ? out : Path.of("runs", net.name());
            outText.printf(Locale.ROOT, "network %s: %,d parameters, %,d FLOPs per sample; %d epochs of %d samples, batch %d%n",
                    net.name(), loaded.compiled().cost().totalParams(), net.flopsPerSample(), config.epochs(), trainLoader.size(),
                    config.batchSize());
            outText.flush();
            PrintStream progressStream = System.out;
            if (net instanceof ScheduledShareNetwork scheduled) {
                if (resume != null) {
                    err.println("adnet: --resume is not supported with AdaShare's policy_schedule: start the run again");
                    return Main.USAGE;
                }
                if (init != null) {
                    initialise(net, outText);
                }
                AdaShareTrainer.Result r = new AdaShareTrainer(scheduled, config, dir, progressStream, train.spec())
                        .fit(trainLoader, testLoader);
                outText.println("chosen policy: " + r.chosen() + "; held out: " + r.heldOut().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey()).map(e -> String.format(Locale.ROOT, "%s %.2f%%", e.getKey(),
                                100 * e.getValue())).collect(java.util.stream.Collectors.joining(", ")));
                outText.println("checkpoints (" + Trainer.LAST + ": the learned policy distribution; " + AdaShareTrainer.CHOSEN
                        + ": the chosen policy, for adnet eval and adnet freeze), " + AdaShareTrainer.POLICY + " and metrics in " + dir);
                outText.flush();
                return Main.OK;
            }
            Trainer trainer = Trainer.create(net, config, new Trainer.Options().outputDirectory(dir).progress(progressStream, mode)
                    .data(train.spec()));
            if (resume != null && init != null) {
                err.println("adnet: --resume continues a run, --init starts one: give one of them");
                return Main.USAGE;
            }
            if (resume != null) {
                trainer.resume(resume);
            }
            if (init != null) {
                initialise(net, outText);
            }
            Trainer.Result result = trainer.fit(trainLoader, testLoader);
            if (!result.history().isEmpty()) {
                EpochMetrics last = result.history().get(result.history().size() - 1);
                outText.println("final: " + describe(last));
            }
            if (result.completed()) {
                for (UnitEvaluation e : UnitEvaluation.of(net)) {
                    outText.println(e.title() + ", with the last epoch's parameters, on the test images:");
                    e.run(loaded, testLoader, output, dir, outText);
                }
                LoopEvaluation loops = LoopEvaluation.of(loaded);
                if (loops != null) {
                    outText.println("loops, with the last epoch's parameters, on the test images:");
                    loops.run(loaded, testLoader, output, dir, outText, train.spec());
                }
            }
            outText.println("checkpoints and metrics in " + dir);
            outText.flush();
            return result.completed() ? Main.OK : 130;
        } catch (DataException | CheckpointException | TrainingException e) {
            err.println("adnet: " + e.getMessage());
            return Main.DIAGNOSTICS;
        } catch (java.io.IOException e) {
            err.println("adnet: cannot write the report: " + e.getMessage());
            return Main.DIAGNOSTICS;
        }
    }

    private void initialise(TrainableNetwork net, PrintWriter outText) {
        Checkpoints.Initialised i = Checkpoints.initialise(init, net);
        outText.printf(Locale.ROOT, "initialised %d of %d parameters and %d of %d buffers from %s%s%n", i.parameters(),
                i.ofParameters(), i.buffers(), i.ofBuffers(), init, i.notFound().isEmpty() ? ""
                : "; not in it: " + String.join(", ", i.notFound().subList(0, Math.min(8, i.notFound().size())))
                + (i.notFound().size() > 8 ? ", ..." : ""));
        outText.flush();
    }

    /** One epoch's metrics for people: {@code epoch 2: train loss 0.4321, train accuracy 84.50%, test accuracy 83.20%}. */
    static String describe(EpochMetrics m) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "epoch %d: train loss %.4f", m.epoch() + 1, m.trainLoss()));
        if (!m.taskAccuracy().isEmpty()) {
            m.taskAccuracy().forEach((task, acc) -> s.append(String.format(Locale.ROOT, ", train accuracy %s %.2f%%", task, 100 * acc)));
        } else if (!Double.isNaN(m.trainAccuracy())) {
            s.append(String.format(Locale.ROOT, ", train accuracy %.2f%%", 100 * m.trainAccuracy()));
        }
        new TreeMap<>(m.testAccuracy()).forEach((output, acc) -> s.append(String.format(Locale.ROOT, ", test accuracy %s%.2f%%",
                m.testAccuracy().size() > 1 ? output + " " : "", 100 * acc)));
        return s.toString();
    }

    private static boolean positive(Integer v, String name, PrintWriter err) {
        if (v != null && v < 1) {
            err.println("adnet: " + name + " must be at least 1");
            return true;
        }
        return false;
    }
}
