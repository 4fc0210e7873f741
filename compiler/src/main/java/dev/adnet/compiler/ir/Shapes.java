package dev.adnet.compiler.ir;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Shape helpers shared by the checker, the cost model and diagnostics. */
public final class Shapes {
    private Shapes() {}

    /** {@code [16, 28, 28]}. */
    public static String text(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    }
}
