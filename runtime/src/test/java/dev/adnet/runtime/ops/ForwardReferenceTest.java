package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.random;
import static dev.adnet.runtime.ops.Testing.tolerance;
import static dev.adnet.runtime.ops.Testing.values;
import static dev.adnet.runtime.ops.Testing.zeros;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Forward passes against straightforward nested-loop references: 1e-10 in DOUBLE, 1e-5 in FLOAT. */
class ForwardReferenceTest {

    /** SAME padding before the first row (TensorFlow's rule), computed independently of the main code. */
    private static int samePad(int in, int k, int s, int d) {
        int out = (in + s - 1) / s;
        return Math.max((out - 1) * s + d * (k - 1) + 1 - in, 0) / 2;
    }

    static Stream<Arguments> convCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        ConvGeometry[] gs = {
            ConvGeometry.of(3, 1, 1), ConvGeometry.of(3, 2, 0), ConvGeometry.of(3, 1, 2).withDilation(2),
            ConvGeometry.of(3, 1, 1).withGroups(2), ConvGeometry.of(3, 2, 1).withGroups(4),
            ConvGeometry.same(3, 1).withDilation(2).withGroups(4), ConvGeometry.same(3, 2), ConvGeometry.same(2, 1),
            ConvGeometry.of(2, 3, 2, 1, 0, 1)
        };
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (ConvGeometry g : gs) {
                b.add(Arguments.of(t, g));
            }
        }
        return b.build();
    }

    @ParameterizedTest
    @MethodSource("convCases")
    void conv2d(DataType t, ConvGeometry g) {
        int batch = 2, inC = 4, outC = 8, h = 6, w = 7;
        INDArray x = random(1, t, batch, inC, h, w);
        INDArray wt = random(2, t, outC, inC / g.groups(), g.kernelH(), g.kernelW());
        INDArray bias = random(3, t, outC);
        long[] os = g.outputShape(x.shape(), outC);
        INDArray out = zeros(t, os);
        Conv2d.forward(x, wt, bias, g, out);

        double[] xv = values(x), wv = values(wt), bv = values(bias);
        int oh = (int) os[2], ow = (int) os[3];
        int icg = inC / g.groups(), ocg = outC / g.groups();
        int pt = g.same() ? samePad(h, g.kernelH(), g.strideH(), g.dilationH()) : g.padH();
        int pl = g.same() ? samePad(w, g.kernelW(), g.strideW(), g.dilationW()) : g.padW();
        double[] ref = new double[batch * outC * oh * ow];
        for (int n = 0; n < batch; n++) {
            for (int oc = 0; oc < outC; oc++) {
                int grp = oc / ocg;
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        double s = bv[oc];
                        for (int icl = 0; icl < icg; icl++) {
                            int ic = grp * icg + icl;
                            for (int ky = 0; ky < g.kernelH(); ky++) {
                                for (int kx = 0; kx < g.kernelW(); kx++) {
                                    int iy = y * g.strideH() - pt + ky * g.dilationH();
                                    int ix = z * g.strideW() - pl + kx * g.dilationW();
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        s += xv[((n * inC + ic) * h + iy) * w + ix]
                                                * wv[((oc * icg + icl) * g.kernelH() + ky) * g.kernelW() + kx];
                                    }
                                }
                            }
                        }
                        ref[((n * outC + oc) * oh + y) * ow + z] = s;
                    }
                }
            }
        }
        assertClose("conv2d " + g, out, ref, tolerance(t));
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void dense(DataType t) {
        INDArray x = random(1, t, 3, 4);
        INDArray w = random(2, t, 4, 5);
        INDArray b = random(3, t, 5);
        INDArray out = zeros(t, 3, 5);
        Dense.forward(x, w, b, out);
        double[] xv = values(x), wv = values(w), bv = values(b);
        double[] ref = new double[15];
        for (int n = 0; n < 3; n++) {
            for (int j = 0; j < 5; j++) {
                double s = bv[j];
                for (int i = 0; i < 4; i++) {
                    s += xv[n * 4 + i] * wv[i * 5 + j];
                }
                ref[n * 5 + j] = s;
            }
        }
        assertClose("dense", out, ref, tolerance(t));
    }

    static Stream<Arguments> poolCases() {
        Stream.Builder<Arguments> b = Stream.builder();
        PoolGeometry[] gs = {
            PoolGeometry.of(2, 2, 0), PoolGeometry.of(3, 2, 1), PoolGeometry.of(3, 1, 1), PoolGeometry.same(3, 2),
            PoolGeometry.same(2, 1), new PoolGeometry(2, 3, 1, 2, 1, 1, false)
        };
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            for (PoolGeometry g : gs) {
                for (boolean countPad : new boolean[] {true, false}) {
                    b.add(Arguments.of(t, g, countPad));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest
    @MethodSource("poolCases")
    void pools(DataType t, PoolGeometry g, boolean countPad) {
        int batch = 2, c = 3, h = 5, w = 6;
        INDArray x = random(1, t, batch, c, h, w);
        long[] os = g.outputShape(x.shape());
        INDArray max = zeros(t, os);
        INDArray avg = zeros(t, os);
        MaxPool2d.forward(x, g, max);
        AvgPool2d.forward(x, g, countPad, avg);
        double[] xv = values(x);
        int oh = (int) os[2], ow = (int) os[3];
        int pt = g.same() ? samePad(h, g.kernelH(), g.strideH(), 1) : g.padH();
        int pl = g.same() ? samePad(w, g.kernelW(), g.strideW(), 1) : g.padW();
        double[] refMax = new double[batch * c * oh * ow];
        double[] refAvg = new double[refMax.length];
        for (int p = 0; p < batch * c; p++) {
            for (int y = 0; y < oh; y++) {
                for (int z = 0; z < ow; z++) {
                    double m = Double.NEGATIVE_INFINITY, s = 0;
                    int count = 0;
                    for (int ky = 0; ky < g.kernelH(); ky++) {
                        for (int kx = 0; kx < g.kernelW(); kx++) {
                            int iy = y * g.strideH() - pt + ky, ix = z * g.strideW() - pl + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                double v = xv[(p * h + iy) * w + ix];
                                m = Math.max(m, v);
                                s += v;
                                count++;
                            }
                        }
                    }
                    refMax[(p * oh + y) * ow + z] = m;
                    refAvg[(p * oh + y) * ow + z] = s / (countPad ? g.kernelH() * g.kernelW() : count);
                }
            }
        }
        assertClose("maxpool " + g, max, refMax, tolerance(t));
        assertClose("avgpool " + g + " countPad " + countPad, avg, refAvg, tolerance(t));
    }

    @ParameterizedTest
    @MethodSource("normShapes")
    void batchNormInference(DataType t, long[] shape) {
        INDArray x = random(1, t, shape);
        int c = (int) shape[1];
        INDArray gamma = random(2, t, c), beta = random(3, t, c), mean = random(4, t, c);
        INDArray var = random(5, t, c);
        var.assign(var.mul(var).addi(0.5));
        INDArray out = x.ulike();
        BatchNorm.inference(x, gamma, beta, mean, var, 1e-5, out);
        double[] xv = values(x), gv = values(gamma), bv = values(beta), mv = values(mean), vv = values(var);
        int inner = (int) (x.length() / shape[0] / c);
        double[] ref = new double[xv.length];
        for (int i = 0; i < ref.length; i++) {
            int ch = (i / inner) % c;
            ref[i] = gv[ch] * (xv[i] - mv[ch]) / Math.sqrt(vv[ch] + 1e-5) + bv[ch];
        }
        assertClose("batchnorm inference", out, ref, tolerance(t));
    }

    static Stream<Arguments> normShapes() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            b.add(Arguments.of(t, new long[] {4, 3}));
            b.add(Arguments.of(t, new long[] {2, 3, 2, 4}));
        }
        return b.build();
    }

    @ParameterizedTest
    @MethodSource("normShapes")
    void batchNormTrainingStatistics(DataType t, long[] shape) {
        INDArray x = random(1, t, shape);
        int c = (int) shape[1];
        INDArray rm = zeros(t, c).addi(0.5), rv = zeros(t, c).addi(2);
        INDArray out = x.ulike(), sm = zeros(t, c), si = zeros(t, c);
        BatchNorm.trainForward(x, null, null, rm, rv, 0.1, 1e-5, out, sm, si);
        double[] xv = values(x);
        int inner = (int) (x.length() / shape[0] / c);
        int m = (int) shape[0] * inner;
        double[] mean = new double[c], sq = new double[c];
        for (int i = 0; i < xv.length; i++) {
            mean[(i / inner) % c] += xv[i] / m;
        }
        for (int i = 0; i < xv.length; i++) {
            int ch = (i / inner) % c;
            sq[ch] += (xv[i] - mean[ch]) * (xv[i] - mean[ch]);
        }
        double[] refRm = new double[c], refRv = new double[c], refOut = new double[xv.length];
        for (int ch = 0; ch < c; ch++) {
            refRm[ch] = 0.9 * 0.5 + 0.1 * mean[ch];
            refRv[ch] = 0.9 * 2 + 0.1 * sq[ch] / (m - 1);
        }
        for (int i = 0; i < xv.length; i++) {
            int ch = (i / inner) % c;
            refOut[i] = (xv[i] - mean[ch]) / Math.sqrt(sq[ch] / m + 1e-5);
        }
        assertClose("running mean", rm, refRm, tolerance(t));
        assertClose("running var (unbiased)", rv, refRv, tolerance(t));
        assertClose("normalised", out, refOut, tolerance(t));
        assertClose("saved mean", sm, mean, tolerance(t));
    }

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void layerNormAndSoftmax(DataType t) {
        int rows = 6, d = 5;
        INDArray x = random(1, t, 2, 3, d).muli(3);
        INDArray gamma = random(2, t, d), beta = random(3, t, d);
        INDArray ln = x.ulike(), sm = x.ulike();
        LayerNorm.forward(x, gamma, beta, 1e-5, ln, zeros(t, 2, 3), zeros(t, 2, 3));
        Softmax.forward(x, sm);
        double[] xv = values(x), gv = values(gamma), bv = values(beta);
        double[] refLn = new double[xv.length], refSm = new double[xv.length];
        for (int r = 0; r < rows; r++) {
            double mean = 0, var = 0, z = 0;
            for (int j = 0; j < d; j++) {
                mean += xv[r * d + j] / d;
            }
            for (int j = 0; j < d; j++) {
                var += (xv[r * d + j] - mean) * (xv[r * d + j] - mean) / d;
                z += Math.exp(xv[r * d + j]);
            }
            for (int j = 0; j < d; j++) {
                refLn[r * d + j] = (xv[r * d + j] - mean) / Math.sqrt(var + 1e-5) * gv[j] + bv[j];
                refSm[r * d + j] = Math.exp(xv[r * d + j]) / z;
            }
        }
        assertClose("layernorm", ln, refLn, tolerance(t));
        assertClose("softmax", sm, refSm, tolerance(t));
    }
}
