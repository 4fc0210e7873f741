package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.testing.Golden;
import dev.adnet.runtime.Buffer;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.ProgressBar;
import dev.adnet.runtime.train.Trainer;
import dev.adnet.runtime.train.TrainingConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training is bit-reproducible: the residual CNN of the golden sources (convolutions with stride and a 1x1
 * projection, batchnorm, global pooling, dense; SGD with Nesterov momentum and a cosine schedule), compiled in
 * memory the way {@code adnet train} compiles it, trained twice for one epoch on the same 256 shuffled samples with
 * the same seed, ends with bit-identical parameters and buffers.
 *
 * <p>This holds with OpenMP's default thread count (two on the 2-core build machines, oneDNN helpers enabled), so
 * the cli module's tests do not pin {@code OMP_NUM_THREADS=1}.
 */
class DeterminismTest {
    private static final Path SOURCE = Golden.dir("corpus").resolve("residual_cnn.adnet");

    /** Every parameter's and buffer's value after one epoch, as raw float bits, by name. */
    private static Map<String, int[]> trainOnce(Dataset data) {
        StringWriter diagnostics = new StringWriter();
        LoadedNetwork loaded = LoadedNetwork.load(SOURCE, null, 11, new PrintWriter(diagnostics));
        assertThat(loaded).as("%s", diagnostics).isNotNull();
        TrainableNetwork net = (TrainableNetwork) loaded.network();
        Map<String, int[]> initial = bits(net);
        TrainingConfig config = net.trainingConfig().withEpochs(1).withSeed(11);
        DataLoader loader = DataLoader.builder(data, net.inputs().get(0).name(), net.outputs().get(0).name())
                .batchSize(config.batchSize()).shuffle(config.seed()).build();
        Trainer trainer = Trainer.create(net, config, new Trainer.Options().progress(null, ProgressBar.Mode.NONE).shutdownHook(false));
        assertThat(trainer.fit(loader, null).completed()).isTrue();
        Map<String, int[]> after = bits(net);
        List<String> unchanged = new ArrayList<>();
        net.parameters().forEach(p -> {
            if (Arrays.equals(initial.get(p.name()), after.get(p.name()))) {
                unchanged.add(p.name());
            }
        });
        assertThat(unchanged).as("parameters training did not change").isEmpty();
        return after;
    }

    private static Map<String, int[]> bits(Network net) {
        Map<String, int[]> m = new LinkedHashMap<>();
        for (Parameter p : net.parameters()) {
            m.put(p.name(), bits(p.value()));
        }
        for (Buffer b : net.buffers()) {
            m.put(b.name(), bits(b.value()));
        }
        return m;
    }

    private static int[] bits(INDArray a) {
        float[] f = a.dup('c').data().asFloat();
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }

    @Test
    void sameSeedSameDataSameBits() {
        Dataset data = FashionMnist.locate(null).train().limit(256);
        Map<String, int[]> first = trainOnce(data);
        Map<String, int[]> second = trainOnce(data);
        assertThat(second.keySet()).containsExactlyElementsOf(first.keySet());
        List<String> differ = new ArrayList<>();
        first.forEach((name, bits) -> {
            if (!Arrays.equals(bits, second.get(name))) {
                differ.add(name);
            }
        });
        assertThat(differ).as("tensors that differ between two identical runs (%d OpenMP threads)",
                Nd4j.getEnvironment().maxThreads()).isEmpty();
    }
}
