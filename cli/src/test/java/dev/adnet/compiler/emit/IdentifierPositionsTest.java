package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Network;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every identifier the language accepts yields Java that compiles, in every position a name can take: the network,
 * its inputs and outputs, values, blocks and exits. The names tried are every identifier that occurs in the Java
 * generated for a network with gates, exits and a train section (the runtime's and the JDK's simple type names,
 * fields, locals, methods), so the list follows the emitter instead of being kept by hand.
 */
class IdentifierPositionsTest {
    /** A network that uses every construct the emitter has code for, to harvest the names generated code uses. */
    private static final String RICH = """
            block Basic(c: int) {
              conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3, bias = false) -> batchnorm
            }
            network Rich {
              input image: [1, 8, 8]
              output logits: [3]
              stem = image -> conv(4, 3) -> batchnorm -> relu
              body = stem -> gate(target = 0.5) residual Basic(4) -> relu
                -> exit early when confidence > 0.9 { global_avg_pool -> dense(3) }
                -> residual Basic(4) -> relu -> dropout(0.1)
              logits = body -> flatten -> dense(3)
              train {
                loss cross_entropy(logits) + 0.5 * target_rate()
                optimizer adam(lr = 1e-3)
                batch 4
                epochs 1
              }
            }
            """;

    private static final Pattern IDENT = Pattern.compile("\\b[A-Za-z_][A-Za-z0-9_]*\\b");

    /** The identifiers of the generated Java that the language accepts as a value name. */
    static List<String> names() {
        CompileResult rich = compile("rich.adnet", RICH);
        String java = rich.networks().get(0).toJava("p").toString();
        TreeSet<String> tokens = new TreeSet<>();
        Matcher m = IDENT.matcher(java.replaceAll("(?s)/\\*.*?\\*/|//[^\\n]*|\"(\\\\.|[^\"\\\\])*\"", " "));
        while (m.find()) {
            tokens.add(m.group());
        }
        List<String> accepted = new ArrayList<>();
        for (String t : tokens) {
            if (!SourceVersion.isKeyword(t) && compile("n.adnet", valueNetwork("N", List.of(t))).diagnostics().isEmpty()) {
                accepted.add(t);
            }
        }
        return accepted;
    }

    private static CompileResult compile(String file, String source) {
        return new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of(file)));
    }

    /** {@code names} as a chain of values, the last of them the output. */
    private static String valueNetwork(String network, List<String> names) {
        StringBuilder sb = new StringBuilder("network ").append(network).append(" {\n  input x_in: [4]\n  output y_out: [4]\n");
        String previous = "x_in";
        for (String n : names) {
            sb.append("  ").append(n).append(" = ").append(previous).append(" -> dense(4)\n");
            previous = n;
        }
        sb.append("  y_out = ").append(previous).append(" -> relu\n");
        return sb.append(trainSection("cross_entropy(y_out)")).append("}\n").toString();
    }

    private static String trainSection(String loss) {
        return "  train { loss " + loss + " optimizer sgd(lr = 0.1) batch 2 epochs 1 }\n";
    }

    private static Network instantiate(String source) {
        CompileResult result = compile("n.adnet", source);
        assertThat(result.diagnostics()).as(result.render()).isEmpty();
        CompiledNetwork n = result.networks().get(0);
        return InMemoryCompiler.instantiate(n.toJava("adnet.generated"), DataType.FLOAT, 1);
    }

    @Test
    void theHarvestFindsTheRuntimeTypesAndTheGeneratedMembers() {
        assertThat(names()).contains("INDArray", "TrainableNetwork", "Arena", "DataType", "String", "Map", "arena", "batchSize",
                "inputs", "NAME", "seedFor");
    }

    @Test
    void everyNameAsAValue() {
        Network n = instantiate(valueNetwork("Values", names()));
        assertThat(n.forward(Map.of("x_in", Nd4j.rand(DataType.FLOAT, 2, 4)))).containsKey("y_out");
    }

    /**
     * The names in groups, one network each: a network with hundreds of inputs or exits generates methods beyond the
     * JVM's 64 KB limit (a limit of its own, not a naming problem).
     */
    static Stream<List<String>> groups() {
        List<String> all = names();
        List<List<String>> groups = new ArrayList<>();
        for (int i = 0; i < all.size(); i += 40) {
            groups.add(all.subList(i, Math.min(all.size(), i + 40)));
        }
        return groups.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void everyNameAsAnInputAndAnOutput(List<String> names) {
        StringBuilder sb = new StringBuilder("network Ports {\n");
        names.forEach(n -> sb.append("  input ").append(n).append(": [2]\n"));
        names.forEach(n -> sb.append("  output ").append(n).append("_o: [2]\n"));
        names.forEach(n -> sb.append("  ").append(n).append("_o = ").append(n).append(" -> dense(2)\n"));
        sb.append(trainSection(names.stream().map(n -> "mse(" + n + "_o)").collect(Collectors.joining(" + "))));
        Network n = instantiate(sb.append("}\n").toString());
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> in = new java.util.HashMap<>();
        names.forEach(name -> in.put(name, Nd4j.rand(DataType.FLOAT, 3, 2)));
        assertThat(n.forward(in)).hasSize(names.size());
        // outputs named like the inputs, which generated code declares as locals too
        StringBuilder same = new StringBuilder("network Same {\n");
        names.forEach(name -> same.append("  input i_").append(name).append(": [2]\n  output ").append(name).append(": [2]\n  ")
                .append(name).append(" = i_").append(name).append(" -> dense(2)\n"));
        instantiate(same.append("}\n").toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("groups")
    void everyNameAsABlockAndAnExit(List<String> names) {
        StringBuilder sb = new StringBuilder();
        names.forEach(n -> sb.append("block ").append(n).append("(c: int) { dense(c) -> relu }\n"));
        sb.append("network Blocks {\n  input x: [4]\n  output y: [3]\n  h = x");
        names.forEach(n -> sb.append("\n    -> ").append(n).append("(4) -> exit ").append(n)
                .append(" when confidence > 0.99 { dense(3) }"));
        sb.append("\n  y = h -> dense(3)\n").append(trainSection("cross_entropy(y)")).append("}\n");
        Network n = instantiate(sb.toString());
        assertThat(n.forward(Map.of("x", Nd4j.rand(DataType.FLOAT, 2, 4)))).containsKey("y");
    }

    static Stream<String> typeNames() {
        return names().stream().filter(n -> Character.isUpperCase(n.charAt(0)));
    }

    @ParameterizedTest(name = "network {0}")
    @MethodSource("typeNames")
    void everyTypeNameAsTheNetwork(String name) {
        Network n = instantiate(valueNetwork(name, List.of("h")));
        assertThat(n.name()).isEqualTo(name);
        assertThat(n.forward(Map.of("x_in", Nd4j.rand(DataType.FLOAT, 2, 4)))).containsKey("y_out");
    }
}
