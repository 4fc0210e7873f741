package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Network;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The generated CNN's inference forward against a plain-Java reference (nested loops over double[]). */
class ForwardEquivalenceTest {
    private static final int B = 3;

    @Test
    void cnnMatchesReferenceInDoubleAndFloat() {
        var file = new JavaEmitter().emit(TestGraphs.cnn(), TestGraphs.options("cnn.adnet"));
        Network dbl = InMemoryCompiler.instantiate(file, DataType.DOUBLE, 11);
        Network flt = InMemoryCompiler.instantiate(file, DataType.FLOAT, 11);
        SplittableRandom rnd = new SplittableRandom(3);
        // arbitrary parameter and running-statistic values, so every term of the computation matters
        for (int i = 0; i < dbl.parameters().size(); i++) {
            INDArray v = dbl.parameters().get(i).value();
            fill(v, rnd, 0.5, dbl.parameters().get(i).name().endsWith("gamma") ? 1.0 : 0.0);
            flt.parameters().get(i).value().assign(v.castTo(DataType.FLOAT));
        }
        fill(dbl.buffers().get(0).value(), rnd, 0.2, 0);
        fill(dbl.buffers().get(1).value(), rnd, 0.3, 1);
        for (int i = 0; i < 2; i++) {
            flt.buffers().get(i).value().assign(dbl.buffers().get(i).value().castTo(DataType.FLOAT));
        }
        INDArray x = Nd4j.create(DataType.DOUBLE, B, 2, 8, 8);
        fill(x, rnd, 1, 0);

        double[] expected = reference(dbl, x.data().asDouble());
        double[] actualD = dbl.forward(Map.of("image", x)).get("logits").data().asDouble();
        double[] actualF = flt.forward(Map.of("image", x.castTo(DataType.FLOAT))).get("logits").castTo(DataType.DOUBLE)
                .data().asDouble();
        assertThat(actualD).hasSize(B * 3);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actualD[i] - expected[i])).as("double logit %d", i).isLessThan(1e-10);
            assertThat(Math.abs(actualF[i] - expected[i])).as("float logit %d", i).isLessThan(1e-5);
        }
    }

    private static void fill(INDArray a, SplittableRandom rnd, double scale, double offset) {
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, offset + scale * (2 * rnd.nextDouble() - 1));
        }
    }

    private static double[] p(Network n, int i) {
        return n.parameters().get(i).value().dup('c').data().asDouble();
    }

    /** conv(bias) -> batchnorm -> relu -> max_pool -> conv -> relu -> add -> global_avg_pool -> dense. */
    static double[] reference(Network n, double[] x) {
        double[] c1 = conv(x, 2, 8, 8, p(n, 0), p(n, 1), 4, 3, 1);
        double[] mean = n.buffers().get(0).value().data().asDouble();
        double[] var = n.buffers().get(1).value().data().asDouble();
        double[] gamma = p(n, 2);
        double[] beta = p(n, 3);
        double[] a1 = new double[c1.length];
        for (int b = 0; b < B; b++) {
            for (int c = 0; c < 4; c++) {
                for (int s = 0; s < 64; s++) {
                    int i = (b * 4 + c) * 64 + s;
                    double y = (c1[i] - mean[c]) / Math.sqrt(var[c] + 1e-5) * gamma[c] + beta[c];
                    a1[i] = Math.max(0, y);
                }
            }
        }
        double[] pool = new double[B * 4 * 16];
        for (int b = 0; b < B; b++) {
            for (int c = 0; c < 4; c++) {
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int di = 0; di < 2; di++) {
                            for (int dj = 0; dj < 2; dj++) {
                                m = Math.max(m, a1[((b * 4 + c) * 8 + 2 * i + di) * 8 + 2 * j + dj]);
                            }
                        }
                        pool[((b * 4 + c) * 4 + i) * 4 + j] = m;
                    }
                }
            }
        }
        double[] c2 = conv(pool, 4, 4, 4, p(n, 4), null, 4, 3, 1);
        double[] gap = new double[B * 4];
        for (int i = 0; i < c2.length; i++) {
            gap[i / 16] += (Math.max(0, c2[i]) + pool[i]) / 16;
        }
        double[] w = p(n, 5);
        double[] bias = p(n, 6);
        double[] out = new double[B * 3];
        for (int b = 0; b < B; b++) {
            for (int o = 0; o < 3; o++) {
                double s = bias[o];
                for (int i = 0; i < 4; i++) {
                    s += gap[b * 4 + i] * w[i * 3 + o];
                }
                out[b * 3 + o] = s;
            }
        }
        return out;
    }

    /** Stride-1 square convolution with zero padding, weights [outC, inC, k, k]. */
    static double[] conv(double[] x, int inC, int h, int w, double[] weight, double[] bias, int outC, int k, int pad) {
        double[] out = new double[B * outC * h * w];
        for (int b = 0; b < B; b++) {
            for (int o = 0; o < outC; o++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        double s = bias == null ? 0 : bias[o];
                        for (int c = 0; c < inC; c++) {
                            for (int di = 0; di < k; di++) {
                                for (int dj = 0; dj < k; dj++) {
                                    int ii = i + di - pad;
                                    int jj = j + dj - pad;
                                    if (ii >= 0 && ii < h && jj >= 0 && jj < w) {
                                        s += x[((b * inC + c) * h + ii) * w + jj]
                                                * weight[((o * inC + c) * k + di) * k + dj];
                                    }
                                }
                            }
                        }
                        out[((b * outC + o) * h + i) * w + j] = s;
                    }
                }
            }
        }
        return out;
    }
}
