package dev.adnet.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    @Test
    void shippedSubsetLoads() {
        FashionMnist.Source s = FashionMnist.locate(null, dir.resolve("absent"));
        assertThat(s.kind()).isEqualTo(FashionMnist.Kind.BUNDLED_SUBSET);
        assertThat(s.describe()).contains("subset");
        Dataset train = s.train();
        Dataset test = s.test();
        assertThat(train.size()).isEqualTo(6000);
        assertThat(test.size()).isEqualTo(1000);
        assertThat(train.classCounts()).containsOnly(600);
        assertThat(test.classCounts()).containsOnly(100);
        assertThat(train.rows()).isEqualTo(28);
        assertThat(train.cols()).isEqualTo(28);
        long sum = 0;
        for (int i = 0; i < 200; i++) {
            for (int p = 0; p < 784; p++) {
                sum += train.pixel(i, p);
            }
        }
        assertThat(sum / (200 * 784 * 255.0)).isBetween(0.2, 0.4);
    }

    @Test
    void userDirectoryMustHoldAllFiles() throws IOException {
        assertThatThrownBy(() -> FashionMnist.locate(dir.resolve("missing")))
                .isInstanceOf(DataException.class).hasMessageContaining("not found");
        Files.createFile(dir.resolve(FashionMnist.TRAIN_IMAGES));
        Files.createFile(dir.resolve("train-labels-idx1-ubyte"));
        assertThatThrownBy(() -> FashionMnist.locate(dir)).isInstanceOf(DataException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining(FashionMnist.TEST_IMAGES + ", " + FashionMnist.TEST_LABELS)
                .hasMessageNotContaining(FashionMnist.TRAIN_LABELS);
    }

    @Test
    void userDirectoryIsUsed() throws IOException {
        IdxWriter.writeImages(dir.resolve(FashionMnist.TRAIN_IMAGES), IdxReaderTest.images(3), true);
        IdxWriter.writeLabels(dir.resolve("train-labels-idx1-ubyte"), new int[] {1, 2, 3}, false);
        IdxWriter.writeImages(dir.resolve(FashionMnist.TEST_IMAGES), IdxReaderTest.images(2), true);
        IdxWriter.writeLabels(dir.resolve(FashionMnist.TEST_LABELS), new int[] {4, 5, 6}, true);
        FashionMnist.Source s = FashionMnist.locate(dir);
        assertThat(s.kind()).isEqualTo(FashionMnist.Kind.USER);
        assertThat(s.describe()).contains(dir.toString());
        assertThat(s.train().size()).isEqualTo(3);
        assertThatThrownBy(s::test).isInstanceOf(DataException.class).hasMessageContaining("2 images but")
                .hasMessageContaining("has 3 labels");
    }

    @Test
    void systemDirectoryIsPreferredOverTheSubset() {
        Path sys = Path.of(FashionMnist.SYSTEM_DIRECTORY);
        if (Files.isDirectory(sys)) {
            assertThat(FashionMnist.locate(null).kind()).isEqualTo(FashionMnist.Kind.SYSTEM);
        }
    }
}
