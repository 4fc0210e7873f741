package dev.adnet.runtime.implicit;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The time an ODE's body reads: a batch-first array whose row j holds sample j's time in every element. */
public final class OdeTimes {
    private OdeTimes() {}

    /** Fills row j of the dense array {@code out} with {@code t[j]}, for every row of {@code out}. */
    public static INDArray fill(INDArray out, double[] t) {
        int b = Math.toIntExact(out.size(0));
        if (b != t.length) {
            throw new IllegalArgumentException("ODE times: " + t.length + " times for " + b + " rows");
        }
        int d = Math.toIntExact(out.length() / Math.max(1, b));
        double[] row = new double[d];
        float[] scratch = out.dataType() == org.nd4j.linalg.api.buffer.DataType.FLOAT ? new float[d] : null;
        for (int j = 0; j < b; j++) {
            java.util.Arrays.fill(row, t[j]);
            Rows.writeRow(row, out, j, d, scratch);
        }
        return out;
    }
}
