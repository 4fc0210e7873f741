package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.random;
import static dev.adnet.runtime.ops.Testing.zeros;
import static org.nd4j.linalg.api.buffer.DataType.DOUBLE;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every primitive's VJP against central finite differences (see {@link GradientCheck}). */
class GradientTest {

    static Stream<Arguments> convCases() {
        return Stream.of(
                Arguments.of("3x3 pad 1", ConvGeometry.of(3, 1, 1), 3, 4, 5, 5, true),
                Arguments.of("3x3 stride 2 no bias", ConvGeometry.of(3, 2, 0), 2, 3, 6, 7, false),
                Arguments.of("3x3 stride 2 pad 1", ConvGeometry.of(3, 2, 1), 2, 3, 6, 5, true),
                Arguments.of("dilation 2", ConvGeometry.of(3, 1, 2).withDilation(2), 2, 2, 5, 6, true),
                Arguments.of("groups 2", ConvGeometry.of(3, 1, 1).withGroups(2), 4, 6, 4, 5, true),
                Arguments.of("depthwise", ConvGeometry.of(3, 2, 1).withGroups(3), 3, 3, 5, 5, false),
                Arguments.of("depthwise multiplier 2", ConvGeometry.of(3, 1, 1).withGroups(3), 3, 6, 4, 5, true),
                Arguments.of("depthwise dilated same", ConvGeometry.same(3, 1).withDilation(2).withGroups(2), 2, 2, 5, 5,
                        true),
                Arguments.of("same 3 stride 2", ConvGeometry.same(3, 2), 2, 3, 5, 6, true),
                Arguments.of("same 2 stride 1 (asymmetric pad)", ConvGeometry.same(2, 1), 2, 2, 4, 5, true),
                Arguments.of("rect 2x3", ConvGeometry.of(2, 3, 1, 2, 1, 0), 2, 3, 5, 6, true),
                Arguments.of("1x1", ConvGeometry.of(1, 1, 0), 3, 2, 3, 3, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convCases")
    void conv2d(String name, ConvGeometry g, int inC, int outC, int h, int w, boolean bias) {
        INDArray x = random(1, DOUBLE, 2, inC, h, w);
        INDArray wt = random(2, DOUBLE, outC, inC / g.groups(), g.kernelH(), g.kernelW());
        INDArray b = bias ? random(3, DOUBLE, outC) : null;
        INDArray out = zeros(DOUBLE, g.outputShape(x.shape(), outC));
        INDArray gx = x.ulike();
        INDArray gw = wt.ulike();
        INDArray gb = bias ? b.ulike() : null;
        INDArray[] inputs = bias ? new INDArray[] {x, wt, b} : new INDArray[] {x, wt};
        GradientCheck.check("conv2d " + name, inputs, () -> {
            Conv2d.forward(x, wt, b, g, out);
            return new INDArray[] {out};
        }, go -> {
            Conv2d.backward(x, wt, b, go[0], g, gx, gw, gb);
            return bias ? new INDArray[] {gx, gw, gb} : new INDArray[] {gx, gw};
        }, 4);
    }

    @Test
    void conv2dSkipsNullGradients() {
        ConvGeometry g = ConvGeometry.of(3, 1, 1).withGroups(2);
        INDArray x = random(1, DOUBLE, 2, 4, 4, 4);
        INDArray wt = random(2, DOUBLE, 4, 2, 3, 3);
        INDArray b = random(3, DOUBLE, 4);
        INDArray out = zeros(DOUBLE, 2, 4, 4, 4);
        INDArray gw = wt.ulike();
        GradientCheck.check("conv2d weight only", new INDArray[] {x, wt, b}, () -> {
            Conv2d.forward(x, wt, b, g, out);
            return new INDArray[] {out};
        }, go -> {
            Conv2d.backward(x, wt, b, go[0], g, null, gw, null);
            return new INDArray[] {null, gw, null};
        }, 5);
    }

    @Test
    void dense() {
        INDArray x = random(1, DOUBLE, 3, 4);
        INDArray w = random(2, DOUBLE, 4, 5);
        INDArray b = random(3, DOUBLE, 5);
        INDArray out = zeros(DOUBLE, 3, 5);
        INDArray gx = x.ulike();
        INDArray gw = w.ulike();
        INDArray gb = b.ulike();
        GradientCheck.check("dense", new INDArray[] {x, w, b}, () -> {
            Dense.forward(x, w, b, out);
            return new INDArray[] {out};
        }, go -> {
            Dense.backward(x, w, go[0], gx, gw, gb);
            return new INDArray[] {gx, gw, gb};
        }, 4);
    }

    @ParameterizedTest
    @MethodSource("bnShapes")
    void batchNormTraining(long[] shape) {
        INDArray x = random(1, DOUBLE, shape).muli(2).addi(0.5);
        long c = shape[1];
        INDArray gamma = random(2, DOUBLE, c);
        INDArray beta = random(3, DOUBLE, c);
        INDArray rm = zeros(DOUBLE, c);
        INDArray rv = zeros(DOUBLE, c).addi(1);
        INDArray out = x.ulike();
        INDArray sm = zeros(DOUBLE, c);
        INDArray si = zeros(DOUBLE, c);
        INDArray gx = x.ulike();
        INDArray gg = gamma.ulike();
        INDArray gb = beta.ulike();
        GradientCheck.check("batchnorm", new INDArray[] {x, gamma, beta}, () -> {
            BatchNorm.trainForward(x, gamma, beta, rm, rv, 0.1, 1e-5, out, sm, si);
            return new INDArray[] {out};
        }, go -> {
            BatchNorm.backward(x, gamma, sm, si, go[0], gx, gg, gb);
            return new INDArray[] {gx, gg, gb};
        }, 4);
    }

    static Stream<long[]> bnShapes() {
        return Stream.of(new long[] {6, 3}, new long[] {3, 2, 3, 3});
    }

    @ParameterizedTest
    @MethodSource("lnShapes")
    void layerNorm(long[] shape) {
        INDArray x = random(1, DOUBLE, shape).muli(2).addi(0.3);
        long d = shape[shape.length - 1];
        INDArray gamma = random(2, DOUBLE, d);
        INDArray beta = random(3, DOUBLE, d);
        INDArray out = x.ulike();
        INDArray sm = zeros(DOUBLE, x.length() / d);
        INDArray si = zeros(DOUBLE, x.length() / d);
        INDArray gx = x.ulike();
        INDArray gg = gamma.ulike();
        INDArray gb = beta.ulike();
        GradientCheck.check("layernorm", new INDArray[] {x, gamma, beta}, () -> {
            LayerNorm.forward(x, gamma, beta, 1e-5, out, sm, si);
            return new INDArray[] {out};
        }, go -> {
            LayerNorm.backward(x, gamma, sm, si, go[0], gx, gg, gb);
            return new INDArray[] {gx, gg, gb};
        }, 4);
    }

    static Stream<long[]> lnShapes() {
        return Stream.of(new long[] {3, 5}, new long[] {2, 3, 4});
    }

    interface Activation {
        void forward(INDArray x, INDArray out);

        void backward(INDArray x, INDArray out, INDArray gradOut, INDArray gradIn);
    }

    static Stream<Arguments> activations() {
        return Stream.of(
                Arguments.of("relu", (Activation) new Activation() {
                    public void forward(INDArray x, INDArray o) {
                        Relu.forward(x, o);
                    }

                    public void backward(INDArray x, INDArray o, INDArray g, INDArray gi) {
                        Relu.backward(x, o, g, gi);
                    }
                }),
                Arguments.of("gelu", new Activation() {
                    public void forward(INDArray x, INDArray o) {
                        Gelu.forward(x, o);
                    }

                    public void backward(INDArray x, INDArray o, INDArray g, INDArray gi) {
                        Gelu.backward(x, o, g, gi);
                    }
                }),
                Arguments.of("sigmoid", new Activation() {
                    public void forward(INDArray x, INDArray o) {
                        Sigmoid.forward(x, o);
                    }

                    public void backward(INDArray x, INDArray o, INDArray g, INDArray gi) {
                        Sigmoid.backward(x, o, g, gi);
                    }
                }),
                Arguments.of("tanh", new Activation() {
                    public void forward(INDArray x, INDArray o) {
                        Tanh.forward(x, o);
                    }

                    public void backward(INDArray x, INDArray o, INDArray g, INDArray gi) {
                        Tanh.backward(x, o, g, gi);
                    }
                }),
                Arguments.of("softmax", new Activation() {
                    public void forward(INDArray x, INDArray o) {
                        Softmax.forward(x, o);
                    }

                    public void backward(INDArray x, INDArray o, INDArray g, INDArray gi) {
                        Softmax.backward(x, o, g, gi);
                    }
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void activation(String name, Activation a) {
        // Scaled by 2.5 so that the saturating regions are exercised too.
        INDArray x = random(1, DOUBLE, 2, 3, 7).muli(2.5);
        INDArray out = x.ulike();
        INDArray gx = x.ulike();
        GradientCheck.check(name, new INDArray[] {x}, () -> {
            a.forward(x, out);
            return new INDArray[] {out};
        }, go -> {
            a.forward(x, out);
            a.backward(x, out, go[0], gx);
            return new INDArray[] {gx};
        }, 4);
    }

    static Stream<Arguments> poolCases() {
        return Stream.of(
                Arguments.of("2x2 stride 2", PoolGeometry.of(2, 2, 0), 4, 4, true),
                Arguments.of("3x3 stride 2 pad 1", PoolGeometry.of(3, 2, 1), 5, 6, true),
                Arguments.of("3x3 stride 2 pad 1 exclude pad", PoolGeometry.of(3, 2, 1), 5, 6, false),
                Arguments.of("same 3 stride 2", PoolGeometry.same(3, 2), 5, 5, true),
                Arguments.of("same 2 stride 1", PoolGeometry.same(2, 1), 4, 5, false),
                Arguments.of("rect", new PoolGeometry(2, 3, 1, 2, 1, 1, false), 4, 5, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poolCases")
    void maxPool(String name, PoolGeometry g, int h, int w, boolean countPad) {
        INDArray x = random(1, DOUBLE, 2, 2, h, w);
        INDArray out = zeros(DOUBLE, g.outputShape(x.shape()));
        INDArray gx = x.ulike();
        GradientCheck.check("maxpool " + name, new INDArray[] {x}, () -> {
            MaxPool2d.forward(x, g, out);
            return new INDArray[] {out};
        }, go -> {
            MaxPool2d.backward(x, go[0], g, gx);
            return new INDArray[] {gx};
        }, 4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poolCases")
    void avgPool(String name, PoolGeometry g, int h, int w, boolean countPad) {
        INDArray x = random(1, DOUBLE, 2, 2, h, w);
        INDArray out = zeros(DOUBLE, g.outputShape(x.shape()));
        INDArray gx = x.ulike();
        GradientCheck.check("avgpool " + name, new INDArray[] {x}, () -> {
            AvgPool2d.forward(x, g, countPad, out);
            return new INDArray[] {out};
        }, go -> {
            AvgPool2d.backward(x, go[0], g, countPad, gx);
            return new INDArray[] {gx};
        }, 4);
    }

    @Test
    void globalAvgPool() {
        INDArray x = random(1, DOUBLE, 2, 3, 3, 4);
        INDArray out = zeros(DOUBLE, 2, 3);
        INDArray gx = x.ulike();
        GradientCheck.check("global avg pool", new INDArray[] {x}, () -> {
            GlobalAvgPool.forward(x, out);
            return new INDArray[] {out};
        }, go -> {
            GlobalAvgPool.backward(go[0], gx);
            return new INDArray[] {gx};
        }, 4);
    }

    @Test
    void flatten() {
        INDArray x = random(1, DOUBLE, 2, 3, 2, 2);
        INDArray out = zeros(DOUBLE, 2, 12);
        INDArray gx = x.ulike();
        GradientCheck.check("flatten", new INDArray[] {x}, () -> {
            Flatten.forward(x, out);
            return new INDArray[] {out};
        }, go -> {
            Flatten.backward(go[0], gx);
            return new INDArray[] {gx};
        }, 4);
    }

    @ParameterizedTest
    @MethodSource("concatAxes")
    void concat(int axis) {
        long[] s1 = {2, 3, 2, 2};
        long[] s2 = {2, 3, 2, 2};
        s2[axis] = 1;
        long[] s3 = s1.clone();
        s3[axis] = 2;
        INDArray a = random(1, DOUBLE, s1);
        INDArray b = random(2, DOUBLE, s2);
        INDArray c = random(3, DOUBLE, s3);
        long[] so = s1.clone();
        so[axis] = s1[axis] + s2[axis] + s3[axis];
        INDArray out = zeros(DOUBLE, so);
        INDArray ga = a.ulike();
        INDArray gc = c.ulike();
        GradientCheck.check("concat axis " + axis, new INDArray[] {a, b, c}, () -> {
            Concat.forward(new INDArray[] {a, b, c}, axis, out);
            return new INDArray[] {out};
        }, go -> {
            // b's gradient is skipped: a located from the start, c from the end
            Concat.backward(go[0], axis, new INDArray[] {ga, null, gc});
            return new INDArray[] {ga, null, gc};
        }, 4);
    }

    static Stream<Integer> concatAxes() {
        return Stream.of(0, 1, 2, 3);
    }

    @Test
    void elementwise() {
        INDArray a = random(1, DOUBLE, 3, 4);
        INDArray b = random(2, DOUBLE, 3, 4);
        INDArray sum = a.ulike();
        INDArray diff = a.ulike();
        INDArray prod = a.ulike();
        INDArray scaled = a.ulike();
        INDArray ga = a.ulike();
        INDArray gb = a.ulike();
        INDArray tmp = a.ulike();
        GradientCheck.check("add, sub, mul, scale", new INDArray[] {a, b}, () -> {
            Elementwise.add(a, b, sum);
            Elementwise.sub(a, b, diff);
            Elementwise.mul(a, b, prod);
            Elementwise.scale(a, -1.7, scaled);
            return new INDArray[] {sum, diff, prod, scaled};
        }, go -> {
            // add: (g, g); sub: (g, -g); mul: mulBackward; scale: -1.7 g. Accumulated with accumulate().
            Elementwise.mulBackward(a, b, go[2], ga, gb);
            Elementwise.accumulate(ga, go[0]);
            Elementwise.accumulate(gb, go[0]);
            Elementwise.accumulate(ga, go[1]);
            Elementwise.scale(go[1], -1, tmp);
            Elementwise.accumulate(gb, tmp);
            Elementwise.scale(go[3], -1.7, tmp);
            Elementwise.accumulate(ga, tmp);
            return new INDArray[] {ga, gb};
        }, 4);
    }

    @Test
    void dropout() {
        INDArray x = random(1, DOUBLE, 4, 6);
        INDArray out = x.ulike();
        INDArray mask = x.ulike();
        INDArray gx = x.ulike();
        GradientCheck.check("dropout", new INDArray[] {x}, () -> {
            Dropout.forward(x, 0.3, 99, out, mask);
            return new INDArray[] {out};
        }, go -> {
            Dropout.backward(go[0], mask, gx);
            return new INDArray[] {gx};
        }, 4);
    }

    @ParameterizedTest
    @MethodSource("smoothing")
    void softmaxCrossEntropy(double smoothing) {
        INDArray logits = random(1, DOUBLE, 4, 5).muli(3);
        INDArray oneHot = zeros(DOUBLE, 4, 5);
        for (int n = 0; n < 4; n++) {
            oneHot.putScalar(n, (n * 3) % 5, 1.0);
        }
        INDArray g = logits.ulike();
        GradientCheck.checkScalar("softmax cross-entropy", new INDArray[] {logits},
                () -> SoftmaxCrossEntropy.forward(logits, oneHot, smoothing, null), () -> {
                    SoftmaxCrossEntropy.forward(logits, oneHot, smoothing, g);
                    return new INDArray[] {g};
                });
    }

    static Stream<Double> smoothing() {
        return Stream.of(0.0, 0.1);
    }

    @ParameterizedTest
    @MethodSource("temperatures")
    void distillation(double temperature) {
        INDArray student = random(1, DOUBLE, 3, 4);
        INDArray teacher = random(2, DOUBLE, 3, 4).muli(3);
        INDArray g = student.ulike();
        GradientCheck.checkScalar("distillation", new INDArray[] {student},
                () -> Distillation.forward(student, teacher, temperature, null), () -> {
                    Distillation.forward(student, teacher, temperature, g);
                    return new INDArray[] {g};
                });
        org.assertj.core.api.Assertions.assertThat(Distillation.forward(teacher, teacher, temperature, null))
                .as("no loss when the student matches the teacher").isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-12));
    }

    static Stream<Double> temperatures() {
        return Stream.of(1.0, 3.0);
    }

    @Test
    void meanSquaredError() {
        INDArray p = random(1, DOUBLE, 3, 4);
        INDArray t = random(2, DOUBLE, 3, 4);
        INDArray g = p.ulike();
        GradientCheck.checkScalar("mse", new INDArray[] {p}, () -> MeanSquaredError.forward(p, t, null), () -> {
            MeanSquaredError.forward(p, t, g);
            return new INDArray[] {g};
        });
    }
}
