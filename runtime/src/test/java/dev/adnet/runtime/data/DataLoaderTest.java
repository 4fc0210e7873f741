package dev.adnet.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.runtime.train.Batch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class DataLoaderTest {
    static Dataset small(int n) {
        byte[] px = new byte[n * 4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            px[i * 4] = (byte) i;
            labels[i] = i % 3;
        }
        return Dataset.images("small", px, labels, n, 2, 2, 3, Normalisation.FASHION_MNIST, null);
    }

    static List<Integer> firstPixels(DataLoader l, int epoch) {
        List<Integer> seen = new ArrayList<>();
        for (Batch b : l.epoch(epoch)) {
            INDArray x = b.inputs().get("x");
            for (int i = 0; i < x.size(0); i++) {
                double v = x.getDouble(i, 0, 0, 0);
                seen.add((int) Math.round((v * 0.3530 + 0.2860) * 255));
            }
        }
        return seen;
    }

    @Test
    void batchesHaveShapesOneHotTargetsAndLabels() {
        DataLoader l = DataLoader.builder(small(10), "x", "y").batchSize(4).build();
        List<Batch> batches = new ArrayList<>();
        l.epoch(0).forEach(batches::add);
        assertThat(batches).hasSize(3);
        assertThat(l.batchesPerEpoch()).isEqualTo(3);
        Batch b = batches.get(0);
        assertThat(b.inputs().get("x").shape()).containsExactly(4, 1, 2, 2);
        assertThat(b.inputs().get("x").dataType()).isEqualTo(DataType.FLOAT);
        assertThat(b.targets().get("y").shape()).containsExactly(4, 3);
        assertThat(b.targets().get("y").getRow(1).toDoubleVector()).containsExactly(0, 1, 0);
        assertThat(b.labels().get("y")).containsExactly(0, 1, 2, 0);
        assertThat(b.inputs().get("x").getDouble(0, 0, 0, 1)).isCloseTo(-0.2860 / 0.3530, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(batches.get(2).size()).isEqualTo(2);
        assertThat(firstPixels(l, 0)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void dropLastAndLimit() {
        DataLoader l = DataLoader.builder(small(10), "x", "y").batchSize(4).dropLast(true).build();
        assertThat(l.batchesPerEpoch()).isEqualTo(2);
        assertThat(firstPixels(l, 0)).hasSize(8);
        DataLoader m = DataLoader.builder(small(10), "x", "y").batchSize(4).limit(5).dataType(DataType.DOUBLE).build();
        assertThat(m.size()).isEqualTo(5);
        assertThat(firstPixels(m, 0)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void shufflingIsDeterministicPerSeedAndEpoch() throws Exception {
        DataLoader a = DataLoader.builder(small(50), "x", "y").batchSize(8).shuffle(42).build();
        DataLoader b = DataLoader.builder(small(50), "x", "y").batchSize(8).shuffle(42).build();
        DataLoader c = DataLoader.builder(small(50), "x", "y").batchSize(8).shuffle(43).build();
        assertThat(firstPixels(a, 0)).isEqualTo(firstPixels(b, 0)).isNotEqualTo(firstPixels(c, 0))
                .containsExactlyInAnyOrderElementsOf(firstPixels(DataLoader.builder(small(50), "x", "y").build(), 0));
        assertThat(firstPixels(a, 1)).isEqualTo(firstPixels(b, 1)).isNotEqualTo(firstPixels(a, 0));
        // the order does not depend on which or how many threads compute it
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<int[]>> orders = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                orders.add(pool.submit(() -> a.order(3)));
            }
            for (Future<int[]> f : orders) {
                assertThat(f.get()).isEqualTo(b.order(3));
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void resumingMidEpochContinuesTheSameOrder() {
        DataLoader a = DataLoader.builder(small(50), "x", "y").batchSize(8).shuffle(7).build();
        List<Integer> all = firstPixels(a, 2);
        List<Integer> tail = new ArrayList<>();
        for (Batch b : a.epoch(2, 3)) {
            for (int l : b.labels().get("y")) {
                tail.add(l);
            }
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 24; i < 50; i++) {
            expected.add(all.get(i) % 3);
        }
        assertThat(tail).isEqualTo(expected);
    }
}
