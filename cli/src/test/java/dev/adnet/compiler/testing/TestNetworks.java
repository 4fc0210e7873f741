package dev.adnet.compiler.testing;

import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.train.Batch;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the adaptive networks' tests share: random parameters with decisions that differ between samples, a small
 * batch for networks with input {@code x: [2, 6, 6]} and output {@code y: [3]}, and array comparison.
 */
public final class TestNetworks {
    private TestNetworks() {}

    /** Every parameter uniform in +-0.6 (around 1 for batchnorm scales). */
    public static void randomize(Network net, SplittableRandom rnd) {
        for (Parameter p : net.parameters()) {
            for (long i = 0; i < p.value().length(); i++) {
                double base = p.name().endsWith("gamma") ? 1.0 : 0.0;
                p.value().putScalar(i, base + 0.6 * (2 * rnd.nextDouble() - 1));
            }
        }
    }

    /** {@code n} random inputs {@code x [n, 2, 6, 6]} in +-1 with random one-hot targets {@code y [n, 3]}. */
    public static Batch batch(int n, SplittableRandom rnd, DataType type) {
        INDArray x = Nd4j.create(type, n, 2, 6, 6);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, 2 * rnd.nextDouble() - 1);
        }
        INDArray oneHot = Nd4j.zeros(type, n, 3);
        for (int b = 0; b < n; b++) {
            oneHot.putScalar(b, rnd.nextInt(3), 1.0);
        }
        return new Batch(Map.of("x", x), Map.of("y", oneHot), Map.of());
    }

    /** The largest absolute difference, compared in double. */
    public static double maxDiff(INDArray a, INDArray b) {
        return a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }
}
