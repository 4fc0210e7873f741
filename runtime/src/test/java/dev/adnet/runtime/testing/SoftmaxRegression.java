package dev.adnet.runtime.testing;

import dev.adnet.runtime.Buffer;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TensorSpec;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.OptimizerConfig;
import dev.adnet.runtime.train.ScheduleConfig;
import dev.adnet.runtime.train.StepResult;
import dev.adnet.runtime.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A hand-written trainable network for tests: softmax regression on flattened images, written with plain ND4J
 * calls. It keeps a buffer counting the samples it was trained on, and can be told to produce a NaN.
 */
public final class SoftmaxRegression implements TrainableNetwork {
    public static final String INPUT = "image";
    public static final String OUTPUT = "logits";

    private final String name;
    private final String hash;
    private final DataType type;
    private final int features;
    private final int classes;
    private final Parameter weight;
    private final Parameter bias;
    private final Buffer seen;
    /** The parameter list; tests may change it. */
    public final List<Parameter> params = new ArrayList<>();
    /** At this global step, put a NaN into {@link #nanTarget}'s gradient ("loss" for the loss); -1 for never. */
    public long nanAtStep = -1;
    public String nanTarget = "fc.weight";
    /** Called with the global step at the start of every training step. */
    public java.util.function.LongConsumer beforeStep = step -> {};
    public TrainingConfig config = new TrainingConfig(OptimizerConfig.sgd(0.1, 0.9, false, 1e-4), ScheduleConfig.constant(),
            2, 32, 1);

    public SoftmaxRegression(long seed) {
        this("softmax", "hash-1", DataType.FLOAT, 784, 10, "fc.bias", seed);
    }

    public SoftmaxRegression(String name, String hash, DataType type, int features, int classes, String biasName, long seed) {
        this.name = name;
        this.hash = hash;
        this.type = type;
        this.features = features;
        this.classes = classes;
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[features * classes];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextGaussian() * 0.01;
        }
        weight = new Parameter("fc.weight", Nd4j.create(w, new long[] {features, classes}, 'c').castTo(type),
                Nd4j.zeros(type, features, classes), true);
        bias = new Parameter(biasName, Nd4j.zeros(type, classes), Nd4j.zeros(type, classes), false);
        seen = new Buffer("stats.seen", Nd4j.zeros(type, 1));
        params.add(weight);
        params.add(bias);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String sourceHash() {
        return hash;
    }

    @Override
    public DataType dataType() {
        return type;
    }

    @Override
    public List<TensorSpec> inputs() {
        return List.of(new TensorSpec(INPUT, new long[] {1, 28, 28}));
    }

    @Override
    public List<TensorSpec> outputs() {
        return List.of(new TensorSpec(OUTPUT, new long[] {classes}));
    }

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    @Override
    public List<Buffer> buffers() {
        return List.of(seen);
    }

    private INDArray flat(Map<String, INDArray> in) {
        INDArray x = in.get(INPUT).castTo(type);
        return x.reshape('c', x.size(0), features);
    }

    private INDArray logits(INDArray x) {
        INDArray out = Nd4j.create(type, x.size(0), classes);
        Nd4j.gemm(x, weight.value(), out, false, false, 1.0, 0.0);
        out.addiRowVector(bias.value());
        return out;
    }

    @Override
    public Map<String, INDArray> forward(Map<String, INDArray> inputs) {
        return Map.of(OUTPUT, logits(flat(inputs)));
    }

    @Override
    public long flopsPerSample() {
        return 2L * features * classes;
    }

    @Override
    public StepResult trainStep(Batch batch, StepContext context) {
        beforeStep.accept(context.step());
        INDArray x = flat(batch.inputs());
        long n = x.size(0);
        INDArray y = batch.targets().get(OUTPUT).castTo(type);
        INDArray z = logits(x);
        INDArray p = Transforms.softmax(z, true);
        double loss = -Transforms.log(p, true).muli(y).sumNumber().doubleValue() / n;
        INDArray dz = p.sub(y).divi(n);
        Nd4j.gemm(x, dz, weight.gradient(), true, false, 1.0, 0.0);
        bias.gradient().assign(dz.sum(0));
        seen.value().addi(n);
        if (context.step() == nanAtStep) {
            if (nanTarget.equals("loss")) {
                loss = Double.NaN;
            } else {
                for (Parameter q : params) {
                    if (q.name().equals(nanTarget)) {
                        q.gradient().putScalar(3, Double.NaN);
                    }
                }
            }
        }
        return new StepResult(loss, Map.of("cross_entropy(logits)", loss), Map.of(OUTPUT, z));
    }

    @Override
    public TrainingConfig trainingConfig() {
        return config;
    }
}
