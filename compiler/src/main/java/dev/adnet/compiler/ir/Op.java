package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * One runtime primitive applied to values. Every op knows its dotted {@code path} (for names and the describe
 * table) and the source {@code origin} it was written at.
 */
public sealed interface Op {
    /**
     * An op that owns nested regions and combines their results: a gated block, an exit (and, as the language grows,
     * a loop or a fixed point). In a {@link Region#schedule() schedule} its regions' ops come right before it.
     */
    sealed interface RegionOp extends Op permits GatedResidual, Exit, HaltingLoop, FixedPoint, Ode, ShareUnit,
            FusedOp.GatedResidualRelu {
        /** The nested regions, in the order they run. */
        List<Region> regions();

        /** The regions' names, in the same order, for the printed IR. */
        List<String> regionNames();

        /** The values the construct reads from its surroundings (its regions' arguments come from them). */
        List<Value> operands();

        /** The same construct with {@code regions} in place of its own, in the same order: what a rewrite pass builds. */
        RegionOp withRegions(List<Region> regions);

        /**
         * Values the construct itself defines for its regions to read: a halting loop's state, which each step binds to
         * the previous step's result; a fixed point's iterate. Region arguments that come from no operand.
         */
        default List<Value> bound() {
            return List.of();
        }
    }

    /**
     * Ops that a rewrite pass ({@code dev.adnet.compiler.pass}) found to run as one runtime kernel. It stands where
     * the pass placed it in its region, defines the value of its last part, reads what its parts read from outside,
     * and the values between its parts are never stored.
     */
    sealed interface Fused extends Op permits FusedOp.BatchNormRelu, FusedOp.AddRelu, FusedOp.ConvBatchNorm,
            FusedOp.FlattenDense, FusedOp.GateHead, FusedOp.GatedResidualRelu {
        /** The ops it stands for, in the order the checked IR ran them. */
        List<Op> parts();

        @Override
        default String path() {
            return String.join("+", parts().stream().map(Op::path).toList());
        }

        @Override
        default Span origin() {
            return parts().get(0).origin();
        }

        @Override
        default List<ParamDecl> params() {
            return parts().stream().flatMap(p -> p.params().stream()).toList();
        }
    }

    Value out();

    List<Value> inputs();

    String path();

    Span origin();

    /** Parameters in a fixed order: weight first, then bias or gamma, beta. */
    default List<ParamDecl> params() {
        return List.of();
    }

    /** The layer kind as users write it, for the describe table. */
    String kind();

    record Conv2d(Value in, Value out, ParamDecl weight, ParamDecl bias, int kernelH, int kernelW, int strideH,
            int strideW, int padH, int padW, int dilationH, int dilationW, int groups, String path, Span origin)
            implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public List<ParamDecl> params() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }

        @Override
        public String kind() {
            return "conv";
        }
    }

    /** {@code out = in @ weight + bias}, weight {@code [in, out]}. */
    record Dense(Value in, Value out, ParamDecl weight, ParamDecl bias, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public List<ParamDecl> params() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }

        @Override
        public String kind() {
            return "dense";
        }
    }

    record BatchNorm(Value in, Value out, ParamDecl gamma, ParamDecl beta, BufferDecl runningMean,
            BufferDecl runningVar, double momentum, double eps, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public List<ParamDecl> params() {
            return List.of(gamma, beta);
        }

        @Override
        public String kind() {
            return "batchnorm";
        }
    }

    /** Normalises over the last dimension. */
    record LayerNorm(Value in, Value out, ParamDecl gamma, ParamDecl beta, double eps, String path, Span origin)
            implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public List<ParamDecl> params() {
            return List.of(gamma, beta);
        }

        @Override
        public String kind() {
            return "layernorm";
        }
    }

    enum ActivationKind {
        RELU,
        GELU,
        SIGMOID,
        TANH,
        SOFTMAX
    }

    record Activation(ActivationKind activation, Value in, Value out, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return activation.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    enum PoolKind {
        MAX,
        AVG
    }

    /** Max or average pooling; padding is never counted in an average. */
    record Pool2d(PoolKind pool, Value in, Value out, int kernelH, int kernelW, int strideH, int strideW, int padH,
            int padW, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return pool == PoolKind.MAX ? "max_pool" : "avg_pool";
        }
    }

    /** [C, H, W] to [C]. */
    record GlobalAvgPool(Value in, Value out, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return "global_avg_pool";
        }
    }

    record Flatten(Value in, Value out, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return "flatten";
        }
    }

    /** Inverted dropout in training, identity at inference. */
    record Dropout(Value in, Value out, double rate, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return "dropout";
        }
    }

    /** Concatenation along the first per-sample (channel) dimension. */
    record Concat(List<Value> ins, Value out, String path, Span origin) implements Op {
        public Concat {
            ins = List.copyOf(ins);
        }

        @Override
        public List<Value> inputs() {
            return ins;
        }

        @Override
        public String kind() {
            return "concat";
        }
    }

    enum ElementwiseKind {
        ADD,
        SUB,
        MUL
    }

    /** Same-shape elementwise {@code a op b}. */
    record Elementwise(ElementwiseKind op, Value a, Value b, Value out, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(a, b);
        }

        @Override
        public String kind() {
            return op.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    enum GateEstimator {
        /** Hard 0/1 decisions forward, the soft sample's gradient backward. */
        STRAIGHT_THROUGH,
        /** The soft sample itself, forward and backward. */
        SOFT
    }

    /**
     * The per-sample decision of a gate from its two logits ({@code [skip, execute]}): a Gumbel-softmax sample in
     * training, the argmax (or a sample, when asked) at inference. The output has per-sample shape {@code [1]}.
     *
     * @param gateIndex the gate's position among the network's gates, from 0
     * @param temperature the fixed temperature, unless the train section anneals it
     */
    record GumbelGate(Value logits, Value out, int gateIndex, double temperature, GateEstimator estimator,
            boolean sampleAtInference, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(logits);
        }

        @Override
        public String kind() {
            return "gumbel_gate";
        }
    }

    /**
     * {@code out = shortcut + z[n] * body}: a gated residual block. Its {@code head} region computes the per-sample
     * decision {@code z} (ending in a {@link GumbelGate}), its {@code bodyRegion} the block {@code F} and its
     * {@code shortcutRegion} the shortcut (no ops for an identity), each from {@code input} alone. At inference the
     * body runs only on the samples whose gate is open, and its result is added back into their rows.
     *
     * @param input the block's input (what every region reads)
     * @param target the gate's declared execution-rate target
     */
    record GatedResidual(Value input, Region head, Region bodyRegion, Region shortcutRegion, Value out, int gateIndex,
            double target, String path, Span origin) implements RegionOp {
        /** The gate's decision, {@code [1]} per sample: the head's result. */
        public Value gate() {
            return head.result();
        }

        /** The block's output before it is gated: the body's result. */
        public Value body() {
            return bodyRegion.result();
        }

        public Value shortcut() {
            return shortcutRegion.result();
        }

        @Override
        public List<Value> inputs() {
            return List.of(shortcut(), body(), gate());
        }

        @Override
        public List<Region> regions() {
            return List.of(head, bodyRegion, shortcutRegion);
        }

        @Override
        public List<String> regionNames() {
            return List.of("head", "body", "shortcut");
        }

        @Override
        public List<Value> operands() {
            return List.of(input);
        }

        @Override
        public GatedResidual withRegions(List<Region> regions) {
            return new GatedResidual(input, regions.get(0), regions.get(1), regions.get(2), out, gateIndex, target, path,
                    origin);
        }

        @Override
        public String kind() {
            return "gated_residual";
        }
    }

    /**
     * One unit of an AdaShare {@code share} as one task runs it: {@code out = input + z * (unit - input)}, where
     * {@code z} is the task's select-or-skip decision for this unit, drawn from its two logits ({@code logits}: [select,
     * skip], as AdaShare's) with a Gumbel-softmax in training and their argmax at inference. Its {@code unitRegion}
     * computes the unit from {@code input} alone; the units of every task share their weights (the first task's
     * instances), each task owns its logits. A share lowers to one such op per task and unit, a task's units in order.
     *
     * @param shareIndex which share of the network, in lowering order
     * @param taskIndex the task's position among the network's tasks
     * @param unit the unit's position in the share, from 0; {@code units} is their number
     * @param soft whether training uses the soft sample (else straight-through: hard forward, soft backward)
     * @param sparsity the share's {@code sparsity} weight (the {@code sparsity()} loss term)
     * @param sharing the share's {@code sharing} weight (the {@code sharing()} loss term)
     */
    record ShareUnit(Value input, Region unitRegion, Value out, ParamDecl logits, int shareIndex, String task, int taskIndex,
            int unit, int units, boolean soft, double sparsity, double sharing, String path, Span origin) implements RegionOp {
        /** The unit's result when it runs. */
        public Value unitResult() {
            return unitRegion.result();
        }

        @Override
        public List<Value> inputs() {
            return List.of(input, unitResult());
        }

        @Override
        public List<ParamDecl> params() {
            return List.of(logits);
        }

        @Override
        public List<Region> regions() {
            return List.of(unitRegion);
        }

        @Override
        public List<String> regionNames() {
            return List.of("unit");
        }

        @Override
        public List<Value> operands() {
            return List.of(input);
        }

        @Override
        public ShareUnit withRegions(List<Region> regions) {
            return new ShareUnit(input, regions.get(0), out, logits, shareIndex, task, taskIndex, unit, units, soft, sparsity,
                    sharing, path, origin);
        }

        @Override
        public String kind() {
            return "share_unit";
        }
    }

    /**
     * A task's decision for one unit of a share, {@code [1]} per sample and the same for every sample (what the emitter
     * runs for a {@link ShareUnit}, {@code emit/ShareUnrolling}): in training a Gumbel-softmax sample of its two logits
     * ([select, skip]), drawn once per step, soft or straight-through; at inference their argmax (1 runs the unit).
     * It keeps the share, task and unit it decides for and the share's weights, for the loss terms.
     */
    record TaskPolicy(ParamDecl logits, Value out, boolean soft, int shareIndex, int taskIndex, int unit, double sparsity,
            double sharing, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of();
        }

        @Override
        public List<ParamDecl> params() {
            return List.of(logits);
        }

        @Override
        public String kind() {
            return "task_policy";
        }
    }

    /**
     * {@code out = input + z * delta}: a share unit's output (what the emitter runs for a {@link ShareUnit}), with
     * {@code delta} the unit's result minus its input and {@code z} the task's {@link TaskPolicy} decision.
     */
    record PolicyMix(Value input, Value delta, Value policy, Value out, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(input, delta, policy);
        }

        @Override
        public String kind() {
            return "policy_mix";
        }
    }

    /** How an exit decides; a budget is a confidence threshold that {@code adnet calibrate} chooses. */
    enum ExitPolicyKind {
        NONE,
        CONFIDENCE,
        ENTROPY,
        PATIENCE,
        BUDGET
    }

    /**
     * An early exit: its {@code headRegion} computes {@code head} (a classifier over the network output it stands for)
     * from {@code stream} alone, and the op decides per sample whether it leaves there. Its {@code out} is the
     * per-sample decision ({@code [1]}); nothing in the network reads it, the stream goes on unchanged. Training
     * evaluates every head on every sample; inference lets the samples whose policy fires leave the batch.
     *
     * @param threshold the confidence, entropy or patience the policy compares with; for a budget, the fraction of
     *     the full network's FLOPs to calibrate for
     * @param thresholdBuffer the threshold inference uses, as state that checkpoints carry: the declared one, or for a
     *     budget 1 (no sample leaves) until {@code adnet calibrate} stores one
     * @param weight the exit's weight in the training loss, relative to the output's own loss terms
     * @param output the network output this exit stands for
     */
    record Exit(Value stream, Region headRegion, Value out, int exitIndex, String name, ExitPolicyKind policy,
            double threshold, BufferDecl thresholdBuffer, double weight, String output, String path, Span origin)
            implements RegionOp {
        /** The head's logits: the region's result. */
        public Value head() {
            return headRegion.result();
        }

        @Override
        public List<Value> inputs() {
            return List.of(head());
        }

        @Override
        public List<Region> regions() {
            return List.of(headRegion);
        }

        @Override
        public List<String> regionNames() {
            return List.of("head");
        }

        @Override
        public List<Value> operands() {
            return List.of(stream);
        }

        @Override
        public Exit withRegions(List<Region> regions) {
            return new Exit(stream, regions.get(0), out, exitIndex, name, policy, threshold, thresholdBuffer, weight,
                    output, path, origin);
        }

        @Override
        public String kind() {
            return "exit";
        }
    }

    /** How a state value starts: every element 0 or every element 1, the same for each sample. */
    enum StateInit {
        ZEROS,
        ONES
    }

    /**
     * A network {@code state}: a per-sample value not computed from the inputs, the same for every sample (the
     * starting value of a recurrent loop). It reads nothing and costs nothing.
     */
    record State(String name, StateInit init, Value out, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of();
        }

        @Override
        public String kind() {
            return "state";
        }
    }

    /** What stops a loop, per sample: ACT's halting unit or a gate after each pass. */
    sealed interface LoopPolicy {
        /** Adaptive Computation Time: the ponder-cost weight tau and the halting threshold's eps. */
        record Act(double ponder, double eps) implements LoopPolicy {}

        /** Dynamic recursion: a gate after each pass but the last, whose execution-rate target is {@code target}. */
        record Gate(double target) implements LoopPolicy {}
    }

    /**
     * {@code repeat upto cap [shared] halt act(ponder, eps) { s => ... }} (Adaptive Computation Time, Graves 2016) or
     * {@code repeat upto cap shared gate(...) { B }} (dynamic recursion, DRNN). Each step runs {@code bodyRegion} on
     * the running samples: from the state and the values it reads from the network ({@code captured}) it gives back
     * the next state and a decision ({@code [1]}).
     *
     * <p>ACT: the decision is the halting probability {@code h} (its halting unit's sigmoid). A sample halts at the
     * first step {@code N} where {@code h_1 + ... + h_N >= 1 - eps} (or at the cap); its output is the mean of its
     * steps' states weighted by {@code p_n = h_n} before {@code N} and the remainder {@code R} at {@code N}; its ponder
     * cost is {@code N + R}.
     *
     * <p>Gate: the decision is a gate's {@code z} on the pass's result (the body's ops come first in the region, the
     * gate head after them); a sample stops after the first pass whose gate is closed (or at the cap) and keeps that
     * pass's value. The last pass's gate is never computed.
     *
     * <p>A sample that stops leaves the loop's batch. The body's weights are the same at every step.
     *
     * @param init the state the first step reads
     * @param captured network values the body reads besides the state, in the order of the region's arguments
     * @param bodyRegion arguments {@code [state, captured...]} (the state a value of the loop's own), results
     *     {@code [next state, decision]}
     * @param loopIndex the loop's position among the network's loops (halting and gated), from 0
     * @param passNorms the step's batchnorms whose statistics (and maybe gamma and beta) are per pass
     *     ({@code shared(batchnorm = ...)}); empty when every pass uses the step's own
     */
    record HaltingLoop(Value init, List<Value> captured, Region bodyRegion, Value out, int loopIndex, int cap,
            LoopPolicy policy, List<PassNorm> passNorms, String path, Span origin) implements RegionOp {
        public HaltingLoop {
            captured = List.copyOf(captured);
            passNorms = List.copyOf(passNorms);
        }

        /** The state a step gives back. */
        public Value next() {
            return bodyRegion.results().get(0);
        }

        /** The decision a step gives back, {@code [1]} per sample: ACT's halting probability or the gate's z. */
        public Value halting() {
            return bodyRegion.results().get(1);
        }

        /** How many of the step region's ops are the body (the rest compute the decision). */
        public int bodyLength() {
            if (!(policy instanceof LoopPolicy.Gate)) {
                return bodyRegion.ops().size();
            }
            for (int i = 0; i < bodyRegion.ops().size(); i++) {
                if (bodyRegion.ops().get(i).out().equals(next())) {
                    return i + 1;
                }
            }
            throw new IllegalStateException("loop " + path + ": its step does not compute its next state");
        }

        @Override
        public List<Value> inputs() {
            return List.of(next(), halting());
        }

        @Override
        public List<Region> regions() {
            return List.of(bodyRegion);
        }

        @Override
        public List<String> regionNames() {
            return List.of("step");
        }

        @Override
        public List<Value> operands() {
            List<Value> o = new java.util.ArrayList<>();
            o.add(init);
            o.addAll(captured);
            return o;
        }

        /** The state a step reads: the step region's first argument, bound to {@code init} and then to each step's result. */
        public Value state() {
            return bodyRegion.arguments().get(0);
        }

        @Override
        public List<Value> bound() {
            return List.of(state());
        }

        @Override
        public HaltingLoop withRegions(List<Region> regions) {
            return new HaltingLoop(init, captured, regions.get(0), out, loopIndex, cap, policy, passNorms, path, origin);
        }

        @Override
        public String kind() {
            return policy instanceof LoopPolicy.Gate ? "gated_loop" : "halting_loop";
        }
    }

    /**
     * A loop unrolled to its cap (what the emitter runs, {@code emit/LoopUnrolling}), combining its steps' states.
     * ACT: the p-weighted mean under the halting rule, from every step's state and halting probability. Gate: each
     * sample's state after the first pass whose gate closed (or the last), {@code T_k = (1 - z_k) s_k + z_k T_{k+1}},
     * {@code T_cap = s_cap}. Inputs are the {@code cap} states, then the decisions ({@code cap} halting probabilities,
     * or {@code cap - 1} gates).
     *
     * @param stepLength how many ops each unrolled step has: the steps stand right before this op, step 1 first; a
     *     gated loop's last step has only its body's {@code bodyLength} ops
     * @param captured the network values the steps read besides the state
     * @param passNorms the loop's per-pass batchnorms ({@link HaltingLoop#passNorms()}): step 1's ops read pass 1's
     *     tensors, which the inference loop replaces by the current pass's
     */
    record HaltingMean(List<Value> states, List<Value> halts, Value init, List<Value> captured, int stepLength,
            int bodyLength, Value out, int loopIndex, LoopPolicy policy, List<PassNorm> passNorms, String path, Span origin)
            implements Op {
        public HaltingMean {
            states = List.copyOf(states);
            halts = List.copyOf(halts);
            captured = List.copyOf(captured);
            passNorms = List.copyOf(passNorms);
        }

        @Override
        public List<Value> inputs() {
            List<Value> in = new java.util.ArrayList<>(states);
            in.addAll(halts);
            return in;
        }

        /** Whether a gate after each pass decides (else ACT's halting unit). */
        public boolean gated() {
            return policy instanceof LoopPolicy.Gate;
        }

        /** How many ops the unrolled steps take, all of them standing right before this op. */
        public int unrolledLength() {
            return (states.size() - 1) * stepLength + bodyLength;
        }

        @Override
        public String kind() {
            return gated() ? "gated_select" : "halting_mean";
        }
    }

    /** {@code out = factor * in}. */
    record Scale(Value in, Value out, double factor, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return "scale";
        }
    }

    /**
     * The input of a node of a learned multi-task tree ({@code branch tree(tau)}, Learning to Branch): in training
     * {@code out = sum_k w_k parents[k]} with {@code w = softmax((logits + g) / temperature)}, Gumbel noise {@code g}
     * drawn once per step; at inference the argmax parent alone. {@code parents} are the previous layer's nodes, one
     * per task, in the order of the network's tasks.
     *
     * @param logits the node's parent logits, {@code [parents.size()]}
     * @param temperature the starting temperature, unless the train section anneals it
     */
    record ParentMixture(List<Value> parents, Value out, ParamDecl logits, double temperature, String path, Span origin)
            implements Op {
        public ParentMixture {
            parents = List.copyOf(parents);
        }

        @Override
        public List<Value> inputs() {
            return parents;
        }

        @Override
        public List<ParamDecl> params() {
            return List.of(logits);
        }

        @Override
        public String kind() {
            return "parent_mixture";
        }
    }

    /** How a fixed point is solved. */
    enum SolverKind {
        ANDERSON,
        BROYDEN,
        ITERATE
    }

    /**
     * {@code input -> fixedpoint solver s { z => f }}: {@code out = z*} with {@code z* = f(z*)}, where the
     * {@code bodyRegion} computes f from the iterate ({@link #iterate()}, its first argument, bound by this op) and
     * the {@code captures}, the values of the network it reads (the injected input), which are its other arguments.
     * Each sample is solved on its own and leaves the solver when its residual is below {@code tol}; the backward
     * pass solves {@code g = g J_f(z*) + dL/dz*} the same way with {@code backwardTol} and {@code backwardMax}.
     *
     * @param input what the construct is applied to: the iterate's shape, and its start when {@code initFromInput}
     * @param memory Anderson's window (1 for the other solvers, which keep no window of their own)
     */
    record FixedPoint(Value input, Value iterate, Region bodyRegion, List<Value> captures, Value out, SolverKind solver,
            int memory, double tol, int maxIterations, double backwardTol, int backwardMax, boolean initFromInput,
            String path, Span origin) implements RegionOp {
        public FixedPoint {
            captures = List.copyOf(captures);
        }

        /** f's value: the body's result. */
        public Value body() {
            return bodyRegion.result();
        }

        /** The input and the captures, each once: what the solution is computed from. */
        @Override
        public List<Value> inputs() {
            java.util.LinkedHashSet<Value> in = new java.util.LinkedHashSet<>();
            in.add(input);
            in.addAll(captures);
            return List.copyOf(in);
        }

        /** The body's parameters, each once, in the order its ops use them: the backward pass writes their gradients. */
        @Override
        public List<ParamDecl> params() {
            java.util.LinkedHashMap<String, ParamDecl> ps = new java.util.LinkedHashMap<>();
            for (Op op : bodyRegion.schedule()) {
                for (ParamDecl p : op.params()) {
                    ps.putIfAbsent(p.name(), p);
                }
            }
            return List.copyOf(ps.values());
        }

        @Override
        public List<Region> regions() {
            return List.of(bodyRegion);
        }

        @Override
        public List<String> regionNames() {
            return List.of("body");
        }

        @Override
        public List<Value> operands() {
            return inputs();
        }

        @Override
        public List<Value> bound() {
            return List.of(iterate);
        }

        @Override
        public FixedPoint withRegions(List<Region> regions) {
            return new FixedPoint(input, iterate, regions.get(0), captures, out, solver, memory, tol, maxIterations,
                    backwardTol, backwardMax, initFromInput, path, origin);
        }

        @Override
        public String kind() {
            return "fixedpoint";
        }
    }

    /**
     * {@code input -> ode(t0, t1, rtol, atol, max_steps) { z, t => f }}: {@code out = z(t1)} with {@code z(t0) = input}
     * and {@code dz/dt = f(z, t)}, integrated per sample by Dormand-Prince 5(4). The {@code bodyRegion} computes f from
     * the state ({@link #state()}, its first argument), the time ({@link #time()}, its second when the body names it:
     * a tensor of the state's shape holding the sample's time) and the {@code captures}, the network values it reads.
     *
     * @param time null when the body does not name the time
     */
    record Ode(Value input, Value state, Value time, Region bodyRegion, List<Value> captures, Value out, double t0,
            double t1, double rtol, double atol, int maxSteps, String path, Span origin) implements RegionOp {
        public Ode {
            captures = List.copyOf(captures);
        }

        /** f's value: the body's result. */
        public Value body() {
            return bodyRegion.result();
        }

        /** The input (the start) and the captures, each once. */
        @Override
        public List<Value> inputs() {
            java.util.LinkedHashSet<Value> in = new java.util.LinkedHashSet<>();
            in.add(input);
            in.addAll(captures);
            return List.copyOf(in);
        }

        /** The body's parameters, each once, in the order its ops use them. */
        @Override
        public List<ParamDecl> params() {
            java.util.LinkedHashMap<String, ParamDecl> ps = new java.util.LinkedHashMap<>();
            for (Op op : bodyRegion.schedule()) {
                for (ParamDecl p : op.params()) {
                    ps.putIfAbsent(p.name(), p);
                }
            }
            return List.copyOf(ps.values());
        }

        @Override
        public List<Region> regions() {
            return List.of(bodyRegion);
        }

        @Override
        public List<String> regionNames() {
            return List.of("body");
        }

        @Override
        public List<Value> operands() {
            return inputs();
        }

        @Override
        public List<Value> bound() {
            return time == null ? List.of(state) : List.of(state, time);
        }

        @Override
        public Ode withRegions(List<Region> regions) {
            return new Ode(input, state, time, regions.get(0), captures, out, t0, t1, rtol, atol, maxSteps, path, origin);
        }

        @Override
        public String kind() {
            return "ode";
        }
    }
}
