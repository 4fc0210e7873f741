package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

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
 * <p>A sample that stops leaves the loop's batch. The body's weights are the same at every step, but for those
 * in {@code passNorms} and {@code passParams}, which pass {@code k} takes from there.
 *
 * @param init the state the first step reads
 * @param captured network values the body reads besides the state, in the order of the region's arguments
 * @param bodyRegion arguments {@code [state, captured...]} (the state a value of the loop's own), results
 *     {@code [next state, decision]}
 * @param loopIndex the loop's position among the network's loops (halting and gated), from 0
 * @param passNorms the step's batchnorms whose statistics (and maybe gamma and beta) are per pass
 *     ({@code shared(batchnorm = ...)}, or every batchnorm of a loop with its own weights per pass); empty when
 *     every pass uses the step's own
 * @param passParams the step's other parameters, per pass, in a loop with its own weights per pass (written
 *     without {@code shared}); empty when the passes share them
 */
public record HaltingLoop(Value init, List<Value> captured, Region bodyRegion, Value out, int loopIndex, int cap,
        LoopPolicy policy, List<PassNorm> passNorms, List<PassParam> passParams, String path, Span origin)
        implements Op.RegionOp {
    public HaltingLoop {
        captured = List.copyOf(captured);
        passNorms = List.copyOf(passNorms);
        passParams = List.copyOf(passParams);
    }

    /** Whether each pass has weights of its own (written without {@code shared}): its parameters are per pass. */
    public boolean ownWeights() {
        return !passParams.isEmpty();
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
        return new HaltingLoop(init, captured, regions.get(0), out, loopIndex, cap, policy, passNorms, passParams, path, origin);
    }

    @Override
    public String kind() {
        return policy instanceof LoopPolicy.Gate ? "gated_loop" : "halting_loop";
    }
}
