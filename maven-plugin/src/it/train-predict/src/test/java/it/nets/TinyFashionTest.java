package it.nets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.EpochMetrics;
import dev.adnet.runtime.train.Evaluator;
import dev.adnet.runtime.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The class the plugin generated from src/main/adnet/it/nets/tiny.adnet, used as a user would. */
class TinyFashionTest {
    @Test
    void trainsOnAFewHundredImagesAndPredicts() {
        TinyFashion net = new TinyFashion(DataType.FLOAT, 7);
        // The subset shipped in the runtime, whether or not a full copy is installed: small and always the same.
        FashionMnist.Source source = FashionMnist.locate(null, Path.of("no-system-copy"));
        Dataset train = source.train();
        Dataset test = source.test();
        DataLoader trainLoader = DataLoader.builder(train, "image", "logits").batchSize(32).shuffle(7).limit(384).build();
        DataLoader testLoader = DataLoader.builder(test, "image", "logits").batchSize(128).limit(256).build();

        Trainer.Result result = Trainer.create(net, net.trainingConfig(), new Trainer.Options().shutdownHook(false))
                .fit(trainLoader, testLoader);

        List<EpochMetrics> history = result.history();
        assertEquals(3, history.size());
        double first = history.get(0).trainLoss();
        double last = history.get(2).trainLoss();
        assertTrue(Double.isFinite(last) && last < first, "training loss falls: " + first + " -> " + last);
        double accuracy = Evaluator.evaluate(net, testLoader).accuracy("logits");
        assertTrue(accuracy > 0.4, "test accuracy well above chance (10%): " + accuracy);

        INDArray images = testLoader.epoch(0).iterator().next().inputs().get("image");
        INDArray logits = net.forward(Map.of("image", images)).get("logits");
        assertEquals(List.of(128L, 10L), List.of(logits.size(0), logits.size(1)));
        System.out.printf("adnet-it: loss %.4f -> %.4f, test accuracy %.3f%n", first, last, accuracy);
    }
}
