package dev.adnet.runtime.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.testing.SoftmaxRegression;
import dev.adnet.runtime.train.Optimizer;
import dev.adnet.runtime.train.OptimizerConfig;
import dev.adnet.runtime.train.Optimizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CheckpointsTest {
    @TempDir
    Path dir;

    static Optimizer trainedOptimizer(SoftmaxRegression net) {
        Optimizer o = Optimizers.create(OptimizerConfig.adam(1e-3, 0, 0.9, 0.999, 1e-8));
        for (Parameter p : net.parameters()) {
            p.gradient().assign(Nd4j.rand(p.gradient().dataType(), p.gradient().shape()));
        }
        o.step(net.parameters(), 1e-3);
        return o;
    }

    Path saved(SoftmaxRegression net) {
        Path f = dir.resolve("a.ckpt");
        Checkpoints.save(f, net, trainedOptimizer(net), new TrainerState(3, 2, 77, 0.8, 42, 1.5, 64, 50));
        return f;
    }

    @Test
    void roundTrip() {
        SoftmaxRegression a = new SoftmaxRegression(1);
        a.buffers().get(0).value().assign(123);
        Optimizer oa = trainedOptimizer(a);
        Path f = dir.resolve("a.ckpt");
        TrainerState st = new TrainerState(3, 2, 77, Double.NaN, 42, 1.5, 64, 50);
        Checkpoints.save(f, a, oa, st);
        SoftmaxRegression b = new SoftmaxRegression(2);
        Optimizer ob = Optimizers.create(OptimizerConfig.adam(1e-3, 0, 0.9, 0.999, 1e-8));
        Checkpoint c = Checkpoints.load(f, b, ob);
        assertThat(c.trainer()).isEqualTo(st);
        for (int i = 0; i < a.parameters().size(); i++) {
            assertThat(b.parameters().get(i).value()).isEqualTo(a.parameters().get(i).value());
        }
        assertThat(b.buffers().get(0).value().getDouble(0)).isEqualTo(123.0);
        assertThat(ob.steps()).isEqualTo(1);
        assertThat(ob.state().tensors().keySet()).isEqualTo(oa.state().tensors().keySet());
        for (String k : oa.state().tensors().keySet()) {
            assertThat(ob.state().tensors().get(k)).isEqualTo(oa.state().tensors().get(k));
        }
    }

    @Test
    void npyFormat() {
        INDArray d = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}});
        byte[] b = Npy.toBytes(d);
        assertThat(new String(b, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
        int hlen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertThat((10 + hlen) % 64).isZero();
        assertThat(new String(b, 10, hlen, StandardCharsets.US_ASCII))
                .startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }").endsWith("\n");
        assertThat(Npy.fromBytes("d", b)).isEqualTo(d);
        INDArray f = Nd4j.createFromArray(1f, 2f, 3f);
        assertThat(new String(Npy.toBytes(f), StandardCharsets.US_ASCII)).contains("'<f4'", "(3,)");
        assertThat(Npy.fromBytes("f", Npy.toBytes(f))).isEqualTo(f);
        INDArray s = Nd4j.scalar(2.5);
        assertThat(Npy.fromBytes("s", Npy.toBytes(s)).getDouble(0)).isEqualTo(2.5);
        // a transposed (f-ordered view) array is written in c-order
        INDArray t = d.transpose();
        assertThat(Npy.fromBytes("t", Npy.toBytes(t))).isEqualTo(t.dup('c'));
    }

    /** A shape whose element count wraps a long (2^64 to 0) must not pass as an empty array. */
    @Test
    void npyShapeBeyondWhatTheRuntimeHoldsIsRejected() {
        byte[] valid = Npy.toBytes(Nd4j.createFromArray(1f));
        int hlen = (valid[8] & 0xff) | (valid[9] & 0xff) << 8;
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }";
        String header = dict + " ".repeat(hlen - 1 - dict.length()) + "\n";
        byte[] wrapped = Arrays.copyOf(valid, 10 + hlen); // no data at all: what a wrapped count of 0 expects
        System.arraycopy(header.getBytes(StandardCharsets.US_ASCII), 0, wrapped, 10, hlen);
        assertThatThrownBy(() -> Npy.fromBytes("w", wrapped)).isInstanceOf(CheckpointException.class)
                .hasMessage("w: shape [4294967296, 4294967296] is not an array this runtime can hold (at most 2147483647 "
                        + "elements)");
    }

    @Test
    void truncatedAndNotAZip() throws IOException {
        Path f = saved(new SoftmaxRegression(1));
        byte[] b = Files.readAllBytes(f);
        Path cut = Files.write(dir.resolve("cut.ckpt"), Arrays.copyOf(b, b.length / 2));
        assertThatThrownBy(() -> Checkpoints.read(cut)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("cut.ckpt").hasMessageContaining("not a zip file, or truncated");
        Path text = Files.writeString(dir.resolve("text.ckpt"), "hello");
        assertThatThrownBy(() -> Checkpoints.read(text)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("not a zip file, or truncated");
        assertThatThrownBy(() -> Checkpoints.read(dir.resolve("none.ckpt"))).hasMessageContaining("not found");
    }

    @Test
    void flippedByteNamesTheEntry() throws IOException {
        SoftmaxRegression net = new SoftmaxRegression(1);
        Path f = saved(net);
        byte[] file = Files.readAllBytes(f);
        byte[] npy = Npy.toBytes(net.parameters().get(0).value());
        int at = indexOf(file, npy);
        assertThat(at).isPositive();
        file[at + npy.length / 2] ^= 0x10;
        Files.write(f, file);
        assertThatThrownBy(() -> Checkpoints.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("checksum mismatch in entry parameters/fc.weight.npy");
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void missingOrBrokenManifest() throws IOException {
        Path f = dir.resolve("nomanifest.ckpt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(f))) {
            z.putNextEntry(new ZipEntry("parameters/x.npy"));
            z.write(1);
            z.closeEntry();
        }
        assertThatThrownBy(() -> Checkpoints.read(f)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("manifest.json is missing");
        Path g = dir.resolve("badjson.ckpt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(g))) {
            z.putNextEntry(new ZipEntry("manifest.json"));
            z.write("{\"formatVersion\": 1, \"network\": [".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        assertThatThrownBy(() -> Checkpoints.read(g)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("manifest.json is not valid JSON");
        Path h = dir.resolve("version.ckpt");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(h))) {
            z.putNextEntry(new ZipEntry("manifest.json"));
            z.write("{\"formatVersion\": 9}".getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        assertThatThrownBy(() -> Checkpoints.read(h)).hasMessageContaining("unsupported checkpoint format version 9");
    }

    @Test
    void keyedOnStructureNotOnTheSourceBytes() {
        Path f = saved(new SoftmaxRegression(1));
        SoftmaxRegression other = new SoftmaxRegression("resnet", "hash-2", DataType.FLOAT, 784, 10, "fc.bias", 1);
        assertThatThrownBy(() -> Checkpoints.load(f, other, null)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("it is for network 'softmax'");
        // another source hash (a comment or the layout edited) with the same parameter names and shapes still loads
        SoftmaxRegression edited = new SoftmaxRegression("softmax", "hash-3", DataType.FLOAT, 784, 10, "fc.bias", 2);
        Checkpoints.load(f, edited, null);
        assertThat(edited.parameters().get(0).value()).isEqualTo(Checkpoints.read(f).parameters().get("fc.weight"));
    }

    @Test
    void listsAllNameAndShapeMismatches() {
        Path f = saved(new SoftmaxRegression(1));
        SoftmaxRegression other = new SoftmaxRegression("softmax", "hash-1", DataType.FLOAT, 784, 5, "fc.b", 1);
        INDArray before = other.parameters().get(0).value().dup();
        assertThatThrownBy(() -> Checkpoints.load(f, other, null)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("3 problems")
                .hasMessageContaining("wrong shape for parameter fc.weight: expected [784, 5], found [784, 10]")
                .hasMessageContaining("missing parameter fc.b [5]")
                .hasMessageContaining("unexpected parameter fc.bias [10]");
        assertThat(other.parameters().get(0).value()).isEqualTo(before);
        SoftmaxRegression sgd = new SoftmaxRegression(1);
        assertThatThrownBy(() -> Checkpoints.load(f, sgd, Optimizers.create(OptimizerConfig.sgd(0.1, 0.9, false, 0))))
                .hasMessageContaining("optimizer state is for ADAM, training uses SGD");
    }

    @Test
    void failedWriteLeavesThePreviousCheckpointIntact() throws IOException {
        SoftmaxRegression net = new SoftmaxRegression(1);
        Path f = saved(net);
        byte[] before = Files.readAllBytes(f);
        // an integer parameter cannot be stored: the write fails after the first entries were written
        net.params.add(new Parameter("bad", Nd4j.zeros(DataType.INT32, 3), Nd4j.zeros(DataType.INT32, 3), false));
        assertThatThrownBy(() -> Checkpoints.save(f, net, null, TrainerState.start(1)))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("bad")
                .hasMessageContaining("previous checkpoint is intact");
        assertThat(Files.readAllBytes(f)).isEqualTo(before);
        try (Stream<Path> s = Files.list(dir)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("a.ckpt");
        }
        net.params.remove(2);
        assertThat(Checkpoints.read(f).trainer().step()).isEqualTo(77);
    }

    @Test
    void replacesAnExistingCheckpoint() {
        SoftmaxRegression net = new SoftmaxRegression(1);
        Path f = saved(net);
        Checkpoints.save(f, net, null, new TrainerState(9, 0, 99, 0.5, 1, 0, 0, 0));
        Checkpoint c = Checkpoints.read(f);
        assertThat(c.trainer().step()).isEqualTo(99);
        assertThat(c.optimizer()).isNull();
        assertThat(List.copyOf(c.parameters().keySet())).containsExactly("fc.weight", "fc.bias");
    }

}
