package dev.adnet.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.runtime.TensorSpec;
import dev.adnet.runtime.train.Batch;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class DataSourcesTest {
    @TempDir
    Path dir;

    /** A vector classifier: input x [3], output y [4] with cross_entropy. */
    static final DataSchema VECTORS = new DataSchema("Net", List.of(new TensorSpec("x", new long[] {3})),
            List.of(new DataSchema.Target("y", new long[] {4}, DataSchema.Kind.CLASSES)));

    /** An image classifier: input image [C, 4, 4], output logits [2]. */
    static DataSchema images(int channels) {
        return DataSchema.classifier("Img", new TensorSpec("image", new long[] {channels, 4, 4}), new TensorSpec("logits", new long[] {2}));
    }

    private Path npz(String name, boolean deflate, NpzWriter w) throws IOException {
        Path p = dir.resolve(name);
        w.write(p, deflate);
        return p;
    }

    private static double[] batchValues(Dataset d, String name) {
        Batch b = DataLoader.builder(d).batchSize(d.size()).build().epoch(0).iterator().next();
        INDArray a = b.inputs().containsKey(name) ? b.inputs().get(name) : b.targets().get(name);
        return a.dup('c').data().asDouble();
    }

    @Test
    void npzStoredAndDeflatedEveryElementType() throws IOException {
        for (boolean deflate : new boolean[] {false, true}) {
            for (ElementType t : ElementType.values()) {
                byte[] data = new byte[2 * 3 * t.width()];
                ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < 6; i++) {
                    switch (t) {
                        case U1 -> b.put((byte) (200 + i));
                        case I4 -> b.putInt(-i);
                        case I8 -> b.putLong(1L << 40 | i);
                        case F4 -> b.putFloat(i + 0.5f);
                        case F8 -> b.putDouble(i - 0.25);
                    }
                }
                Path p = npz(t + "-" + deflate + ".npz", deflate, new NpzWriter().add("x", t, data, 2, 3).add("y", new int[] {3, 0}, 2));
                Dataset d = DataSources.open(p, VECTORS, DataSources.Part.TRAIN, true);
                double[] raw = new double[3];
                d.inputs().get("x").values().read(1, raw, 0);
                double expected = switch (t) {
                    case U1 -> 203;
                    case I4 -> -3;
                    case I8 -> (double) (1L << 40 | 3);
                    case F4 -> 3.5;
                    case F8 -> 2.75;
                };
                assertThat(raw[0]).as("%s deflate=%s", t, deflate).isEqualTo(expected);
                assertThat(d.label("y", 0)).isEqualTo(3);
            }
        }
    }

    @Test
    void npzDeclaredNormalisationAndClassNames() throws IOException {
        Path p = npz("declared.npz", false, new NpzWriter().add("x", new float[] {1, 2, 3, 5, 6, 7}, 2, 3)
                .add("x_mean", new double[] {1}, 1).add("x_std", new double[] {2}, 1).add("y", new long[] {1, 2}, 2)
                .add("y_classes", List.of("cat", "dog", "émeu", "fox")));
        Dataset d = DataSources.open(p, VECTORS, DataSources.Part.TRAIN, true).normalised(Map.of());
        assertThat(batchValues(d, "x")).containsExactly(0, 0.5, 1, 2, 2.5, 3);
        assertThat(d.spec().classNames().get("y")).containsExactly("cat", "dog", "émeu", "fox");
        assertThat(batchValues(d, "y")).containsExactly(0, 1, 0, 0, 0, 0, 1, 0);
    }

    @Test
    void normalisationComputedPerFeatureAndPerChannel() throws IOException {
        Path p = npz("computed.npz", false, new NpzWriter().add("x", new float[] {1, 10, 5, 3, 10, 7}, 2, 3).add("y", new int[] {0, 1}, 2));
        Normalisation n = DataSources.open(p, VECTORS, DataSources.Part.TRAIN, true).normalised(Map.of()).inputs().get("x").normalisation();
        assertThat(n.mean()).containsExactly(2, 10, 6);
        assertThat(n.std()).containsExactly(1, 1, 1);
        byte[] px = new byte[2 * 2 * 16];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i % 32 < 16 ? 0 : 255);
        }
        Path q = npz("img.npz", true, new NpzWriter().addUnsigned("image", px, 2, 2, 4, 4).add("logits", new int[] {0, 1}, 2));
        Normalisation c = DataSources.open(q, images(2), DataSources.Part.TRAIN, true).normalised(Map.of()).inputs().get("image")
                .normalisation();
        assertThat(c.mean()).containsExactly(0, 1);
        assertThat(c.block()).isEqualTo(16);
    }

    @Test
    void npyIsMapped() throws IOException {
        Path p = dir.resolve("a.npy");
        ByteBuffer b = ByteBuffer.allocate(6 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            b.putFloat(i);
        }
        NpzWriter.writeNpy(p, ElementType.F4, b.array(), 2, 3);
        SampleArray a = NumpyFiles.readNpy(p);
        double[] v = new double[3];
        a.read(1, v, 0);
        assertThat(v).containsExactly(3, 4, 5);
    }

    @Test
    void badNpzArrays() throws IOException {
        Path missing = npz("missing.npz", false, new NpzWriter().add("y", new int[] {1}, 1));
        assertThatThrownBy(() -> DataSources.open(missing, VECTORS, DataSources.Part.TRAIN, true))
                .isInstanceOf(DataException.class).hasMessage(missing + ": no array for input 'x' [3] (it has )");
        Path noLabels = npz("nolabels.npz", false, new NpzWriter().add("x", new float[3], 1, 3));
        assertThatThrownBy(() -> DataSources.open(noLabels, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(noLabels + ": no array for output 'y' (class indices for its loss)");
        Path extra = npz("extra.npz", false, new NpzWriter().add("x", new float[3], 1, 3).add("y", new int[] {1}, 1)
                .add("z", new int[] {1}, 1));
        assertThatThrownBy(() -> DataSources.open(extra, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessageStartingWith(extra + ": array 'z' is neither an input nor an output of network 'Net' (its inputs: x[3]; outputs: y[4] (class indices))");
        Path shape = npz("shape.npz", false, new NpzWriter().add("x", new float[4], 1, 4).add("y", new int[] {1}, 1));
        assertThatThrownBy(() -> DataSources.open(shape, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(shape + ": 'x' has [4] per sample, but input 'x' of network 'Net' is [3]");
        Path floats = npz("floatlabels.npz", false, new NpzWriter().add("x", new float[3], 1, 3).add("y", new float[] {1}, 1));
        assertThatThrownBy(() -> DataSources.open(floats, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessageStartingWith(floats + ": 'y' holds f4 [] per sample; output 'y' is trained with cross_entropy");
        Path range = npz("range.npz", false, new NpzWriter().add("x", new float[6], 2, 3).add("y", new int[] {1, 4}, 2));
        assertThatThrownBy(() -> DataSources.open(range, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(range + ": 'y', sample 1: class index 4 is outside [0, 4) (output 'y' has 4 classes)");
        Path count = npz("count.npz", false, new NpzWriter().add("x", new float[6], 2, 3).add("y", new int[] {1}, 1));
        assertThatThrownBy(() -> DataSources.open(count, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(count + ": its arrays hold different numbers of samples: x 2, y 1");
        Path dtype = npz("dtype.npz", false, new NpzWriter().add("x", ElementType.F4, new byte[12], 1, 3).add("y", new int[] {1}, 1));
        byte[] bytes = Files.readAllBytes(dtype);
        String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("'<f4'", "'>f4'");
        // a big-endian array (same length, so the zip stays valid apart from its CRC, which stored entries are not checked against)
        Files.write(dtype, s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> DataSources.open(dtype, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessageStartingWith(dtype + ": array 'x': element type '>f4' is not supported");
    }

    @Test
    void nanOrInfinityInInputs() throws IOException {
        Path p = npz("nan.npz", false, new NpzWriter().add("x", new float[] {0, 1, 2, 3, Float.NaN, 5}, 2, 3).add("y", new int[] {0, 1}, 2));
        Dataset d = DataSources.open(p, VECTORS, DataSources.Part.TRAIN, true);
        assertThatThrownBy(() -> DataSources.checkFinite(d)).hasMessage(p + ": 'x', sample 1, element 1 is NaN; inputs must be finite");
        Path c = dir.resolve("inf.csv");
        Files.writeString(c, "a,b,c,y\n1,2,3,0\n1,Infinity,3,1\n");
        assertThatThrownBy(() -> DataSources.open(c, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(c + ": row 3, column 'b': Infinity; inputs must be finite");
    }

    @Test
    void truncatedAndCorruptNpz() throws IOException {
        Path good = npz("good.npz", false, new NpzWriter().add("x", new float[300], 100, 3).add("y", new int[100], 100));
        byte[] all = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.npz");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        assertThatThrownBy(() -> DataSources.open(cut, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(cut + ": not a zip archive, or truncated (no end of central directory)");
        Path deflated = npz("deflated.npz", true, new NpzWriter().add("x", new float[300], 100, 3).add("y", new int[100], 100));
        byte[] d = Files.readAllBytes(deflated);
        d[60] ^= 0x55;
        Path corrupt = dir.resolve("corrupt.npz");
        Files.write(corrupt, d);
        assertThatThrownBy(() -> DataSources.open(corrupt, VECTORS, DataSources.Part.TRAIN, true))
                .isInstanceOf(DataException.class).hasMessageStartingWith(corrupt + ": array 'x': ");
        Path text = dir.resolve("text.npz");
        Files.writeString(text, "hello");
        assertThatThrownBy(() -> DataSources.open(text, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessageStartingWith(text + ": not a zip archive");
    }

    @Test
    void csvWithClassNamesAndIndices() throws IOException {
        Path p = dir.resolve("t.csv");
        Files.writeString(p, "a,y,b,c\r\n1,dog,2,3\r\n4,cat,5,6\r\n\r\n7,dog,8,9\r\n");
        DataSchema named = new DataSchema("Net", VECTORS.inputs(), List.of(new DataSchema.Target("y", new long[] {2}, DataSchema.Kind.CLASSES)));
        Dataset d = DataSources.open(p, named, DataSources.Part.TRAIN, true);
        assertThat(d.size()).isEqualTo(3);
        assertThat(d.spec().classNames().get("y")).containsExactly("cat", "dog");
        double[] v = new double[3];
        d.inputs().get("x").values().read(2, v, 0);
        assertThat(v).containsExactly(7, 8, 9);
        assertThat(d.label("y", 0)).isEqualTo(1);
        Path q = dir.resolve("i.csv");
        Files.writeString(q, "y,f1,f2,f3\n3,0.5,1e2,-1\n");
        Dataset e = DataSources.open(q, VECTORS, DataSources.Part.TRAIN, true);
        assertThat(e.label("y", 0)).isEqualTo(3);
        e.inputs().get("x").values().read(0, v, 0);
        assertThat(v).containsExactly(0.5, 100, -1);
    }

    @Test
    void badCsvRows() throws IOException {
        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, "a,b,c,y\n1,2,3,0\n1,2,0\n");
        assertThatThrownBy(() -> DataSources.open(ragged, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(ragged + ": row 3 has 3 fields, the header 4");
        Path text = dir.resolve("text.csv");
        Files.writeString(text, "a,b,c,y\n1,2,3,0\n1,two,3,1\n");
        assertThatThrownBy(() -> DataSources.open(text, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(text + ": row 3, column 'b': 'two' is not a number");
        Path nolabel = dir.resolve("nolabel.csv");
        Files.writeString(nolabel, "a,b,c\n1,2,3\n");
        assertThatThrownBy(() -> DataSources.open(nolabel, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(nolabel + ": no array for output 'y' (class indices for its loss)");
        Path wide = dir.resolve("wide.csv");
        Files.writeString(wide, "a,b,y\n1,2,0\n");
        assertThatThrownBy(() -> DataSources.open(wide, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(wide + ": 'x' has [2] per sample, but input 'x' of network 'Net' is [3]");
        Path empty = dir.resolve("empty.csv");
        Files.writeString(empty, "");
        assertThatThrownBy(() -> DataSources.open(empty, VECTORS, DataSources.Part.TRAIN, true))
                .hasMessage(empty + ": empty file (a header row is needed)");
    }

    private void png(Path p, int w, int h, int rgb) throws IOException {
        Files.createDirectories(p.getParent());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        ImageIO.write(img, p.toString().endsWith(".png") ? "png" : "jpg", p.toFile());
    }

    @Test
    void imageFoldersConvertAndResize() throws IOException {
        Path root = dir.resolve("imgs");
        png(root.resolve("zebra/a.png"), 8, 8, 0xff0000);
        png(root.resolve("ant/b.png"), 4, 4, 0x0000ff);
        png(root.resolve("ant/c.jpg"), 6, 5, 0x808080);
        Dataset grey = DataSources.open(root, images(1), DataSources.Part.TRAIN, true);
        assertThat(grey.spec().classNames().get("logits")).containsExactly("ant", "zebra");
        assertThat(grey.size()).isEqualTo(3);
        double[] v = new double[16];
        grey.inputs().get("image").values().read(2, v, 0);
        assertThat(v).containsOnly(Math.round(0.299 * 255));
        assertThat(grey.label("logits", 2)).isEqualTo(1);
        Dataset rgb = DataSources.open(root, images(3), DataSources.Part.TRAIN, true);
        double[] c = new double[48];
        rgb.inputs().get("image").values().read(0, c, 0);
        assertThat(Arrays.copyOfRange(c, 32, 48)).containsOnly(255);
        assertThat(Arrays.copyOfRange(c, 0, 16)).containsOnly(0);
        // batches are built on background threads for decoded arrays; they match a plain read
        Dataset n = rgb.normalised(Map.of());
        assertThat(batchValues(n, "image")).hasSize(3 * 48);
    }

    @Test
    void badImageFolders() throws IOException {
        Path root = dir.resolve("bad");
        png(root.resolve("a/1.png"), 4, 4, 0);
        Files.createDirectories(root.resolve("b"));
        assertThatThrownBy(() -> DataSources.open(root, images(1), DataSources.Part.TRAIN, true))
                .hasMessage(root.resolve("b") + ": empty class folder (no .png or .jpg images)");
        png(root.resolve("b/2.png"), 4, 4, 0);
        byte[] whole = Files.readAllBytes(root.resolve("b/2.png"));
        Files.write(root.resolve("b/2.png"), Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> DataSources.open(root, images(1), DataSources.Part.TRAIN, true))
                .hasMessageStartingWith(root.resolve("b/2.png") + ": corrupt or truncated image");
        Path other = dir.resolve("other");
        png(other.resolve("a/1.png"), 4, 4, 0);
        png(other.resolve("c/1.png"), 4, 4, 0);
        png(root.resolve("b/2.png"), 4, 4, 0);
        Dataset train = DataSources.open(root, images(1), DataSources.Part.TRAIN, true);
        Dataset test = DataSources.open(other, images(1), DataSources.Part.TEST, true);
        assertThatThrownBy(() -> DataSources.checkSameClasses(train, test))
                .hasMessage(other + ": its classes of 'logits' (a, c) differ from the training data's (a, b)");
    }

    @Test
    void fashionMnistAsNpzGivesTheSameBatchesAsIdx() throws IOException {
        Dataset idx = FashionMnist.locate(null, Path.of("/nonexistent")).train().limit(600);
        byte[] px = new byte[600 * 784];
        int[] labels = new int[600];
        for (int i = 0; i < 600; i++) {
            for (int p = 0; p < 784; p++) {
                px[i * 784 + p] = (byte) idx.pixel(i, p);
            }
            labels[i] = idx.label(i);
        }
        Path p = npz("fashion.npz", false, new NpzWriter().addUnsigned("image", px, 600, 1, 28, 28).add("logits", labels, 600)
                .add("image_mean", new double[] {0.2860}, 1).add("image_std", new double[] {0.3530}, 1));
        DataSchema schema = DataSchema.classifier("F", new TensorSpec("image", new long[] {1, 28, 28}), new TensorSpec("logits", new long[] {10}));
        Dataset npz = DataSources.open(p, schema, DataSources.Part.TRAIN, true).normalised(Map.of());
        Iterator<Batch> a = DataLoader.builder(idx, "image", "logits").batchSize(128).shuffle(7).build().epoch(1).iterator();
        Iterator<Batch> b = DataLoader.builder(npz).batchSize(128).shuffle(7).build().epoch(1).iterator();
        int batches = 0;
        while (a.hasNext()) {
            Batch x = a.next();
            Batch y = b.next();
            assertThat(y.inputs().get("image").data().asFloat()).containsExactly(x.inputs().get("image").data().asFloat());
            assertThat(y.targets().get("logits").data().asFloat()).containsExactly(x.targets().get("logits").data().asFloat());
            assertThat(y.labels().get("logits")).containsExactly(x.labels().get("logits"));
            batches++;
        }
        assertThat(b.hasNext()).isFalse();
        assertThat(batches).isEqualTo(5);
    }

    @Test
    void fromArraysAndFromAnIterator() {
        Dataset d = Dataset.builder("mine").input("x", BufferArray.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3))
                .classes("y", BufferArray.of(new int[] {2, 3}, 2), null).build();
        Dataset m = DataSources.match(d, VECTORS, true).normalised(Map.of());
        assertThat(batchValues(m, "x")).containsExactly(-1, -1, -1, 1, 1, 1);
        List<Dataset.Example> ex = new ArrayList<>();
        ex.add(new Dataset.Example(Map.of("x", new float[] {1, 2, 3}), Map.of("y", 2), Map.of()));
        ex.add(new Dataset.Example(Map.of("x", new float[] {4, 5, 6}), Map.of("y", 3), Map.of()));
        Dataset c = Dataset.collect("iter", VECTORS, ex.iterator()).normalised(Map.of());
        assertThat(batchValues(c, "x")).containsExactly(-1, -1, -1, 1, 1, 1);
        assertThat(batchValues(c, "y")).containsExactly(0, 0, 1, 0, 0, 0, 0, 1);
    }

    @Test
    void holdoutIsAFixedShuffle() {
        int[] ids = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        Dataset d = Dataset.builder("h").input("x", BufferArray.of(new float[30], 10, 3)).classes("y", BufferArray.of(ids, 10), null).build();
        Dataset[] a = d.holdout(3);
        Dataset[] b = d.holdout(3);
        List<Integer> held = new ArrayList<>();
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(a[1].label(i));
            assertThat(b[1].label(i)).isEqualTo(a[1].label(i));
        }
        for (int i = 0; i < 7; i++) {
            all.add(a[0].label(i));
        }
        all.addAll(held);
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(held).isNotEqualTo(List.of(7, 8, 9));
    }
}
