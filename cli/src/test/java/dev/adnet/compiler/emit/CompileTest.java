package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.TrainableNetwork;
import java.util.Map;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The generated classes compile with {@code -Xlint:all -Werror} and honour the runtime contracts. */
class CompileTest {
    @Test
    void cnnCompilesAndDescribesItself() {
        Network n = InMemoryCompiler.instantiate(new JavaEmitter().emit(TestGraphs.cnn(), TestGraphs.options("cnn.adnet")),
                DataType.FLOAT, 1);
        assertThat(n).isInstanceOf(TrainableNetwork.class);
        assertThat(n.name()).isEqualTo("SmallCnn");
        assertThat(n.sourceHash()).isEqualTo("0123456789abcdef");
        assertThat(n.flopsPerSample()).isEqualTo(12345);
        assertThat(n.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(n.inputs()).hasSize(1);
        assertThat(n.inputs().get(0).shape()).containsExactly(2, 8, 8);
        assertThat(n.parameters()).extracting(p -> p.name()).containsExactly("trunk.conv1.weight", "trunk.conv1.bias",
                "trunk.bn1.gamma", "trunk.bn1.beta", "trunk.block.conv2.weight", "head.fc.weight", "head.fc.bias");
        assertThat(n.parameters()).extracting(p -> p.decay()).containsExactly(true, false, false, false, true, true,
                false);
        assertThat(n.buffers()).extracting(b -> b.name()).containsExactly("trunk.bn1.running_mean",
                "trunk.bn1.running_var");
        assertThat(n.buffers().get(1).value().getDouble(0)).isEqualTo(1.0);
        assertThat(((TrainableNetwork) n).trainingConfig()).usingRecursiveComparison()
                .isEqualTo(TestGraphs.cnn().training().config());
    }

    @Test
    void initialisationIsDeterministicPerParameterIndex() {
        JavaFile file = new JavaEmitter().emit(TestGraphs.cnn(), TestGraphs.options("cnn.adnet"));
        Class<?> c = InMemoryCompiler.compile(file);
        Network a = InMemoryCompiler.instantiate(file, DataType.DOUBLE, 5);
        Network b = InMemoryCompiler.instantiate(file, DataType.DOUBLE, 5);
        Network other = InMemoryCompiler.instantiate(file, DataType.DOUBLE, 6);
        assertThat(c.getSimpleName()).isEqualTo("SmallCnn");
        assertThat(a.parameters().get(0).value()).isEqualTo(b.parameters().get(0).value());
        assertThat(a.parameters().get(0).value()).isNotEqualTo(other.parameters().get(0).value());
        assertThat(a.parameters().get(0).value().stdNumber().doubleValue()).isBetween(0.15, 0.5); // sqrt(2/18)=0.33
        assertThat(a.parameters().get(2).value().minNumber().doubleValue()).isEqualTo(1.0);
    }

    @Test
    void forwardValidatesInputs() {
        Network n = InMemoryCompiler.instantiate(new JavaEmitter().emit(TestGraphs.cnn(), TestGraphs.options("cnn.adnet")),
                DataType.FLOAT, 1);
        assertThatThrownBy(() -> n.forward(Map.of("img", Nd4j.zeros(DataType.FLOAT, 1, 2, 8, 8))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SmallCnn: expected inputs [image], got [img]");
        assertThatThrownBy(() -> n.forward(Map.of("image", Nd4j.zeros(DataType.FLOAT, 1, 2, 8, 7))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SmallCnn: input 'image' must have shape [batch, 2, 8, 8], got [1, 2, 8, 7]");
        Map<String, INDArray> out = n.forward(Map.of("image", Nd4j.rand(DataType.DOUBLE, 3, 2, 8, 8)));
        assertThat(out.get("logits").shape()).containsExactly(3, 3);
        assertThat(out.get("logits").dataType()).isEqualTo(DataType.FLOAT);
        INDArray first = out.get("logits").dup();
        n.forward(Map.of("image", Nd4j.rand(DataType.FLOAT, 3, 2, 8, 8)));
        assertThat(out.get("logits")).as("outputs are detached from the arena").isEqualTo(first);
    }

    @Test
    void keywordsAndNonAsciiNamesCompile() {
        JavaFile file = new JavaEmitter().emit(TestGraphs.awkwardNames(), TestGraphs.options("naïve net.adnet"));
        Network n = InMemoryCompiler.instantiate(file, DataType.DOUBLE, 3);
        assertThat(n).isNotInstanceOf(TrainableNetwork.class);
        assertThat(n.getClass().getSimpleName()).isEqualTo("class_");
        assertThat(n.name()).isEqualTo("class");
        Map<String, INDArray> out = n.forward(Map.of("größe", Nd4j.rand(DataType.DOUBLE, 2, 5)));
        assertThat(out).containsOnlyKeys("record", "var-1");
        assertThat(out.get("record").sumNumber().doubleValue()).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(file.toString()).contains("INDArray größe = INPUTS.get(0).checked(").contains("INDArray new_int = arena.get(");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"Network", "Dense", "INDArray", "Map", "String", "NAME",
        "x y", "Größe"})
    void networkNamesThatClashWithGeneratedOrImportedNamesCompile(String name) {
        Network n = InMemoryCompiler.instantiate(
                new JavaEmitter().emit(TestGraphs.awkwardNames(name), TestGraphs.options("n.adnet")), DataType.FLOAT, 0);
        assertThat(n.name()).isEqualTo(name);
        assertThat(n.forward(Map.of("größe", Nd4j.rand(DataType.FLOAT, 2, 5)))).containsKeys("record");
    }

    @Test
    void javacDiagnosticsAreCompilerBugs() {
        JavaFile bad = JavaFile.builder("p", TypeSpec.classBuilder("Bad").addModifiers(Modifier.PUBLIC)
                .addField(java.util.List.class, "raw").build()).build();
        assertThatThrownBy(() -> InMemoryCompiler.compile(bad))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("found raw type")
                .hasMessageContaining("public class Bad");
    }
}
