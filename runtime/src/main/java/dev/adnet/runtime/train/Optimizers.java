package dev.adnet.runtime.train;

import dev.adnet.runtime.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The update rules, following PyTorch's formulations ({@code torch.optim.SGD}, {@code Adam}, {@code AdamW}).
 * Arithmetic is done in double precision per element and stored in the parameter's type; updates are in place
 * over the arrays' direct buffers, so a step allocates no arrays after the first.
 */
public final class Optimizers {
    private Optimizers() {}

    public static Optimizer create(OptimizerConfig c) {
        return switch (c.kind()) {
            case SGD -> new Sgd(c);
            case ADAM -> new Adam(c, false);
            case ADAMW -> new Adam(c, true);
        };
    }

    /** Per-parameter state: views of the live value and gradient plus state arrays. */
    private static final class Slot {
        final Flat value;
        final Flat grad;
        final Flat[] state;

        Slot(Parameter p, INDArray[] state) {
            this.value = Flat.of(p.value());
            this.grad = Flat.of(p.gradient());
            this.state = new Flat[state.length];
            for (int i = 0; i < state.length; i++) {
                this.state[i] = Flat.of(state[i]);
            }
            if (grad.length() != value.length()) {
                throw new IllegalArgumentException("parameter " + p.name() + ": gradient has " + grad.length()
                        + " elements, value has " + value.length());
            }
        }

        boolean matches(Parameter p) {
            return value.array() == p.value() && grad.array() == p.gradient();
        }
    }

    private abstract static class Base implements Optimizer {
        final OptimizerConfig config;
        final String[] stateNames;
        final Map<String, Slot> slots = new LinkedHashMap<>();
        /** State loaded from a checkpoint for parameters not yet seen by {@link #step}. */
        final Map<String, INDArray> pending = new LinkedHashMap<>();
        long steps;

        Base(OptimizerConfig config, String... stateNames) {
            this.config = config;
            this.stateNames = stateNames;
        }

        @Override
        public OptimizerConfig.Kind kind() {
            return config.kind();
        }

        @Override
        public long steps() {
            return steps;
        }

        Slot slot(Parameter p) {
            Slot s = slots.get(p.name());
            if (s != null && s.matches(p)) {
                return s;
            }
            INDArray[] st = new INDArray[stateNames.length];
            for (int i = 0; i < st.length; i++) {
                INDArray old = s != null ? s.state[i].array() : pending.remove(stateNames[i] + "/" + p.name());
                st[i] = Nd4j.zeros(p.value().dataType(), p.value().shape());
                if (old != null) {
                    if (old.length() != st[i].length()) {
                        throw new IllegalStateException("optimizer state " + stateNames[i] + "/" + p.name()
                                + " has " + old.length() + " elements, parameter has " + st[i].length());
                    }
                    st[i].assign(old.reshape(st[i].shape()));
                }
            }
            s = new Slot(p, st);
            slots.put(p.name(), s);
            return s;
        }

        boolean hasState(Parameter p) {
            return slots.containsKey(p.name())
                    || (stateNames.length > 0 && pending.containsKey(stateNames[0] + "/" + p.name()));
        }

        @Override
        public OptimizerState state() {
            Map<String, INDArray> t = new LinkedHashMap<>(pending);
            for (Map.Entry<String, Slot> e : slots.entrySet()) {
                for (int i = 0; i < stateNames.length; i++) {
                    t.put(stateNames[i] + "/" + e.getKey(), e.getValue().state[i].array());
                }
            }
            return new OptimizerState(config.kind(), t, Map.of("step", (double) steps));
        }

        @Override
        public void loadState(OptimizerState state) {
            if (state.kind() != config.kind()) {
                throw new IllegalArgumentException(
                        "optimizer state is for " + state.kind() + ", this optimizer is " + config.kind());
            }
            slots.clear();
            pending.clear();
            for (Map.Entry<String, INDArray> e : state.tensors().entrySet()) {
                pending.put(e.getKey(), e.getValue().dup('c'));
            }
            Double s = state.scalars().get("step");
            steps = s == null ? 0 : s.longValue();
        }
    }

    /** SGD: {@code g += wd*p; buf = mu*buf + g (buf = g at first); g = nesterov ? g + mu*buf : buf; p -= lr*g}. */
    static final class Sgd extends Base {
        Sgd(OptimizerConfig c) {
            super(c, c.momentum() == 0 ? new String[0] : new String[] {"momentum_buffer"});
        }

        @Override
        public void step(List<Parameter> params, double lr) {
            double mu = config.momentum();
            boolean nesterov = config.nesterov();
            for (Parameter p : params) {
                double wd = p.decay() ? config.weightDecay() : 0.0;
                if (mu == 0) {
                    Slot s = slot(p);
                    Flat v = s.value;
                    Flat g = s.grad;
                    for (int i = 0, n = v.length(); i < n; i++) {
                        double pi = v.get(i);
                        v.set(i, pi - lr * (g.get(i) + wd * pi));
                    }
                    continue;
                }
                boolean first = !hasState(p);
                Slot s = slot(p);
                Flat v = s.value;
                Flat g = s.grad;
                Flat b = s.state[0];
                if (v instanceof Flat.F32 fv && g instanceof Flat.F32 fg && b instanceof Flat.F32 fb) {
                    momentumStep(fv, fg, fb, lr, wd, mu, nesterov, first);
                    continue;
                }
                for (int i = 0, n = v.length(); i < n; i++) {
                    double pi = v.get(i);
                    double gi = g.get(i) + wd * pi;
                    double bi = first ? gi : mu * b.get(i) + gi;
                    b.set(i, bi);
                    double bs = b.get(i); // as stored, so that resuming from a checkpoint is exact
                    double d = nesterov ? gi + mu * bs : bs;
                    v.set(i, pi - lr * d);
                }
            }
            steps++;
        }

        /**
         * The loop above for FLOAT arrays, on heap copies (three bulk reads, two bulk writes) instead of an indexed
         * buffer access per element: the same arithmetic in double, rounded to float where the loop above stores,
         * so the results are the same bits.
         */
        private void momentumStep(Flat.F32 v, Flat.F32 g, Flat.F32 b, double lr, double wd, double mu,
                boolean nesterov, boolean first) {
            int n = v.length();
            if (scratch[0].length < n) {
                scratch = new float[][] {new float[n], new float[n], new float[n]};
            }
            float[] vs = scratch[0];
            float[] gs = scratch[1];
            float[] bs = scratch[2];
            v.read(vs);
            g.read(gs);
            b.read(bs);
            for (int i = 0; i < n; i++) {
                double pi = vs[i];
                double gi = gs[i] + wd * pi;
                float stored = (float) (first ? gi : mu * bs[i] + gi);
                bs[i] = stored;
                double d = nesterov ? gi + mu * stored : stored;
                vs[i] = (float) (pi - lr * d);
            }
            b.write(bs);
            v.write(vs);
        }

        private float[][] scratch = {new float[0], new float[0], new float[0]};
    }

    /**
     * Adam (L2 penalty added to the gradient) or AdamW (decoupled: {@code p *= 1 - lr*wd} before the Adam update).
     */
    static final class Adam extends Base {
        private final boolean decoupled;

        Adam(OptimizerConfig c, boolean decoupled) {
            super(c, "exp_avg", "exp_avg_sq");
            this.decoupled = decoupled;
        }

        @Override
        public void step(List<Parameter> params, double lr) {
            long t = steps + 1;
            double b1 = config.beta1();
            double b2 = config.beta2();
            double eps = config.epsilon();
            double bc1 = 1 - Math.pow(b1, t);
            double bc2Sqrt = Math.sqrt(1 - Math.pow(b2, t));
            double stepSize = lr / bc1;
            for (Parameter p : params) {
                double wd = p.decay() ? config.weightDecay() : 0.0;
                Slot s = slot(p);
                Flat v = s.value;
                Flat g = s.grad;
                Flat m = s.state[0];
                Flat sq = s.state[1];
                double shrink = decoupled ? 1 - lr * wd : 1;
                double l2 = decoupled ? 0 : wd;
                for (int i = 0, n = v.length(); i < n; i++) {
                    double pi = v.get(i);
                    double gi = g.get(i) + l2 * pi;
                    pi *= shrink;
                    m.set(i, b1 * m.get(i) + (1 - b1) * gi);
                    sq.set(i, b2 * sq.get(i) + (1 - b2) * gi * gi);
                    double denom = Math.sqrt(sq.get(i)) / bc2Sqrt + eps;
                    v.set(i, pi - stepSize * m.get(i) / denom);
                }
            }
            steps = t;
        }
    }
}
