package dev.adnet.runtime.adaptive;

import static dev.adnet.runtime.adaptive.Fixtures.assertClose;
import static dev.adnet.runtime.adaptive.Fixtures.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class CompactionTest {
    private static final int B = 8;
    private static final long[] SHAPE = {B, 3, 4, 5};

    /** The block stub: any per-sample function of x will do. */
    private static INDArray block(INDArray x) {
        return Transforms.tanh(x, true).muli(1.5).subi(0.2);
    }

    static Stream<Arguments> cases() {
        double[][] gates = {
            {0, 0, 0, 0, 0, 0, 0, 0}, // k = 0
            {1, 1, 1, 1, 1, 1, 1, 1}, // k = B
            {1, 0, 1, 1, 0, 0, 1, 0}, // non-contiguous, with a run
            {0, 0, 0, 0, 0, 0, 0, 0.9}, // the last row only
            {0.2, 0.7, 0.5, 0.51, 0, 1, 0.49, 0.6}, // threshold at 0.5
        };
        Stream.Builder<Arguments> b = Stream.builder();
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (boolean relu : new boolean[] {true, false}) {
                for (double[] g : gates) {
                    b.add(Arguments.of(t, relu, g));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void compactedBlockEqualsTheMaskedFullBatch(DataType t, boolean relu, double[] gate) {
        INDArray x = Fixtures.random(1, t, SHAPE);
        INDArray s = Fixtures.random(2, t, SHAPE);
        INDArray z = Fixtures.of(t, gate);
        int[] rows = Compaction.openRows(z);

        long[] sub = SHAPE.clone();
        sub[0] = rows.length;
        INDArray xSub = rows.length == 0 ? null : Nd4j.create(t, sub);
        Compaction.gather(x, rows, xSub);
        INDArray fSub = xSub == null ? null : block(xSub.dup());
        INDArray out = Nd4j.create(t, SHAPE);
        out.assign(Double.NaN); // overwritten everywhere
        Compaction.scatterResidual(s, fSub, rows, relu, out);

        // reference: the block on every row, times the 0/1 mask
        INDArray mask = Fixtures.of(t, java.util.Arrays.stream(gate).map(g -> g > 0.5 ? 1 : 0).toArray());
        INDArray ref = Nd4j.create(t, SHAPE);
        GatedResidualReference.maskedResidual(s, block(x.dup()), mask, relu, ref);
        assertClose("out", out, ref, Fixtures.tol(t));

        if (rows.length > 0) {
            INDArray native_ = Nd4j.create(t, sub);
            GatedResidualReference.gather(x, rows, native_);
            assertThat(values(xSub)).as("gather = libnd4j gather").containsExactly(values(native_));
            INDArray scattered = Nd4j.create(t, SHAPE);
            GatedResidualReference.scatterResidual(s, fSub, rows, relu, scattered);
            assertClose("scatter = libnd4j scatter_add", out, scattered, Fixtures.tol(t));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void inPlaceAddEqualsScatterOnANonNegativeShortcut(DataType t, boolean relu, double[] gate) {
        INDArray s = org.nd4j.linalg.ops.transforms.Transforms.abs(Fixtures.random(11, t, SHAPE), true);
        int[] rows = Compaction.openRows(Fixtures.of(t, gate));
        long[] sub = SHAPE.clone();
        sub[0] = rows.length;
        INDArray fSub = Fixtures.random(12, t, sub);
        INDArray expected = s.ulike();
        Compaction.scatterResidual(s, rows.length == 0 ? null : fSub, rows, relu, expected);
        INDArray reference = s.dup();
        Compaction.addRowsInPlace(s, fSub, rows, relu);
        assertThat(values(s)).containsExactly(values(expected));
        // against its plain libnd4j reference: scatter_add in place, relu in place
        GatedResidualReference.addRowsInPlace(reference, fSub, rows, relu);
        assertClose("addRowsInPlace = libnd4j scatter_add + relu", s, reference, Fixtures.tol(t));
    }

    /** Gather in several parts (as big batches run): runs of rows cut at the parts' edges stay right. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void gatherSplitAcrossThreads(DataType t) {
        long minBefore = Parallel.minElements;
        int threadsBefore = Parallel.threads;
        Parallel.minElements = 1;
        Parallel.threads = 3;
        try {
            INDArray x = Fixtures.random(7, t, SHAPE);
            int[] rows = {0, 1, 2, 4, 5, 7};
            INDArray out = Nd4j.create(t, rows.length, SHAPE[1], SHAPE[2], SHAPE[3]);
            Compaction.gather(x, rows, out);
            for (int j = 0; j < rows.length; j++) {
                assertThat(values(out.get(org.nd4j.linalg.indexing.NDArrayIndex.point(j))))
                        .as("row %d", j).containsExactly(values(x.get(org.nd4j.linalg.indexing.NDArrayIndex.point(rows[j]))));
            }
        } finally {
            Parallel.minElements = minBefore;
            Parallel.threads = threadsBefore;
        }
    }

    @Test
    void openRowsAreAscendingIndicesAboveOneHalf() {
        assertThat(Compaction.openRows(Fixtures.of(DataType.FLOAT, 0.5, 0.51, 0, 1, 2))).containsExactly(1, 3, 4);
        assertThat(Compaction.openRows(Fixtures.of(DataType.DOUBLE, 0, 0))).isEmpty();
        // a strided view
        INDArray m = Fixtures.of(DataType.DOUBLE, 1, 0, 0, 1, 1, 0).reshape(3, 2);
        assertThat(Compaction.openRows(m.getColumn(0))).containsExactly(0, 2);
    }

    @Test
    void scatterAcceptsRowsInAnyOrderAndRejectsBadRows() {
        DataType t = DataType.DOUBLE;
        INDArray s = Fixtures.random(3, t, SHAPE);
        INDArray fSub = Fixtures.random(4, t, 3, 3, 4, 5);
        INDArray out = s.ulike(), sorted = s.ulike();
        Compaction.scatterResidual(s, fSub, new int[] {5, 1, 2}, true, out);
        INDArray fSorted = Nd4j.concat(0, fSub.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3)),
                fSub.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1)));
        Compaction.scatterResidual(s, fSorted, new int[] {1, 2, 5}, true, sorted);
        assertThat(values(out)).containsExactly(values(sorted));
        // a full permutation is not the identity fast path
        int[] perm = {7, 6, 5, 4, 3, 2, 1, 0};
        INDArray fAll = Fixtures.random(5, t, SHAPE);
        Compaction.scatterResidual(s, fAll, perm, false, out);
        INDArray ref = s.ulike();
        GatedResidualReference.scatterResidual(s, fAll, perm, false, ref);
        assertClose("permuted", out, ref, 1e-12);

        assertThatThrownBy(() -> Compaction.scatterResidual(s, fSub, new int[] {1, 1, 2}, true, out))
                .hasMessageContaining("twice");
        assertThatThrownBy(() -> Compaction.scatterResidual(s, fSub, new int[] {1, 2, 8}, true, out))
                .hasMessageContaining("range");
        assertThatThrownBy(() -> Compaction.scatterResidual(s, fSub, new int[] {1, 2}, true, out))
                .hasMessageContaining("shape");
        assertThatThrownBy(() -> Compaction.gather(s, new int[] {0, 9}, Nd4j.create(t, 2, 3, 4, 5)))
                .hasMessageContaining("range");
    }

    @Test
    void scatterWorksInPlaceOnTheShortcut() {
        DataType t = DataType.FLOAT;
        INDArray s = Fixtures.random(6, t, SHAPE);
        INDArray fSub = Fixtures.random(7, t, 2, 3, 4, 5);
        int[] rows = {2, 6};
        INDArray expected = s.ulike();
        Compaction.scatterResidual(s, fSub, rows, true, expected);
        Compaction.scatterResidual(s, fSub, rows, true, s);
        assertThat(values(s)).containsExactly(values(expected));
    }
}
