package dev.adnet.compiler.freeze;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.testing.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code golden/freeze/NAME.adnet} frozen under fixed decisions ({@code NAME.frozen.adnet}): the frozen source checks,
 * and the trained parameters and buffers it keeps, renamed, are exactly the frozen network's, with the same shapes.
 * The decisions: node (l, t) of a branch prefers parent {@code (l + t) % 2} (task indices in declaration order), so
 * with three tasks two of them share their nodes up to the last layer; task t of a share skips unit t + 1 (and runs the
 * others), so tasks 1 and 2 share unit 1.
 */
class FreezeGoldenTest {
    static Stream<String> cases() throws IOException {
        return Golden.files(Golden.dir("freeze"), ".adnet").filter(n -> !n.endsWith(".frozen.adnet"))
                .map(n -> n.substring(0, n.length() - ".adnet".length()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void frozenSourceChecksAndKeepsTheTrainedParametersUnderNewNames(String name) throws IOException {
        Path file = Golden.dir("freeze").resolve(name + ".adnet");
        CompileResult trained = check(Path.of(name + ".adnet"), Files.readString(file, StandardCharsets.UTF_8));
        CompiledNetwork net = trained.networks().get(0);
        List<String> tasks = net.graph().tasks();
        FreezeWriter.Frozen frozen = FreezeWriter.freeze(trained.sources().get(name + ".adnet"),
                trained.units().get(name + ".adnet"), net.graph(), param -> logits(param, tasks));
        Golden.check(Golden.dir("freeze").resolve(name + ".frozen.adnet"), frozen.source());

        CompileResult result = check(Path.of(name + ".frozen.adnet"), frozen.source());
        CompiledNetwork f = result.networks().get(0);
        assertThat(f.graph().tasks()).isEqualTo(tasks);
        List<String> params = renamed(net.graph().params().stream().map(p -> p.name() + " " + Arrays.toString(p.shape()))
                .toList(), frozen);
        assertThat(params).containsExactlyInAnyOrderElementsOf(f.graph().params().stream()
                .map(p -> p.name() + " " + Arrays.toString(p.shape())).toList());
        List<String> buffers = renamed(net.graph().buffers().stream().map(b -> b.name() + " " + b.size()).toList(), frozen);
        assertThat(buffers).containsExactlyInAnyOrderElementsOf(f.graph().buffers().stream()
                .map(b -> b.name() + " " + b.size()).toList());
        assertThat(frozen.keptNodes()).isLessThanOrEqualTo(frozen.nodes());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aCheckpointWithoutTheParentLogitsIsNamed(String name) throws IOException {
        Path file = Golden.dir("freeze").resolve(name + ".adnet");
        CompileResult trained = check(Path.of(name + ".adnet"), Files.readString(file, StandardCharsets.UTF_8));
        CompiledNetwork net = trained.networks().get(0);
        assertThatThrownBy(() -> FreezeWriter.freeze(trained.sources().get(name + ".adnet"),
                trained.units().get(name + ".adnet"), net.graph(), param -> null))
                .isInstanceOf(FreezeException.class).hasMessageContaining("the checkpoint has no parameter '")
                .hasMessageMatching(".*'[a-z]+\\.(branch1\\.l2|share1\\.policy)\\..*");
    }

    /** Node (l, t)'s logits: 1 for parent (l + t) % 2, 0 for the others; task t's [select, skip] of unit u. */
    private static double[] logits(String param, List<String> tasks) {
        String[] parts = param.split("\\.");
        if (parts[parts.length - 3].equals("policy")) {
            int unit = Integer.parseInt(parts[parts.length - 1].substring("unit".length()));
            boolean select = unit != tasks.indexOf(parts[parts.length - 2]) + 1;
            return select ? new double[] {0.7, 0.2} : new double[] {0.2, 0.7};
        }
        int layer = Integer.parseInt(parts[parts.length - 3].substring(1));
        int task = tasks.indexOf(parts[parts.length - 2]);
        double[] v = new double[tasks.size()];
        v[(layer + task) % 2] = 1;
        return v;
    }

    /** Each "name rest" under its frozen name, without those the frozen network drops. */
    private static List<String> renamed(List<String> trained, FreezeWriter.Frozen frozen) {
        List<String> out = new ArrayList<>();
        for (String e : trained) {
            int space = e.indexOf(' ');
            frozen.rename().apply(e.substring(0, space)).forEach(to -> out.add(to + e.substring(space)));
        }
        return out;
    }

    private static CompileResult check(Path name, String text) {
        CompileResult r = new Compiler(p -> text.getBytes(StandardCharsets.UTF_8)).check(List.of(name));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        assertThat(r.networks()).hasSize(1);
        return Objects.requireNonNull(r);
    }
}
