package dev.adnet.runtime.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A dataset from a {@code .csv} table with a header row: the column named after a trained output holds its labels
 * (class indices, or class names, numbered in sorted order), every other column is a feature of the network's single
 * input, in order. The file is read once, in chunks, to check every row and remember where it starts; training then
 * reads the rows it needs from disk, so a table larger than memory costs 12 bytes of heap per row. Fields are
 * separated by commas; surrounding double quotes are removed.
 */
final class CsvTable {
    private CsvTable() {}

    static Dataset open(Path file, DataSchema schema) {
        List<String> header;
        long[] offsets;
        int[] labelColumns;
        Labels[] labels;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            LineReader lines = new LineReader(in);
            String first = lines.next();
            if (first == null) {
                throw new DataException(file + ": empty file (a header row is needed)");
            }
            header = fields(first);
            List<Integer> lc = new ArrayList<>();
            for (int c = 0; c < header.size(); c++) {
                DataSchema.Target t = schema.target(header.get(c));
                if (t != null && t.kind() != DataSchema.Kind.NONE) {
                    lc.add(c);
                }
            }
            labelColumns = lc.stream().mapToInt(Integer::intValue).toArray();
            labels = new Labels[labelColumns.length];
            for (int l = 0; l < labels.length; l++) {
                String name = header.get(labelColumns[l]);
                labels[l] = new Labels(file, name, schema.target(name).kind() == DataSchema.Kind.CLASSES);
            }
            if (header.size() == labelColumns.length) {
                throw new DataException(file + ": no feature columns besides " + String.join(", ", header));
            }
            long[] off = new long[1024];
            int n = 0;
            long pos = lines.position();
            for (String line; (line = lines.next()) != null; pos = lines.position()) {
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = fields(line);
                int row = lines.lineNumber();
                if (f.size() != header.size()) {
                    throw new DataException(file + ": row " + row + " has " + f.size() + " fields, the header " + header.size());
                }
                int li = 0;
                for (int c = 0; c < f.size(); c++) {
                    if (li < labelColumns.length && labelColumns[li] == c) {
                        labels[li++].add(row, f.get(c));
                    } else {
                        number(file, row, header.get(c), f.get(c));
                    }
                }
                if (n + 2 >= off.length) {
                    off = Arrays.copyOf(off, off.length * 2);
                }
                off[n++] = pos;
            }
            off[n] = lines.position();
            offsets = Arrays.copyOf(off, n + 1);
            if (n == 0) {
                throw new DataException(file + ": no data rows after the header");
            }
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": file not found");
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e.getMessage(), e);
        }
        int rows = offsets.length - 1;
        Dataset.Builder b = Dataset.builder(file.toString()).positional();
        b.input("features", new Rows(file, offsets, labelColumns, header.size() - labelColumns.length, header));
        for (Labels l : labels) {
            if (l.classes) {
                List<String> names = l.classNames();
                b.classes(l.column, BufferArray.of(l.indices(names, rows), rows), names);
            } else {
                b.values(l.column, BufferArray.of(Arrays.copyOf(l.values, rows), rows));
            }
        }
        return b.build();
    }

    /**
     * One label column, accumulated row by row: integers are class indices as they are; any other text makes the
     * column's values class names, numbered in sorted order. Regression targets are numbers.
     */
    private static final class Labels {
        final Path file;
        final String column;
        final boolean classes;
        float[] values = new float[1024];
        int[] ids = new int[1024];
        boolean integers = true;
        final Map<String, Integer> seen = new HashMap<>();
        final List<String> firstSeen = new ArrayList<>();
        int n;

        Labels(Path file, String column, boolean classes) {
            this.file = file;
            this.column = column;
            this.classes = classes;
        }

        void add(int row, String text) {
            if (n == ids.length) {
                ids = Arrays.copyOf(ids, n * 2);
                values = Arrays.copyOf(values, n * 2);
            }
            if (!classes) {
                values[n++] = (float) number(file, row, column, text);
                return;
            }
            if (text.isEmpty()) {
                throw new DataException(file + ": row " + row + ", column '" + column + "': empty label");
            }
            integers &= text.matches("-?\\d{1,9}");
            Integer id = seen.get(text);
            if (id == null) {
                id = seen.size();
                seen.put(text, id);
                firstSeen.add(text);
            }
            ids[n++] = id;
        }

        /** Sorted class names, or null for integer indices. */
        List<String> classNames() {
            return integers ? null : new ArrayList<>(new TreeSet<>(firstSeen));
        }

        int[] indices(List<String> names, int rows) {
            int[] out = new int[rows];
            int[] map = new int[firstSeen.size()];
            for (int i = 0; i < map.length; i++) {
                map[i] = names == null ? Integer.parseInt(firstSeen.get(i)) : names.indexOf(firstSeen.get(i));
            }
            for (int r = 0; r < rows; r++) {
                out[r] = map[ids[r]];
            }
            return out;
        }
    }

    static double number(Path file, int row, String column, String text) {
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new DataException(file + ": row " + row + ", column '" + column + "': '" + text + "' is not a number");
        }
        if (!Double.isFinite(v)) {
            throw new DataException(file + ": row " + row + ", column '" + column + "': " + text + "; inputs must be finite");
        }
        return v;
    }

    static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        for (String f : line.split(",", -1)) {
            String t = f.trim();
            if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
                t = t.substring(1, t.length() - 1);
            }
            out.add(t);
        }
        return out;
    }

    /** Lines of a stream with the byte position of each, for any of \n, \r\n. */
    private static final class LineReader {
        private final InputStream in;
        private long position;
        private final java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();

        LineReader(InputStream in) {
            this.in = in;
        }

        private int line;

        long position() {
            return position;
        }

        /** The 1-based number of the line last read. */
        int lineNumber() {
            return line;
        }

        String next() throws IOException {
            buf.reset();
            int c;
            boolean any = false;
            while ((c = in.read()) >= 0) {
                position++;
                any = true;
                if (c == '\n') {
                    break;
                }
                buf.write(c);
            }
            if (!any) {
                return null;
            }
            line++;
            String s = buf.toString(StandardCharsets.UTF_8);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }
    }

    /** The feature columns of every row, parsed from the file when read. */
    private static final class Rows implements SampleArray {
        private final Path file;
        private final long[] offsets;
        private final int[] labelColumns;
        private final int features;
        private final List<String> header;
        private final FileChannel channel;

        Rows(Path file, long[] offsets, int[] labelColumns, int features, List<String> header) {
            this.file = file;
            this.offsets = offsets;
            this.labelColumns = labelColumns;
            this.features = features;
            this.header = header;
            try {
                this.channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new DataException(file + ": cannot open: " + e.getMessage(), e);
            }
        }

        @Override
        public int count() {
            return offsets.length - 1;
        }

        @Override
        public long[] sampleShape() {
            return new long[] {features};
        }

        @Override
        public ElementType type() {
            return ElementType.F8;
        }

        @Override
        public boolean decodes() {
            return true;
        }

        @Override
        public void read(int sample, double[] dest, int off) {
            int len = (int) (offsets[sample + 1] - offsets[sample]);
            ByteBuffer b = ByteBuffer.allocate(len);
            try {
                while (b.hasRemaining()) {
                    if (channel.read(b, offsets[sample] + b.position()) < 0) {
                        throw new DataException(file + ": the file changed while it was read (row " + (sample + 2) + ")");
                    }
                }
            } catch (IOException e) {
                throw new DataException(file + ": cannot read row " + (sample + 2) + ": " + e.getMessage(), e);
            }
            String line = new String(b.array(), StandardCharsets.UTF_8).strip();
            List<String> f = fields(line);
            int li = 0;
            int k = 0;
            for (int c = 0; c < f.size(); c++) {
                if (li < labelColumns.length && labelColumns[li] == c) {
                    li++;
                } else {
                    dest[off + k++] = number(file, sample + 2, header.get(c), f.get(c));
                }
            }
        }
    }
}
