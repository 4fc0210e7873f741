package dev.adnet.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class InitArenaTest {

    private static void assertDeterministic(String name, BiConsumer<INDArray, Long> init) {
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray a = Nd4j.create(t, 4, 3, 3, 3);
            INDArray b = Nd4j.create(t, 4, 3, 3, 3);
            INDArray c = Nd4j.create(t, 4, 3, 3, 3);
            init.accept(a, 7L);
            init.accept(b, 7L);
            init.accept(c, 8L);
            assertThat(Testing.values(a)).as(name + " same seed").containsExactly(Testing.values(b));
            assertThat(Testing.values(a)).as(name + " other seed").isNotEqualTo(Testing.values(c));
        }
    }

    @Test
    void sameSeedSameValues() {
        assertDeterministic("heNormal", (w, s) -> Init.heNormal(w, 27, s));
        assertDeterministic("heUniform", (w, s) -> Init.heUniform(w, 27, s));
        assertDeterministic("xavierUniform", (w, s) -> Init.xavierUniform(w, 27, 36, s));
        assertDeterministic("uniform", (w, s) -> Init.uniform(w, -1, 2, s));
        assertDeterministic("normal", (w, s) -> Init.normal(w, 1, 0.5, s));
    }

    /**
     * The initialisers are exactly SplittableRandom (a specified algorithm) and Box-Muller over StrictMath, so
     * their bits are the same on every machine and JDK.
     */
    @Test
    void pinnedValues() {
        INDArray u = Nd4j.create(DataType.DOUBLE, 3);
        Init.uniform(u, 0, 1, 42);
        double[] expected = new double[3];
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        for (int i = 0; i < 3; i++) {
            expected[i] = r.nextDouble();
        }
        assertThat(Testing.values(u)).containsExactly(expected);
        INDArray n = Nd4j.create(DataType.DOUBLE, 2);
        Init.normal(n, 0, 1, 42);
        double r0 = StrictMath.sqrt(-2 * StrictMath.log(1 - expected[0]));
        assertThat(n.getDouble(0)).isEqualTo(r0 * StrictMath.cos(2 * Math.PI * expected[1]));
        assertThat(n.getDouble(1)).isEqualTo(r0 * StrictMath.sin(2 * Math.PI * expected[1]));
    }

    @Test
    void statistics() {
        INDArray w = Nd4j.create(DataType.DOUBLE, 200, 100);
        Init.heNormal(w, 50, 3);
        assertThat(w.meanNumber().doubleValue()).isCloseTo(0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(w.stdNumber().doubleValue()).isCloseTo(Math.sqrt(2.0 / 50), org.assertj.core.data.Offset.offset(0.005));
        Init.xavierUniform(w, 10, 20, 3);
        double bound = Math.sqrt(6.0 / 30);
        assertThat(w.maxNumber().doubleValue()).isLessThanOrEqualTo(bound).isGreaterThan(0.99 * bound);
        assertThat(w.minNumber().doubleValue()).isGreaterThanOrEqualTo(-bound).isLessThan(-0.99 * bound);
        Init.constant(w, 0.25);
        assertThat(w.minNumber().doubleValue()).isEqualTo(0.25);
        assertThat(w.maxNumber().doubleValue()).isEqualTo(0.25);
    }

    @Test
    void arenaReusesMatchingBuffers() {
        Arena arena = new Arena();
        INDArray a = arena.get(0, DataType.FLOAT, 8, 3, 4, 4);
        assertThat(a.ordering()).isEqualTo('c');
        assertThat(arena.get(0, DataType.FLOAT, 8, 3, 4, 4)).isSameAs(a);
        INDArray b = arena.get(2, DataType.FLOAT, 8, 10);
        assertThat(arena.get(2, DataType.FLOAT, 8, 10)).isSameAs(b).isNotSameAs(a);
        INDArray c = arena.get(0, DataType.FLOAT, 4, 3, 4, 4);
        assertThat(c).isNotSameAs(a);
        assertThat(c.shape()).containsExactly(4, 3, 4, 4);
        assertThat(arena.get(0, DataType.DOUBLE, 4, 3, 4, 4).dataType()).isEqualTo(DataType.DOUBLE);
    }

    /** Row views of a [capacity, 1] array are c-ordered and dense (what the kernels take), reused, and share its memory. */
    @Test
    void rowViewsOfColumnsAreDenseAndShared() {
        Arena arena = new Arena();
        INDArray full = arena.rows(1, DataType.FLOAT, 8, 8, 1);
        INDArray three = arena.rows(1, DataType.FLOAT, 8, 3, 1);
        assertThat(three.shape()).containsExactly(3, 1);
        assertThat(three.ordering()).isEqualTo('c');
        assertThat(Direct.isDense(three)).isTrue();
        assertThat(arena.rows(1, DataType.FLOAT, 8, 3, 1)).isSameAs(three);
        three.assign(Nd4j.createFromArray(new float[][] {{1}, {2}, {3}}));
        assertThat(full.getFloat(2, 0)).isEqualTo(3f);
        INDArray viewOfImage = arena.rows(4, DataType.FLOAT, 8, 5, 1, 1, 1);
        assertThat(viewOfImage.shape()).containsExactly(5, 1, 1, 1);
        assertThat(Direct.isDense(viewOfImage)).isTrue();
    }

    @Test
    void viewInputsAreReadCorrectly() {
        INDArray base = Testing.random(1, DataType.DOUBLE, 4, 6);
        INDArray view = base.transpose(); // f-order view [6, 4]
        INDArray out = Nd4j.create(DataType.DOUBLE, 6, 4);
        Relu.forward(view, out);
        double[] expected = Testing.values(view);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Math.max(expected[i], 0);
        }
        assertThat(Testing.values(out)).containsExactly(expected);
    }
}
