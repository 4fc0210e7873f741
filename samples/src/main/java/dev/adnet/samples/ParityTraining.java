package dev.adnet.samples;

import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.Optimizer;
import dev.adnet.runtime.train.Optimizers;
import dev.adnet.runtime.train.StepResult;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains a parity sample ({@code ActParity}) through its generated class's Java API on fresh {@link ParityData}
 * each epoch, and after each epoch reports test accuracy and mean steps, overall and by the number of non-zero
 * entries (the difficulty curve of Graves' figure).
 *
 * <pre>
 * java -cp ... dev.adnet.samples.ParityTraining [NETWORK=ActParity] [epochs] [batchesPerEpoch]
 * </pre>
 */
public final class ParityTraining {
    private ParityTraining() {}

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "ActParity";
        TrainableNetwork net = (TrainableNetwork) SampleNetworks.create(name, DataType.FLOAT, 1);
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : net.trainingConfig().epochs();
        int batches = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int batch = net.trainingConfig().batchSize();
        String input = net.inputs().get(0).name();
        String output = net.outputs().get(0).name();
        int size = Math.toIntExact(net.inputs().get(0).shape()[0]);
        Optimizer optimizer = Optimizers.create(net.trainingConfig().optimizer());
        double lr = net.trainingConfig().optimizer().learningRate();
        ParityData test = ParityData.generate(4096, size, 12345, DataType.FLOAT);
        long step = 0;
        for (int e = 0; e < epochs; e++) {
            ParityData train = ParityData.generate(batches * batch, size, 1000 + e, DataType.FLOAT);
            double loss = 0;
            double ponder = 0;
            long t = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                Batch data = train.batch(input, output, b * batch, (b + 1) * batch);
                StepResult r = net.trainStep(data, new StepContext(step, e, (double) e / epochs, step));
                optimizer.step(net.trainableParameters(), lr);
                loss += r.loss() / batches;
                ponder += r.measures().values().stream().mapToDouble(Double::doubleValue).sum() / batches;
                step++;
            }
            double seconds = (System.nanoTime() - t) / 1e9;
            System.out.println(String.format(Locale.ROOT, "epoch %d: loss %.4f, mean ponder %.3f, %.1f s; ", e + 1, loss, ponder, seconds) + report(net, test, input, false));
        }
        System.out.println(report(net, test, input, true));
    }

    /** Accuracy and mean steps on {@code test}; with {@code curve}, by the number of non-zero entries, as CSV. */
    static String report(Network net, ParityData test, String input, boolean curve) {
        Prediction p = net.predict(java.util.Map.of(input, test.bits()));
        INDArray y = p.outputs().values().iterator().next();
        int size = Math.toIntExact(test.bits().size(1));
        int[] right = new int[size + 1];
        int[] count = new int[size + 1];
        long[] steps = new long[size + 1];
        for (int i = 0; i < test.size(); i++) {
            int k = test.nonZero()[i];
            int predicted = y.getDouble(i, 1) > y.getDouble(i, 0) ? 1 : 0;
            right[k] += predicted == test.labels()[i] ? 1 : 0;
            count[k]++;
            steps[k] += p.steps()[i].length > 0 ? p.steps()[i][0] : 1;
        }
        long allRight = 0;
        long allSteps = 0;
        StringBuilder csv = new StringBuilder("nonzero,samples,accuracy,mean_steps\n");
        for (int k = 1; k <= size; k++) {
            allRight += right[k];
            allSteps += steps[k];
            if (count[k] > 0) {
                csv.append(String.format(Locale.ROOT, "%d,%d,%.4f,%.3f%n", k, count[k], (double) right[k] / count[k],
                        (double) steps[k] / count[k]));
            }
        }
        String summary = String.format(Locale.ROOT, "test accuracy %.4f, mean steps %.3f", (double) allRight / test.size(),
                (double) allSteps / test.size());
        return curve ? summary + "\n" + csv : summary;
    }
}
