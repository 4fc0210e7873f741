package dev.adnet.compiler.ir;

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
public record ParamDecl(String name, long[] shape, Init init, long fanIn, long fanOut, boolean decay, double[] values) {
    public ParamDecl {
        shape = shape.clone();
        values = values == null ? null : values.clone();
    }

    public ParamDecl(String name, long[] shape, Init init, long fanIn, long fanOut, boolean decay) {
        this(name, shape, init, fanIn, fanOut, decay, null);
    }

    /** For NORMAL: {@code [std]}; for VALUES: the values in order; otherwise null. */
    @Override
    public double[] values() {
        return values == null ? null : values.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Elements; exact (a checked graph's parameters hold at most {@link Counts#MAX_ELEMENTS}). */
    public long size() {
        return Counts.product(shape);
    }

    public enum Init {
        /** He (Kaiming) normal: N(0, 2 / fanIn); for weights feeding rectifiers. */
        HE_NORMAL,
        /** Xavier (Glorot) uniform: U(+-sqrt(6 / (fanIn + fanOut))). */
        XAVIER_UNIFORM,
        ZEROS,
        ONES,
        /** N(0, values[0]^2): a gate's last layer starts near zero so its bias alone sets the first decisions. */
        NORMAL,
        /** The given values, element by element: a gate's last bias, which sets how many gates start open. */
        VALUES
    }
}
