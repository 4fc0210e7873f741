package dev.adnet.compiler.ir;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.compiler.source.Span;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The verifier catches IR that breaks the scoping rules a lowering or a pass could break. */
class IrVerifierTest {
    private static final Span AT = Span.of("t.adnet", 1, 1, 1);

    private static Op relu(Value in, Value out, String path) {
        return new Op.Activation(Op.ActivationKind.RELU, in, out, path, AT);
    }

    /**
     * {@code y = relu(x)}, then a gated block on x whose head decides from {@code decideFrom} and whose body is a ReLU
     * of {@code bodyReads}: the network the two scoping tests break in two ways.
     */
    private static Region gatedNetwork(Value decideFrom, Value bodyReads) {
        Value x = new Value(0, new long[] {4});
        Value y = new Value(1, new long[] {4});
        Value f = new Value(2, new long[] {4});
        Value z = new Value(3, new long[] {1});
        Value out = new Value(4, new long[] {4});
        Region head = new Region(List.of(x), List.of(new Op.GumbelGate(decideFrom == null ? x : decideFrom, z, 0, 1.0,
                Op.GateEstimator.SOFT, false, "g.decision", AT)), List.of(z));
        Region body = new Region(List.of(x), List.of(relu(bodyReads == null ? x : bodyReads, f, "g.body.relu")), List.of(f));
        Region shortcut = new Region(List.of(x), List.of(), List.of(x));
        Op gated = new Op.GatedResidual(x, head, body, shortcut, out, 0, 0.5, "g", AT);
        return new Region(List.of(x), List.of(relu(x, y, "r"), gated), List.of(out));
    }

    @Test
    void aWellScopedGateVerifies() {
        IrVerifier.verify(gatedNetwork(null, null));
    }

    @Test
    void anOpMayNotReadAValueDefinedNowhere() {
        Value logits = new Value(5, new long[] {2});
        assertThatThrownBy(() -> IrVerifier.verify(gatedNetwork(logits, null))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("gumbel_gate g.decision reads v5");
    }

    @Test
    void aBodyMayNotReadTheEnclosingRegionBeyondItsArguments() {
        Value y = new Value(1, new long[] {4});
        assertThatThrownBy(() -> IrVerifier.verify(gatedNetwork(null, y))).hasMessageContaining("relu g.body.relu reads v1");
    }

    @Test
    void aValueIsDefinedOnce() {
        Value x = new Value(0, new long[] {4});
        Value y = new Value(1, new long[] {4});
        Region net = new Region(List.of(x), List.of(relu(x, y, "a"), relu(x, y, "b")), List.of(y));
        assertThatThrownBy(() -> IrVerifier.verify(net)).hasMessageContaining("relu b defines v1[4] a second time");
    }

    @Test
    void aRegionGivesBackOnlyWhatItSees() {
        Value x = new Value(0, new long[] {4});
        Value y = new Value(1, new long[] {4});
        Region net = new Region(List.of(x), List.of(), List.of(y));
        assertThatThrownBy(() -> IrVerifier.verify(net)).hasMessageContaining("gives back v1[4]");
    }

    /**
     * The gated network on x with its ReLU fused and run in place into x, then {@code after}: the in-place op's
     * result is v5.
     */
    private static Region inPlaceNetwork(List<Op> after, List<Value> results) {
        Region gated = gatedNetwork(null, null);
        Op.GatedResidual g = (Op.GatedResidual) gated.ops().get(1);
        Op.Activation relu = new Op.Activation(Op.ActivationKind.RELU, g.out(), new Value(5, new long[] {4}), "g.relu", AT);
        Op inPlace = new FusedOp.GatedResidualInPlace(new FusedOp.GatedResidualRelu(g, relu), null, null, false);
        List<Op> ops = new java.util.ArrayList<>(List.of(gated.ops().get(0), inPlace));
        ops.addAll(after);
        return new Region(gated.arguments(), ops, results);
    }

    @Test
    void anInPlaceOpMayOverwriteAValueNothingReadsAfterIt() {
        IrVerifier.verify(inPlaceNetwork(List.of(), List.of(new Value(5, new long[] {4}))));
    }

    @Test
    void anInPlaceOpMayNotOverwriteAValueReadAfterIt() {
        Value x = new Value(0, new long[] {4});
        Value late = new Value(6, new long[] {4});
        assertThatThrownBy(() -> IrVerifier.verify(inPlaceNetwork(List.of(relu(x, late, "late")), List.of(late))))
                .hasMessageContaining("gated_residual_relu_in_place g+g.relu overwrites v0[4], which relu late reads after it");
    }

    @Test
    void anInPlaceOpMayNotOverwriteANetworkOutput() {
        Value x = new Value(0, new long[] {4});
        assertThatThrownBy(() -> IrVerifier.verify(inPlaceNetwork(List.of(), List.of(new Value(5, new long[] {4}), x))))
                .hasMessageContaining("overwrites v0[4], a network output");
    }
}
