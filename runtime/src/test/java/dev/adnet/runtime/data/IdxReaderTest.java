package dev.adnet.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
    @TempDir
    Path dir;

    static IdxReader.Images images(int n) {
        byte[] px = new byte[n * 4 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 7);
        }
        return new IdxReader.Images(n, 4, 3, px);
    }

    @Test
    void readsPlainAndGzippedFiles() throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            Path im = dir.resolve("im" + gz);
            Path lb = dir.resolve("lb" + gz);
            IdxWriter.writeImages(im, images(5), gz);
            IdxWriter.writeLabels(lb, new int[] {0, 9, 3, 255, 1}, gz);
            IdxReader.Images r = IdxReader.readImages(im);
            assertThat(r.count()).isEqualTo(5);
            assertThat(r.rows()).isEqualTo(4);
            assertThat(r.cols()).isEqualTo(3);
            assertThat(r.pixels()).isEqualTo(images(5).pixels());
            assertThat(IdxReader.readLabels(lb)).containsExactly(0, 9, 3, 255, 1);
        }
    }

    byte[] plainImages() throws IOException {
        Path p = dir.resolve("ok");
        IdxWriter.writeImages(p, images(5), false);
        return Files.readAllBytes(p);
    }

    Path write(String name, byte[] b) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] b = plainImages();
        b[0] = 'P';
        Path p = write("bad-magic", b);
        assertThatThrownBy(() -> IdxReader.readImages(p)).isInstanceOf(DataException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining("wrong magic number").hasMessageContaining("not an IDX file");
        Path lbl = dir.resolve("labels");
        IdxWriter.writeLabels(lbl, new int[] {1, 2}, false);
        assertThatThrownBy(() -> IdxReader.readImages(lbl)).isInstanceOf(DataException.class)
                .hasMessageContaining("1 dimensions, expected 3");
        byte[] f = plainImages();
        f[2] = 0x0d;
        Path floats = write("floats", f);
        assertThatThrownBy(() -> IdxReader.readImages(floats)).hasMessageContaining("only unsigned bytes");
    }

    @Test
    void truncatedHeaderAndData() throws IOException {
        byte[] b = plainImages();
        Path h = write("short-header", Arrays.copyOf(b, 10));
        assertThatThrownBy(() -> IdxReader.readImages(h)).isInstanceOf(DataException.class)
                .hasMessageContaining(h.toString()).hasMessageContaining("truncated").hasMessageContaining("dimension");
        Path d = write("short-data", Arrays.copyOf(b, b.length - 7));
        assertThatThrownBy(() -> IdxReader.readImages(d)).isInstanceOf(DataException.class)
                .hasMessageContaining(d.toString()).hasMessageContaining("expected 60 bytes for 5 images of 4x3, found 53");
        Path empty = write("empty", new byte[0]);
        assertThatThrownBy(() -> IdxReader.readImages(empty)).hasMessageContaining("truncated");
    }

    @Test
    void truncatedGzip() throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(plainImages());
        }
        byte[] z = bo.toByteArray();
        Path p = write("cut.gz", Arrays.copyOf(z, z.length - 20));
        assertThatThrownBy(() -> IdxReader.readImages(p)).isInstanceOf(DataException.class)
                .hasMessageContaining(p.toString()).hasMessageContaining("truncated");
    }

    @Test
    void trailingBytesMeanTheCountsDisagree() throws IOException {
        byte[] b = plainImages();
        Path p = write("long", Arrays.copyOf(b, b.length + 12));
        assertThatThrownBy(() -> IdxReader.readImages(p)).isInstanceOf(DataException.class)
                .hasMessageContaining("12 unexpected byte(s) after the data");
    }

    @Test
    void imageAndLabelCountsMustAgree() {
        assertThatThrownBy(() -> Dataset.of("set", images(5), "labels.idx", new int[] {1, 2, 3}, 10))
                .isInstanceOf(DataException.class).hasMessageContaining("5 images but labels.idx has 3 labels");
        assertThatThrownBy(() -> Dataset.of("set", images(2), "labels.idx", new int[] {1, 12}, 10))
                .isInstanceOf(DataException.class).hasMessageContaining("label 12 of sample 1");
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope");
        assertThatThrownBy(() -> IdxReader.readLabels(p)).isInstanceOf(DataException.class)
                .hasMessageContaining(p + ": file not found");
    }
}
