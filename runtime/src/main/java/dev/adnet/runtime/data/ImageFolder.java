package dev.adnet.runtime.data;

import dev.adnet.runtime.TensorSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * A dataset from a directory of class folders, {@code DIR/<class>/*.png|jpg}: the class names are the folder names,
 * sorted; every image is converted to the input's channels and resized to its height and width when read. Every
 * image is decoded once when the folder is opened, on all cores, so that a corrupt one is reported before training
 * starts; training decodes them again batch by batch on background threads, holding only the file names.
 */
final class ImageFolder {
    private ImageFolder() {}

    static Dataset open(Path dir, DataSchema schema) {
        if (schema.inputs().size() != 1 || schema.inputs().get(0).shape().length != 3) {
            throw new DataException(dir + ": a folder of images needs a network with one image input [channels, height, "
                    + "width]; network '" + schema.network() + "' has " + schema.inputs());
        }
        TensorSpec in = schema.inputs().get(0);
        long[] shape = in.shape();
        if (shape[0] != 1 && shape[0] != 3) {
            throw new DataException(dir + ": images become 1 (grey) or 3 (RGB) channels, input '" + in.name() + "' has " + shape[0]);
        }
        List<DataSchema.Target> classes = schema.targets().stream().filter(t -> t.kind() == DataSchema.Kind.CLASSES).toList();
        List<Path> folders;
        try (Stream<Path> s = Files.list(dir)) {
            folders = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list: " + e.getMessage(), e);
        }
        if (folders.isEmpty()) {
            throw new DataException(dir + ": no class folders (expected " + dir + "/<class>/*.png or *.jpg)");
        }
        List<String> names = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path f : folders) {
            List<Path> images;
            try (Stream<Path> s = Files.list(f)) {
                images = s.filter(ImageFolder::isImage).sorted().toList();
            } catch (IOException e) {
                throw new DataException(f + ": cannot list: " + e.getMessage(), e);
            }
            if (images.isEmpty()) {
                throw new DataException(f + ": empty class folder (no .png or .jpg images)");
            }
            for (Path p : images) {
                files.add(p);
                labels.add(names.size());
            }
            names.add(f.getFileName().toString());
        }
        Decoded images = new Decoded(files.toArray(Path[]::new), (int) shape[0], (int) shape[1], (int) shape[2]);
        IntStream.range(0, files.size()).parallel().forEach(i -> images.decode(i));
        Dataset.Builder b = Dataset.builder(dir.toString()).positional().input(in.name(), images);
        b.classes(classes.isEmpty() ? "class" : classes.get(0).name(), BufferArray.of(labels.stream().mapToInt(Integer::intValue)
                .toArray(), labels.size()), names);
        return b.build();
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && !n.startsWith(".") && (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg"));
    }

    /** Image files decoded, converted and resized on every read. */
    private record Decoded(Path[] files, int channels, int height, int width) implements SampleArray {
        @Override
        public int count() {
            return files.length;
        }

        @Override
        public long[] sampleShape() {
            return new long[] {channels, height, width};
        }

        @Override
        public ElementType type() {
            return ElementType.U1;
        }

        @Override
        public boolean decodes() {
            return true;
        }

        double[] decode(int i) {
            BufferedImage img = ImageDecoding.read(files[i]);
            return ImageDecoding.resize(ImageDecoding.channels(img, channels), channels, img.getHeight(), img.getWidth(),
                    height, width);
        }

        @Override
        public void read(int sample, double[] dest, int off) {
            double[] v = decode(sample);
            System.arraycopy(v, 0, dest, off, v.length);
        }

        @Override
        public String toString() {
            return Arrays.toString(sampleShape());
        }
    }
}
