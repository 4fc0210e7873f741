package dev.adnet.compiler.ir;

import java.util.Arrays;

/**
 * A learnable tensor.
 *
 * @param name dotted, stable name (checkpoint key), e.g. {@code trunk.Basic1.conv2.weight}
 * @param shape full shape
 * @param init how it is initialised
 * @param fanIn inputs per output unit, for He and Xavier
 * @param fanOut outputs per input unit, for Xavier
 * @param decay whether weight decay applies
 */
public record ParamDecl(String name, long[] shape, Init init, long fanIn, long fanOut, boolean decay) {
    public ParamDecl {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long size() {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    public enum Init {
        /** He (Kaiming) normal: N(0, 2 / fanIn); for weights feeding rectifiers. */
        HE_NORMAL,
        /** Xavier (Glorot) uniform: U(+-sqrt(6 / (fanIn + fanOut))). */
        XAVIER_UNIFORM,
        ZEROS,
        ONES
    }
}
