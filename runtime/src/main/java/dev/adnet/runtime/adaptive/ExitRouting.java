package dev.adnet.runtime.adaptive;

import dev.adnet.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One inference call through a multi-exit network: which samples are still in the batch, where each one left, and
 * the output rows of those that left, in input order.
 *
 * <p>The generated code asks {@link #decide} at every exit for the rows that stay, gathers its live activations to
 * those rows and runs the rest of the network on the smaller batch. Row {@code r} of the current batch is sample
 * {@link #alive()}{@code [r]} of the input. Decisions are made on the host: a head's output is a few values per
 * sample, and patience needs per-sample state across exits.
 */
public final class ExitRouting {
    private final int batch;
    private final int classes;
    private final int exitCount;
    private final double[] out;
    private final int[] exitOf;
    private final int[] lastClass;
    private final int[] streak;
    private final List<INDArray> kept = new ArrayList<>();
    private int[] alive;

    public ExitRouting(long batch, long classes, int exitCount) {
        this.batch = Math.toIntExact(batch);
        this.classes = Math.toIntExact(classes);
        this.exitCount = exitCount;
        this.out = new double[this.batch * this.classes];
        this.exitOf = new int[this.batch];
        Arrays.fill(exitOf, exitCount);
        this.lastClass = new int[this.batch];
        Arrays.fill(lastClass, -1);
        this.streak = new int[this.batch];
        this.alive = new int[this.batch];
        for (int n = 0; n < this.batch; n++) {
            alive[n] = n;
        }
    }

    /** The input index of each row of the current batch. */
    public int[] alive() {
        return alive;
    }

    /** Input indices of rows of the current batch. */
    public int[] original(int[] rows) {
        int[] o = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            o[i] = alive[rows[i]];
        }
        return o;
    }

    /**
     * Applies exit {@code exit}'s policy to its head's output {@code head} ({@code [rows, classes]}, one row per
     * sample still in the batch): the samples that fire take their head row as output and leave.
     *
     * @return the rows of the current batch that stay, ascending (the current batch becomes those)
     */
    public int[] decide(INDArray head, int exit, ExitPolicy policy, double threshold) {
        double[] logits = hostRows(head);
        int rows = alive.length;
        int[] stay = new int[rows];
        int staying = 0;
        int[] nextAlive = new int[rows];
        for (int r = 0; r < rows; r++) {
            int n = alive[r];
            int offset = r * classes;
            int c = ExitPolicy.argmax(logits, offset, classes);
            streak[n] = c == lastClass[n] ? streak[n] + 1 : 1;
            lastClass[n] = c;
            if (policy.fires(logits, offset, classes, threshold, streak[n])) {
                System.arraycopy(logits, offset, out, n * classes, classes);
                exitOf[n] = exit;
            } else {
                stay[staying] = r;
                nextAlive[staying++] = n;
            }
        }
        alive = Arrays.copyOf(nextAlive, staying);
        return Arrays.copyOf(stay, staying);
    }

    /** {@link dev.adnet.runtime.ExitMode#ALL_HEADS}: keeps a copy of an exit head's output for every sample. */
    public void keep(INDArray head) {
        kept.add(head.dup('c'));
    }

    /** The final head's output for the samples still in the batch; returns every sample's output in input order. */
    public INDArray finish(INDArray last, DataType type) {
        double[] logits = hostRows(last);
        for (int r = 0; r < alive.length; r++) {
            System.arraycopy(logits, r * classes, out, alive[r] * classes, classes);
        }
        alive = new int[0];
        return output(type);
    }

    /** Every sample's output, in input order (once every sample has left). */
    public INDArray output(DataType type) {
        if ((type == DataType.FLOAT || type == DataType.DOUBLE) && out.length > 0) {
            INDArray o = Nd4j.create(type, batch, classes);
            Buffers.write(out, o);
            return o;
        }
        return Nd4j.createFromArray(out).reshape('c', batch, classes).castTo(type);
    }

    /**
     * The network's outputs once every sample has left at an exit, each of {@code outputs} (in order, by name) a
     * fresh copy of {@link #output}: what a generated network's inference returns then.
     */
    public Map<String, INDArray> exited(List<TensorSpec> outputs, DataType type) {
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (TensorSpec o : outputs) {
            result.put(o.name(), output(type));
        }
        return result;
    }

    /** The exit each sample left at; {@code exitCount} for the final output. */
    public int[] exits() {
        return exitOf.clone();
    }

    public int exitCount() {
        return exitCount;
    }

    /** The head outputs {@link #keep} recorded, in exit order. */
    public List<INDArray> kept() {
        return List.copyOf(kept);
    }

    private double[] hostRows(INDArray head) {
        if (head.rows() != alive.length || head.length() != (long) alive.length * classes) {
            throw new IllegalArgumentException("an exit head gave " + Arrays.toString(head.shape()) + " for "
                    + alive.length + " samples of " + classes + " classes");
        }
        if (alive.length == 0) {
            return new double[0];
        }
        return Buffers.read(head); // a bulk copy: a cast and dup through libnd4j cost ~0.3 ms a call
    }
}
