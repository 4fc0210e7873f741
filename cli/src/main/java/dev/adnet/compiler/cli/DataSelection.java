package dev.adnet.compiler.cli;

import dev.adnet.compiler.emit.BackwardPlanner;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.runtime.TensorSpec;
import dev.adnet.runtime.data.DataException;
import dev.adnet.runtime.data.DataSchema;
import dev.adnet.runtime.data.DataSources;
import dev.adnet.runtime.data.DataSpec;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The data of {@code train}, {@code eval} and {@code calibrate}: {@code --data} (training data), {@code --test}
 * (evaluation data) and {@code --holdout} (a count, or a fraction below 1, of the training data kept out of training),
 * or Fashion-MNIST without {@code --data}. Opening, matching to the network and normalising are the runtime's
 * ({@link DataSources}); this class decides which data plays which part and says so.
 */
final class DataSelection {
    /** Without --test, this part of the user's training data is held out for evaluation. */
    static final double DEFAULT_HOLDOUT = 0.1;

    private DataSelection() {}

    /** What the network needs: its inputs, and per output what its loss takes. */
    static DataSchema schema(LoadedNetwork loaded) {
        Map<String, DataSchema.Kind> kinds = new HashMap<>();
        TrainSpec training = loaded.compiled().graph().training();
        if (training != null) {
            for (TrainSpec.LossTerm t : training.terms()) {
                TrainSpec.LossTerm base = t instanceof TrainSpec.ExitLoss el ? el.base() : t;
                if (base instanceof TrainSpec.CrossEntropy || base instanceof TrainSpec.MeanSquaredError) {
                    kinds.putIfAbsent(BackwardPlanner.outputOf(base),
                            base instanceof TrainSpec.CrossEntropy ? DataSchema.Kind.CLASSES : DataSchema.Kind.VALUES);
                }
            }
        }
        List<DataSchema.Target> targets = new ArrayList<>();
        for (TensorSpec o : loaded.network().outputs()) {
            DataSchema.Kind k = kinds.get(o.name());
            if (k == null) {
                // an untrained network (eval of a plain classifier): class scores are read as classes
                k = training == null && o.shape().length == 1 ? DataSchema.Kind.CLASSES : DataSchema.Kind.NONE;
            }
            targets.add(new DataSchema.Target(o.name(), o.shape(), k));
        }
        return new DataSchema(loaded.network().name(), loaded.network().inputs(), targets);
    }

    /** The number of samples {@code --holdout} names: a count, or a fraction in (0, 1) of {@code size}. */
    static int holdoutCount(String value, int size) {
        double v;
        try {
            v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new DataException("--holdout must be a count of samples or a fraction below 1, not '" + value + "'");
        }
        int n = v > 0 && v < 1 ? (int) Math.round(v * size) : v >= 1 && v == Math.rint(v) ? (int) v : -1;
        if (n < 1 || n >= size) {
            throw new DataException("--holdout " + value + " must leave at least one sample on each side of the " + size
                    + " training samples");
        }
        return n;
    }

    private static boolean isZero(String holdout) {
        try {
            return holdout != null && Double.parseDouble(holdout) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Training and evaluation sets.
     *
     * @param train what training runs on (normalised)
     * @param test what each epoch is evaluated on (normalised with the training data's normalisation)
     * @param lines what to tell the user about them
     */
    record Split(Dataset train, Dataset test, List<String> lines) {}

    static Split forTraining(LoadedNetwork loaded, Path data, Path test, String holdout) {
        DataSchema schema = schema(loaded);
        List<String> lines = new ArrayList<>();
        Dataset train;
        Dataset eval;
        if (data == null) {
            FashionMnist.Source source = FashionMnist.locate(null);
            lines.add("data: " + source.describe());
            train = DataSources.match(source.train().asPositional(), schema, true);
            eval = test != null ? DataSources.open(test, schema, DataSources.Part.TEST, true)
                    : DataSources.match(source.test().asPositional(), schema, true);
            if (holdout != null) {
                // Fashion-MNIST keeps its last training images out, as adnet calibrate expects
                int n = holdoutCount(holdout, train.size());
                train = train.slice(0, train.size() - n);
                lines.add("held out for calibration: the last " + n + " training images");
            }
        } else {
            train = DataSources.open(data, schema, DataSources.Part.TRAIN, true);
            lines.add("data: " + train.name() + " (" + train.size() + " samples)");
            Dataset held = null;
            if (test != null && isZero(holdout)) {
                holdout = null; // a separate test set: --holdout 0 trains on every sample, as no --holdout does
            }
            if (holdout != null || test == null) {
                int n = holdoutCount(holdout != null ? holdout : Double.toString(DEFAULT_HOLDOUT), train.size());
                Dataset[] parts = train.holdout(n);
                train = parts[0];
                held = parts[1];
                lines.add(String.format(Locale.ROOT, "held out: %d of the training samples (%s)%s", n, holdout != null
                        ? "--holdout " + holdout : "10%, no --test given", test == null ? ", evaluated on each epoch" : ""));
            }
            if (test != null) {
                eval = DataSources.open(test, schema, DataSources.Part.TEST, true);
                DataSources.checkSameClasses(train, eval);
                lines.add("test: " + eval.name() + " (" + eval.size() + " samples)");
            } else {
                eval = held;
            }
        }
        DataSources.checkFinite(train);
        DataSources.checkFinite(eval);
        train = train.normalised(Map.of());
        eval = eval.normalised(train.spec().normalisation());
        return new Split(train, eval, lines);
    }

    /** Evaluation data for a checkpoint: {@code --test}, else the held-out part of {@code --data}, else Fashion-MNIST's test set. */
    static Dataset forEvaluation(LoadedNetwork loaded, Path data, Path test, String holdout, DataSpec spec, List<String> lines) {
        DataSchema schema = schema(loaded);
        Dataset eval;
        if (test != null) {
            eval = DataSources.open(test, schema, DataSources.Part.TEST, true);
            lines.add("data: " + eval.name() + " (" + eval.size() + " samples)");
        } else if (data != null) {
            Dataset all = DataSources.open(data, schema, DataSources.Part.TRAIN, true);
            int n = holdoutCount(holdout != null ? holdout : Double.toString(DEFAULT_HOLDOUT), all.size());
            eval = all.holdout(n)[1];
            lines.add("data: the " + n + " held-out samples of " + all.name());
        } else {
            FashionMnist.Source source = FashionMnist.locate(null);
            lines.add("data: " + source.describe());
            eval = DataSources.match(source.test().asPositional(), schema, true);
        }
        return prepared(eval, spec);
    }

    /** Checks {@code d}'s classes against the checkpoint's, checks it is finite, normalises it as training did. */
    static Dataset prepared(Dataset d, DataSpec spec) {
        for (Map.Entry<String, Dataset.Target> e : d.targets().entrySet()) {
            List<String> trained = spec.classNames().get(e.getKey());
            List<String> have = e.getValue().classNames();
            if (trained != null && have != null && !trained.equals(have) && !isDefault(have)) {
                throw new DataException(d.name() + ": its classes of '" + e.getKey() + "' (" + String.join(", ", have)
                        + ") differ from those the checkpoint was trained on (" + String.join(", ", trained) + ")");
            }
        }
        DataSources.checkFinite(d);
        return d.normalised(spec.normalisation());
    }

    private static boolean isDefault(List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            if (!names.get(i).equals(Integer.toString(i))) {
                return false;
            }
        }
        return true;
    }

    /** The data a checkpoint records, or Fashion-MNIST's for checkpoints written before data was recorded. */
    static DataSpec spec(dev.adnet.runtime.checkpoint.Checkpoint c, LoadedNetwork loaded) {
        if (c.data() != null) {
            return c.data();
        }
        return DataSpec.fashionMnist(loaded.network().inputs().get(0).name(), loaded.network().outputs().get(0).name());
    }
}
