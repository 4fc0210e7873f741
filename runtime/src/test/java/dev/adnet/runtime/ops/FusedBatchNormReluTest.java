package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.random;
import static dev.adnet.runtime.ops.Testing.values;
import static dev.adnet.runtime.ops.Testing.zeros;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class FusedBatchNormReluTest {

    @ParameterizedTest
    @EnumSource(names = {"DOUBLE", "FLOAT"})
    void matchesBatchNormThenRelu(DataType t) {
        long[] shape = {4, 3, 5, 5};
        INDArray x = random(1, t, shape).muli(2).addi(3);
        INDArray gamma = random(2, t, 3), beta = random(3, t, 3), go = random(4, t, shape);
        INDArray rm1 = zeros(t, 3), rv1 = zeros(t, 3).addi(1), rm2 = rm1.dup(), rv2 = rv1.dup();
        INDArray bn = x.ulike(), ref = x.ulike(), fused = x.ulike();
        INDArray sm1 = zeros(t, 3), si1 = zeros(t, 3), sm2 = zeros(t, 3), si2 = zeros(t, 3);
        BatchNorm.trainForward(x, gamma, beta, rm1, rv1, 0.1, 1e-5, bn, sm1, si1);
        Relu.forward(bn, ref);
        FusedBatchNormRelu.trainForward(x, gamma, beta, rm2, rv2, 0.1, 1e-5, fused, sm2, si2);
        double tol = t == DataType.DOUBLE ? 1e-10 : 1e-5;
        assertClose("out", fused, values(ref), tol);
        assertClose("running mean", rm2, values(rm1), tol);
        assertClose("running var", rv2, values(rv1), tol);
        assertClose("save mean", sm2, values(sm1), tol);
        assertClose("save inv std", si2, values(si1), tol);

        INDArray gBn = x.ulike(), gx1 = x.ulike(), gg1 = gamma.ulike(), gb1 = beta.ulike();
        Relu.backward(bn, ref, go, gBn);
        BatchNorm.backward(x, gamma, sm1, si1, gBn, gx1, gg1, gb1);
        INDArray gx2 = x.ulike(), gg2 = gamma.ulike(), gb2 = beta.ulike();
        FusedBatchNormRelu.backward(x, fused, gamma, sm2, si2, go, gx2, gg2, gb2);
        double gtol = t == DataType.DOUBLE ? 1e-10 : 1e-4;
        assertClose("gradIn", gx2, values(gx1), gtol);
        assertClose("gradGamma", gg2, values(gg1), gtol);
        assertClose("gradBeta", gb2, values(gb1), gtol);
    }

    @Test
    void gradientCheck() {
        INDArray x = random(1, DataType.DOUBLE, 3, 2, 3, 3).muli(2).addi(0.5);
        INDArray gamma = random(2, DataType.DOUBLE, 2), beta = random(3, DataType.DOUBLE, 2);
        INDArray rm = zeros(DataType.DOUBLE, 2), rv = zeros(DataType.DOUBLE, 2);
        INDArray out = x.ulike(), sm = zeros(DataType.DOUBLE, 2), si = zeros(DataType.DOUBLE, 2);
        INDArray gx = x.ulike(), gg = gamma.ulike(), gb = beta.ulike();
        GradientCheck.check("fused batchnorm+relu", new INDArray[] {x, gamma, beta}, () -> {
            FusedBatchNormRelu.trainForward(x, gamma, beta, rm, rv, 0.1, 1e-5, out, sm, si);
            return new INDArray[] {out};
        }, go -> {
            FusedBatchNormRelu.backward(x, out, gamma, sm, si, go[0], gx, gg, gb);
            return new INDArray[] {gx, gg, gb};
        }, 4);
    }
}
