package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import dev.adnet.runtime.Network;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A network whose every value fits per sample can still be given a batch too large for one of its activations: the
 * generated code fails with the runtime's clear error, before allocating, and the same instance keeps working.
 */
class BatchLimitTest {
    @Test
    void aBatchTooLargeForAnActivationIsAClearError() {
        String source = """
                network Wide {
                  input x: [1]
                  output y: [1000000]
                  y = x -> dense(1000000)
                }
                """;
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("wide.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        Network net = dev.adnet.compiler.cli.InMemoryCompiler.instantiate(r.networks().get(0), DataType.FLOAT, 1);
        assertThatThrownBy(() -> net.forward(Map.of("x", Nd4j.zeros(DataType.FLOAT, 3000, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a batch of 3000 samples of [1000000] is 3,000,000,000 elements")
                .hasMessageEndingWith("the largest batch that fits is 2147");
        assertThat(net.forward(Map.of("x", Nd4j.ones(DataType.FLOAT, 2, 1))).get("y").shape()).containsExactly(2, 1_000_000);
    }

    /** The compiler's limit ({@code ir/Counts}) is the runtime's: a network the checker accepts must fit the kernels. */
    @org.junit.jupiter.api.Test
    void theCompilersLimitIsTheRuntimes() {
        org.assertj.core.api.Assertions.assertThat(dev.adnet.compiler.ir.Counts.MAX_ELEMENTS)
                .isEqualTo(dev.adnet.runtime.TensorLimit.MAX_ELEMENTS);
    }
}
