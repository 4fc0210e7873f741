package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

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
 * @param passParams the loop's other per-pass parameters ({@link HaltingLoop#passParams()}), likewise
 */
public record HaltingMean(List<Value> states, List<Value> halts, Value init, List<Value> captured, int stepLength,
        int bodyLength, Value out, int loopIndex, LoopPolicy policy, List<PassNorm> passNorms, List<PassParam> passParams,
        String path, Span origin) implements Op {
    public HaltingMean {
        states = List.copyOf(states);
        halts = List.copyOf(halts);
        captured = List.copyOf(captured);
        passNorms = List.copyOf(passNorms);
        passParams = List.copyOf(passParams);
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
