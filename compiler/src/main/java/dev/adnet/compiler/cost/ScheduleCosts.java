package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Graph;
import java.util.List;

/**
 * The FLOPs per sample of every op of a graph's schedule ({@link Graph#ops()}), with exact sums over its ranges: what
 * a {@link CostRule} prices a construct from.
 */
public final class ScheduleCosts {
    private final Graph graph;
    private final long[] flops;
    private final long total;

    ScheduleCosts(Graph graph, List<CostModel.Row> rows) {
        this.graph = graph;
        this.flops = rows.stream().mapToLong(CostModel.Row::flops).toArray();
        this.total = sum(0, flops.length);
    }

    public Graph graph() {
        return graph;
    }

    /** FLOPs per sample of the whole schedule, every construct's regions included. */
    public long total() {
        return total;
    }

    /** FLOPs per sample of ops {@code from} (inclusive) to {@code to} (exclusive) of the schedule. */
    public long sum(int from, int to) {
        long f = 0;
        for (int i = from; i < to; i++) {
            f = Math.addExact(f, flops[i]);
        }
        return f;
    }
}
