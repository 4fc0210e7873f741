package dev.adnet.compiler.ir;

import java.util.Arrays;

/**
 * A tensor produced by an op or fed as an input.
 *
 * @param id unique within its graph, in creation order (which is a topological order)
 * @param shape the per-sample shape; the batch dimension is implicit
 */
public record Value(int id, long[] shape) {
    public Value {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    /** Elements per sample; exact (a checked graph's values hold at most {@link Counts#MAX_ELEMENTS}). */
    public long size() {
        return Counts.product(shape);
    }

    public boolean sameShape(Value other) {
        return Arrays.equals(shape, other.shape);
    }

    public String shapeText() {
        return Shapes.text(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Value v && v.id == id;
    }

    @Override
    public int hashCode() {
        return id;
    }

    @Override
    public String toString() {
        return "v" + id + shapeText();
    }
}
