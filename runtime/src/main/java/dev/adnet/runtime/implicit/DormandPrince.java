package dev.adnet.runtime.implicit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Dormand-Prince 5(4) with step-size control per sample: every sample has its own time and step size, takes the
 * steps its own local error allows (error per step below {@code atol + rtol |z|} in the root-mean-square norm,
 * Hairer's controller with safety 0.9 and step ratios in [0.2, 10]), and leaves the batch when it reaches t1.
 * Each round is seven stage evaluations (six with first-same-as-last) of f on the samples still integrating, so a
 * sample whose dynamics are easy is not carried along by a hard one.
 *
 * <p>The backward pass differentiates through the accepted steps (discretise-then-optimise) rather than solving
 * the adjoint ODE backwards: the gradient is then exactly that of the computed solution, so it agrees with finite
 * differences to the solver's tolerance, and no reverse solve with error control of its own is needed. Its cost is
 * memory: one state vector per accepted step per sample is recorded (the stages are recomputed in the backward, six
 * evaluations of f and six vector-Jacobian products per step). Step sizes are treated as constants.
 */
public final class DormandPrince {
    private DormandPrince() {}

    static final double[] C = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};
    static final double[][] A = {
        {},
        {1.0 / 5},
        {3.0 / 40, 9.0 / 40},
        {44.0 / 45, -56.0 / 15, 32.0 / 9},
        {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
        {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
        {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
    };
    /** The fifth-order weights are the last row of A (first same as last); the seventh stage has weight 0. */
    static final double[] B = A[6];
    /** Fifth- minus fourth-order weights: the local error estimate. */
    static final double[] E = {71.0 / 57600, 0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40};

    /** Integrates {@code dz/dt = f(z, t)} from {@code z0} at {@code spec.t0()}; records steps for training when asked. */
    public static OdeSolution solve(TimeMap f, INDArray z0, OdeSpec spec, boolean record) {
        Batch batch = new Batch(f, z0);
        int b = batch.b;
        double[][] y = Rows.read(z0, b, batch.d);
        double[] t = new double[b];
        Arrays.fill(t, spec.t0());
        int[] evaluations = new int[b];
        int[] accepted = new int[b];
        int[] rejected = new int[b];
        boolean[] finished = new boolean[b];
        List<List<OdeSolution.Step>> steps = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            steps.add(record ? new ArrayList<>() : List.of());
        }
        INDArray out = Nd4j.createUninitialized(z0.dataType(), z0.shape());
        int[] all = new int[b];
        Arrays.setAll(all, i -> i);
        double[][] k1 = batch.eval(y, all, t, evaluations);
        double[] h = initialSteps(batch, y, k1, all, t, spec, evaluations);
        int[] active = all;
        while (active.length > 0) {
            int k = active.length;
            double[] hh = new double[k];
            double[] ts = new double[k];
            double[][] y0 = new double[k][];
            double[][][] stages = new double[7][][];
            stages[0] = new double[k][];
            for (int j = 0; j < k; j++) {
                int i = active[j];
                hh[j] = Math.min(h[i], spec.t1() - t[i]);
                ts[j] = t[i];
                y0[j] = y[i];
                stages[0][j] = k1[i];
            }
            double[][] last = null;
            for (int s = 1; s < 7; s++) {
                double[][] in = combine(y0, hh, A[s], stages, s);
                last = in;
                stages[s] = batch.eval(in, active, times(ts, hh, C[s]), evaluations);
            }
            int kept = 0;
            for (int j = 0; j < k; j++) {
                int i = active[j];
                double err = error(y0[j], last[j], stages, j, hh[j], spec);
                boolean reachesEnd = hh[j] >= spec.t1() - t[i];
                boolean done = false;
                if (err <= 1) {
                    if (record) {
                        steps.get(i).add(new OdeSolution.Step(t[i], hh[j], y0[j].clone()));
                    }
                    y[i] = last[j];
                    k1[i] = stages[6][j];
                    t[i] = reachesEnd ? spec.t1() : t[i] + hh[j];
                    accepted[i]++;
                    h[i] = hh[j] * (err == 0 ? 10 : Math.min(10, Math.max(0.2, 0.9 * Math.pow(err, -0.2))));
                    finished[i] = reachesEnd;
                    done = reachesEnd;
                } else {
                    rejected[i]++;
                    h[i] = hh[j] * (Double.isFinite(err) ? Math.max(0.2, 0.9 * Math.pow(err, -0.2)) : 0.2);
                }
                if (!done && (!Double.isFinite(err) || accepted[i] + rejected[i] >= spec.maxSteps() || !(h[i] > 0))) {
                    done = true;
                }
                if (done) {
                    Rows.writeRow(y[i], out, i, batch.d);
                    y[i] = null;
                    k1[i] = null;
                } else {
                    active[kept++] = i;
                }
            }
            active = Arrays.copyOf(active, kept);
        }
        return new OdeSolution(out, evaluations, accepted, rejected, finished, record ? steps : List.of());
    }

    /**
     * The gradient with respect to the initial state, given {@code gradOut} with respect to the final state, by
     * reverse-mode differentiation through each sample's recorded steps; {@code vjp} adds the parameter gradients.
     */
    public static INDArray backward(TimeMap f, TimeMapVjp vjp, OdeSolution solution, INDArray gradOut) {
        if (solution.steps().size() != solution.evaluations().length) {
            throw new IllegalStateException("the ODE solve was not recorded for training");
        }
        Batch batch = new Batch(f, gradOut);
        int b = batch.b;
        double[][] g = Rows.read(gradOut, b, batch.d);
        int[] next = new int[b];
        for (int i = 0; i < b; i++) {
            next[i] = solution.steps().get(i).size() - 1;
        }
        int[] scratch = new int[b];
        while (true) {
            int k = 0;
            for (int i = 0; i < b; i++) {
                if (next[i] >= 0) {
                    scratch[k++] = i;
                }
            }
            if (k == 0) {
                break;
            }
            int[] active = Arrays.copyOf(scratch, k);
            double[] hh = new double[k];
            double[] ts = new double[k];
            double[][] y0 = new double[k][];
            for (int j = 0; j < k; j++) {
                OdeSolution.Step step = solution.steps().get(active[j]).get(next[active[j]]);
                hh[j] = step.h();
                ts[j] = step.t();
                y0[j] = step.y();
            }
            // recompute the six stages that form the step's result (the seventh only estimates the error)
            double[][][] inputs = new double[6][][];
            double[][][] stages = new double[6][][];
            for (int s = 0; s < 6; s++) {
                inputs[s] = s == 0 ? y0 : combine(y0, hh, A[s], stages, s);
                stages[s] = batch.eval(inputs[s], active, times(ts, hh, C[s]), null);
            }
            double[][][] inputGrads = new double[6][][];
            for (int s = 5; s >= 0; s--) {
                double[][] kbar = new double[k][batch.d];
                for (int j = 0; j < k; j++) {
                    double[] gj = g[active[j]];
                    double w = hh[j] * B[s];
                    for (int e = 0; e < batch.d; e++) {
                        kbar[j][e] = w * gj[e];
                    }
                    for (int l = s + 1; l < 6; l++) {
                        double wl = hh[j] * A[l][s];
                        if (wl != 0) {
                            double[] yl = inputGrads[l][j];
                            for (int e = 0; e < batch.d; e++) {
                                kbar[j][e] += wl * yl[e];
                            }
                        }
                    }
                }
                inputGrads[s] = batch.vjp(vjp, inputs[s], active, times(ts, hh, C[s]), kbar);
            }
            for (int j = 0; j < k; j++) {
                double[] gj = g[active[j]];
                for (int s = 0; s < 6; s++) {
                    double[] ys = inputGrads[s][j];
                    for (int e = 0; e < batch.d; e++) {
                        gj[e] += ys[e];
                    }
                }
                next[active[j]]--;
            }
        }
        INDArray out = Nd4j.createUninitialized(gradOut.dataType(), gradOut.shape());
        for (int i = 0; i < b; i++) {
            Rows.writeRow(g[i], out, i, batch.d);
        }
        return out;
    }

    /** {@code y + h sum_j a_j k_j} per sample, over the first {@code s} stages. */
    private static double[][] combine(double[][] y, double[] h, double[] a, double[][][] stages, int s) {
        double[][] r = new double[y.length][];
        for (int j = 0; j < y.length; j++) {
            double[] v = y[j].clone();
            for (int q = 0; q < s; q++) {
                double w = h[j] * a[q];
                if (w != 0) {
                    double[] kq = stages[q][j];
                    for (int e = 0; e < v.length; e++) {
                        v[e] += w * kq[e];
                    }
                }
            }
            r[j] = v;
        }
        return r;
    }

    private static double[] times(double[] t, double[] h, double c) {
        double[] r = new double[t.length];
        for (int j = 0; j < t.length; j++) {
            r[j] = t[j] + c * h[j];
        }
        return r;
    }

    /** The root-mean-square of the scaled local error estimate; NaN when the step produced a non-number. */
    private static double error(double[] y0, double[] y1, double[][][] stages, int j, double h, OdeSpec spec) {
        double sum = 0;
        for (int e = 0; e < y0.length; e++) {
            double est = 0;
            for (int s = 0; s < 7; s++) {
                est += E[s] * stages[s][j][e];
            }
            double scale = spec.atol() + spec.rtol() * Math.max(Math.abs(y0[e]), Math.abs(y1[e]));
            double q = h * est / scale;
            sum += q * q;
        }
        double err = Math.sqrt(sum / Math.max(1, y0.length));
        return Double.isFinite(err) ? err : Double.NaN;
    }

    /** Hairer's starting step (as in scipy's solve_ivp), one more evaluation of f per sample. */
    private static double[] initialSteps(Batch batch, double[][] y, double[][] f0, int[] rows, double[] t,
            OdeSpec spec, int[] evaluations) {
        int b = rows.length;
        double[] h0 = new double[b];
        double[] d1 = new double[b];
        double[][] probe = new double[b][];
        for (int i = 0; i < b; i++) {
            double d0 = 0;
            double df = 0;
            for (int e = 0; e < batch.d; e++) {
                double scale = spec.atol() + spec.rtol() * Math.abs(y[i][e]);
                d0 += sq(y[i][e] / scale);
                df += sq(f0[i][e] / scale);
            }
            d0 = Math.sqrt(d0 / Math.max(1, batch.d));
            d1[i] = Math.sqrt(df / Math.max(1, batch.d));
            h0[i] = Math.min(spec.t1() - spec.t0(), d0 < 1e-5 || d1[i] < 1e-5 ? 1e-6 : 0.01 * d0 / d1[i]);
            probe[i] = y[i].clone();
            for (int e = 0; e < batch.d; e++) {
                probe[i][e] += h0[i] * f0[i][e];
            }
        }
        double[] th = new double[b];
        for (int i = 0; i < b; i++) {
            th[i] = t[i] + h0[i];
        }
        double[][] f1 = batch.eval(probe, rows, th, evaluations);
        double[] h = new double[b];
        for (int i = 0; i < b; i++) {
            double d2 = 0;
            for (int e = 0; e < batch.d; e++) {
                double scale = spec.atol() + spec.rtol() * Math.abs(y[i][e]);
                d2 += sq((f1[i][e] - f0[i][e]) / scale);
            }
            d2 = Math.sqrt(d2 / Math.max(1, batch.d)) / h0[i];
            double m = Math.max(d1[i], d2);
            double h1 = m <= 1e-15 ? Math.max(1e-6, h0[i] * 1e-3) : Math.pow(0.01 / m, 0.2);
            h[i] = Math.min(Math.min(100 * h0[i], h1), spec.t1() - spec.t0());
        }
        return h;
    }

    private static double sq(double v) {
        return v * v;
    }

    /** Packs samples into one preallocated batch-first array for f, and checks what f returns. */
    private static final class Batch {
        final TimeMap f;
        final int b;
        final int d;
        final INDArray packed;

        Batch(TimeMap f, INDArray like) {
            DataType type = like.dataType();
            if (type != DataType.FLOAT && type != DataType.DOUBLE) {
                throw new IllegalArgumentException("ODE: only FLOAT and DOUBLE are supported, got " + type);
            }
            if (like.rank() < 2) {
                throw new IllegalArgumentException("ODE: the state must be batch-first with a per-sample shape, got"
                        + " shape " + Arrays.toString(like.shape()));
            }
            this.f = f;
            this.b = Math.toIntExact(like.size(0));
            this.d = Math.toIntExact(like.length() / Math.max(1, b));
            this.packed = Nd4j.createUninitialized(type, like.shape());
        }

        private INDArray pack(double[][] v, int k) {
            INDArray z = packed.get(NDArrayIndex.interval(0, k));
            writeRows(v, z);
            return z;
        }

        /** Row j of {@code dst} from {@code v[j]}, for every j of {@code dst}. */
        private void writeRows(double[][] v, INDArray dst) {
            int[] identity = new int[Math.toIntExact(dst.size(0))];
            java.util.Arrays.setAll(identity, j -> j);
            Rows.write(v, identity, dst, d);
        }

        private double[][] check(INDArray r, INDArray z, String what) {
            if (r == null || !Arrays.equals(r.shape(), z.shape())) {
                throw new IllegalArgumentException("ODE: the " + what + " has shape "
                        + (r == null ? "null" : Arrays.toString(r.shape())) + ", the state " + Arrays.toString(z.shape())
                        + "; dz/dt must have the state's shape");
            }
            return Rows.read(r, z.shape()[0] == 0 ? 0 : (int) z.size(0), d);
        }

        double[][] eval(double[][] v, int[] rows, double[] t, int[] evaluations) {
            INDArray z = pack(v, rows.length);
            double[][] r = check(f.apply(z, t, rows), z, "right-hand side");
            if (evaluations != null) {
                for (int i : rows) {
                    evaluations[i]++;
                }
            }
            return r;
        }

        double[][] vjp(TimeMapVjp vjp, double[][] v, int[] rows, double[] t, double[][] g) {
            INDArray z = pack(v, rows.length);
            INDArray gz = Nd4j.createUninitialized(packed.dataType(), z.shape());
            writeRows(g, gz);
            return check(vjp.apply(z, t, rows, gz), z, "vector-Jacobian product");
        }
    }
}
