package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Buffer;
import dev.adnet.runtime.GateMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.adaptive.GateUnit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Channels-last inference against channels-first inference of the same generated network, parameters and running
 * statistics (double precision): the same outputs, and for adaptive networks the same gate decisions and exits; and
 * the networks the layout does not cover fall back to channels-first.
 */
class ChannelsLastInferenceTest {
    /** Every image op with a channels-last form; also trained in {@link ChannelsLastTrainingTest}. */
    static final String PLAIN = """
            network Plain {
              input x: [3, 12, 12]
              output y: [4]
              a = x -> conv(8, 3, bias = false) -> batchnorm -> relu -> max_pool(2)
              b = a -> conv(8, 3, stride = 2, dilation = 2, padding = 2) -> relu
              c = a -> conv(8, 1, stride = 2, padding = 0) -> batchnorm
              d = b + c
              y = concat(d, c) -> avg_pool(3, stride = 3) -> dropout(0.3) -> flatten -> dense(4) -> tanh
              train { loss cross_entropy(y) }
            }
            """;

    /**
     * Residual adds of every kind the channels-last inference fuses or must not: an identity shortcut added into by
     * oneDNN, a projection shortcut (computed after the body, so its convolution adds into the body's output), a
     * shortcut still read after the add (not overwritten), and a last add whose output is pooled in its kernel.
     */
    static final String RESIDUALS = """
            block B(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) -> batchnorm }
            network Residuals {
              input x: [2, 10, 10]
              output y: [3]
              a = x -> conv(4, 3, bias = false) -> batchnorm -> relu
                -> residual B(4) -> relu
                -> residual(shortcut = projection(6)) B(6) -> relu
              b = a -> conv(6, 3, bias = false) -> batchnorm
              c = a + b
              d = concat(c, a) -> residual B(12) -> relu
              y = d -> global_avg_pool -> dense(3)
              train { loss cross_entropy(y) }
            }
            """;

    /** Also trained in {@link ChannelsLastTrainingTest}. */
    static final String GATES_AND_EXITS = """
            block B(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3, bias = false) -> batchnorm }
            network Both {
              input x: [1, 8, 8]
              output y: [3]
              h = x -> conv(4, 3) -> relu
                -> gate(open_bias = 0.1) residual B(4) -> relu
                -> exit first when confidence > 0.5 { avg_pool(2) -> flatten -> dense(3) }
                -> gate(open_bias = 0.1) residual(shortcut = projection(6)) B(6) -> relu
                -> exit second when entropy < 0.9 { global_avg_pool -> dense(3) }
                -> gate(open_bias = 0.1) residual B(6)
              y = h -> global_avg_pool -> dense(3)
              train { loss cross_entropy(y) + 0.2 * target_rate(0.5) }
            }
            """;

    private static final String GROUPED = """
            network Grouped {
              input x: [4, 6, 6]
              output y: [2]
              y = x -> conv(4, 3, groups = 2) -> relu -> global_avg_pool -> dense(2)
            }
            """;

    private static final String SOFTMAX_ON_IMAGES = """
            network Spatial {
              input x: [2, 6, 6]
              output y: [2]
              y = x -> conv(3, 3) -> softmax -> global_avg_pool -> dense(2)
            }
            """;

    static CompiledNetwork compile(String source) {
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("net.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        return r.networks().get(0);
    }

    /** Uniform parameters around their initial scale, and running statistics far from 0 / 1. */
    static void randomize(Network a, Network b, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < a.parameters().size(); i++) {
            Parameter p = a.parameters().get(i);
            double base = p.name().endsWith("gamma") ? 1.0 : 0.0;
            for (long k = 0; k < p.value().length(); k++) {
                p.value().putScalar(k, base + 0.6 * (2 * rnd.nextDouble() - 1));
            }
            b.parameters().get(i).value().assign(p.value());
        }
        for (int i = 0; i < a.buffers().size(); i++) {
            Buffer buf = a.buffers().get(i);
            boolean mean = buf.name().endsWith("running_mean");
            if (mean || buf.name().endsWith("running_var")) {
                for (long k = 0; k < buf.value().length(); k++) {
                    buf.value().putScalar(k, mean ? 0.3 * (2 * rnd.nextDouble() - 1) : 0.5 + rnd.nextDouble());
                }
            }
            b.buffers().get(i).value().assign(buf.value());
        }
    }

    private static INDArray input(long seed, long... shape) {
        SplittableRandom rnd = new SplittableRandom(seed);
        INDArray x = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, 2 * rnd.nextDouble() - 1);
        }
        return x;
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    /**
     * In FLOAT the pooling and the dense layer on the flattened image run in oneDNN (the image read as it is, no
     * flattened copy); in DOUBLE the Java kernels: both as channels-first.
     */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void convolutionsPoolsConcatAndFlattenMatchChannelsFirst(DataType t) {
        CompiledNetwork c = compile(PLAIN);
        String java = c.toJava("p", true).toString();
        assertThat(java).contains("ChannelsLast.conv2d", "ChannelsLast.flattenDense(", "ChannelsLast.fromChannelsFirst");
        Outputs o = bothLayouts(c, t, 9, input(3, 5, 3, 12, 12));
        assertThat(o.last().shape()).containsExactly(5, 4);
        assertThat(o.maxDiff()).isLessThan(t == DataType.DOUBLE ? 1e-12 : 1e-5);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void residualAddsFusedIntoConvolutionsMatchChannelsFirst(DataType t) {
        CompiledNetwork c = compile(RESIDUALS);
        String java = c.toJava("r", true).toString();
        assertThat(java).contains("ChannelsLast.convBatchNormAdd", "Elementwise.addRelu(");
        Outputs o = bothLayouts(c, t, 11, input(4, 6, 2, 10, 10));
        assertThat(o.last().shape()).containsExactly(6, 3);
        assertThat(o.maxDiff()).isLessThan(t == DataType.DOUBLE ? 1e-12 : 1e-4);
        // a second pass over the same input: no array the fused kernels write in place is read as stale
        INDArray again = o.network().forward(Map.of("x", o.input())).get("y");
        assertThat(maxDiff(again, o.last())).isEqualTo(0.0);
    }

    /** The channels-last network, its input (in type t) and output "y", and the channels-first network's output. */
    private record Outputs(Network network, INDArray input, INDArray last, INDArray first) {
        double maxDiff() {
            return ChannelsLastInferenceTest.maxDiff(last.castTo(DataType.DOUBLE), first.castTo(DataType.DOUBLE));
        }
    }

    /** Output "y" of c instantiated channels-last and channels-first with the same random parameters, on x. */
    private static Outputs bothLayouts(CompiledNetwork c, DataType t, long seed, INDArray x) {
        Network last = InMemoryCompiler.instantiate(c, t, 5, true);
        Network first = InMemoryCompiler.instantiate(c, t, 5, false);
        randomize(last, first, seed);
        INDArray in = x.castTo(t);
        return new Outputs(last, in, last.forward(Map.of("x", in)).get("y"), first.forward(Map.of("x", in)).get("y"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ADAPTIVE", "ALL_OPEN", "MASK"})
    void gatesAndExitsDecideAsChannelsFirst(String mode) {
        CompiledNetwork c = compile(GATES_AND_EXITS);
        assertThat(c.toJava("p", true).toString()).contains("ChannelsLast.conv2d", "ChannelsLast.pool2d");
        Network last = InMemoryCompiler.instantiate(c, DataType.DOUBLE, 5, true);
        Network first = InMemoryCompiler.instantiate(c, DataType.DOUBLE, 5, false);
        randomize(last, first, 11);
        GateUnit.mode(last, GateMode.valueOf(mode));
        GateUnit.mode(first, GateMode.valueOf(mode));
        INDArray x = input(4, 40, 1, 8, 8);
        Prediction pl = last.predict(Map.of("x", x));
        Prediction pf = first.predict(Map.of("x", x));
        assertThat(maxDiff(pl.outputs().get("y"), pf.outputs().get("y"))).isLessThan(1e-12);
        assertThat(pl.exits()).containsExactly(pf.exits());
        assertThat(pl.executed()).isDeepEqualTo(pf.executed());
        assertThat(pl.flops()).containsExactly(pf.flops());
        // the decisions differ between samples, so compaction and leaving were exercised
        assertThat(java.util.Arrays.stream(pl.exits()).distinct().count()).isGreaterThan(1);
    }

    @Test
    void networksWithoutAChannelsLastFormStayChannelsFirst() {
        for (String source : new String[] {GROUPED, SOFTMAX_ON_IMAGES}) {
            CompiledNetwork c = compile(source);
            assertThat(c.toJava("p", true).toString()).doesNotContain("ChannelsLast");
            Network net = InMemoryCompiler.instantiate(c, DataType.DOUBLE, 5, true);
            long[] s = c.graph().inputs().get(0).value().shape();
            INDArray x = input(6, 3, s[0], s[1], s[2]);
            assertThat(net.forward(Map.of("x", x)).get("y").shape()[0]).isEqualTo(3);
        }
    }
}
