package dev.adnet.runtime.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.adnet.runtime.Buffer;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.data.DataSpec;
import dev.adnet.runtime.data.Normalisation;
import dev.adnet.runtime.train.Optimizer;
import dev.adnet.runtime.train.OptimizerConfig;
import dev.adnet.runtime.train.OptimizerState;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Checkpoint files: a zip holding {@code manifest.json} and one {@code .npy} (stored uncompressed) per parameter
 * ({@code parameters/NAME.npy}), buffer ({@code buffers/NAME.npy}) and optimizer state tensor
 * ({@code optimizer/NAME.npy}). The manifest records the format version, network name, source hash, data type,
 * names and shapes, the optimizer's kind and scalar state, the trainer state and the SHA-256 of every entry.
 *
 * <p>Files are written atomically: to a temporary file in the same directory, fsynced, then renamed over the old
 * file with {@code ATOMIC_MOVE}; a failed write leaves the previous checkpoint as it was.
 */
public final class Checkpoints {
    public static final String MANIFEST = "manifest.json";
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private Checkpoints() {}

    record TensorEntry(String name, long[] shape, String entry) {}

    record OptimizerEntry(String kind, Map<String, Double> scalars, List<TensorEntry> tensors) {}

    record Manifest(
            int formatVersion,
            String network,
            String sourceHash,
            String dtype,
            List<TensorEntry> parameters,
            List<TensorEntry> buffers,
            OptimizerEntry optimizer,
            TrainerState trainer,
            Map<String, String> sha256,
            DataEntry data) {}

    record NormalisationEntry(double divisor, double[] mean, double[] std, int block) {}

    record DataEntry(Map<String, NormalisationEntry> normalisation, Map<String, List<String>> classNames) {
        static DataEntry of(DataSpec d) {
            if (d == null) {
                return null;
            }
            Map<String, NormalisationEntry> n = new LinkedHashMap<>();
            d.normalisation().forEach((k, v) -> n.put(k, new NormalisationEntry(v.divisor(), v.mean(), v.std(), v.block())));
            return new DataEntry(n, d.classNames());
        }

        DataSpec spec(Path file) {
            Map<String, Normalisation> n = new LinkedHashMap<>();
            try {
                if (normalisation != null) {
                    normalisation.forEach((k, v) -> n.put(k, new Normalisation(v.divisor(), v.mean(), v.std(), v.block())));
                }
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new CheckpointException(file + ": corrupt data normalisation in " + MANIFEST + ": " + e.getMessage(), e);
            }
            return new DataSpec(n, classNames == null ? Map.of() : classNames);
        }
    }

    /** A checkpoint of the network's current parameters and buffers, the optimizer's state (may be null) and {@code trainer}. */
    public static Checkpoint capture(Network net, Optimizer optimizer, TrainerState trainer) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (Parameter p : net.parameters()) {
            params.put(p.name(), p.value());
        }
        Map<String, INDArray> bufs = new LinkedHashMap<>();
        for (Buffer b : net.buffers()) {
            bufs.put(b.name(), b.value());
        }
        return new Checkpoint(net.name(), net.sourceHash(), net.dataType().name(), params, bufs,
                optimizer == null ? null : optimizer.state(), trainer);
    }

    /** Captures and writes atomically. */
    public static void save(Path file, Network net, Optimizer optimizer, TrainerState trainer) {
        write(file, capture(net, optimizer, trainer));
    }

    /** Captures and writes atomically, recording the data's normalisation and class names (null: none). */
    public static void save(Path file, Network net, Optimizer optimizer, TrainerState trainer, DataSpec data) {
        write(file, capture(net, optimizer, trainer).withData(data));
    }

    /** Writes atomically: temporary file in the same directory, fsync, atomic rename over {@code file}. */
    public static void write(Path file, Checkpoint c) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16));
                writeZip(zip, c);
                zip.finish();
                zip.flush();
                ch.force(true);
            }
            Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException e) {
                // some file systems cannot sync a directory; the rename itself is atomic
            }
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("cannot write checkpoint " + file + ": " + e.getMessage()
                    + (Files.exists(abs) ? " (the previous checkpoint is intact)" : ""), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // nothing more to do
                }
            }
        }
    }

    private static void writeZip(ZipOutputStream zip, Checkpoint c) throws IOException {
        Map<String, String> sha = new LinkedHashMap<>();
        List<TensorEntry> params = writeTensors(zip, "parameters/", c.parameters(), sha);
        List<TensorEntry> bufs = writeTensors(zip, "buffers/", c.buffers(), sha);
        OptimizerEntry opt = null;
        if (c.optimizer() != null) {
            opt = new OptimizerEntry(c.optimizer().kind().name(), c.optimizer().scalars(),
                    writeTensors(zip, "optimizer/", c.optimizer().tensors(), sha));
        }
        Manifest m = new Manifest(Checkpoint.FORMAT_VERSION, c.network(), c.sourceHash(), c.dataType(), params, bufs, opt,
                c.trainer(), sha, DataEntry.of(c.data()));
        ZipEntry e = new ZipEntry(MANIFEST);
        zip.putNextEntry(e);
        zip.write(GSON.toJson(m).getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    private static List<TensorEntry> writeTensors(ZipOutputStream zip, String prefix, Map<String, INDArray> tensors,
            Map<String, String> sha) throws IOException {
        List<TensorEntry> out = new ArrayList<>();
        for (Map.Entry<String, INDArray> t : tensors.entrySet()) {
            byte[] bytes;
            try {
                bytes = Npy.toBytes(t.getValue());
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(t.getKey() + ": " + ex.getMessage(), ex);
            }
            String entry = prefix + t.getKey() + ".npy";
            ZipEntry e = new ZipEntry(entry);
            e.setMethod(ZipEntry.STORED);
            e.setSize(bytes.length);
            e.setCompressedSize(bytes.length);
            CRC32 crc = new CRC32();
            crc.update(bytes);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(bytes);
            zip.closeEntry();
            sha.put(entry, sha256(bytes));
            out.add(new TensorEntry(t.getKey(), t.getValue().shape(), entry));
        }
        return out;
    }

    /**
     * What {@link #initialise} copied.
     *
     * @param notFound names of this network's parameters and buffers the checkpoint has no tensor of that shape for
     */
    public record Initialised(int parameters, int ofParameters, int buffers, int ofBuffers, List<String> notFound) {
        public Initialised {
            notFound = List.copyOf(notFound);
        }
    }

    /**
     * Initialises {@code net} from a checkpoint of another network (for instance a static network, into the same
     * backbone with exit heads): every parameter and buffer whose name and shape match is copied; the rest keep
     * their values. The checkpoint is verified as by {@link #read}; its network name and source hash may differ.
     */
    public static Initialised initialise(Path file, Network net) {
        Checkpoint c = read(file);
        List<String> notFound = new ArrayList<>();
        int params = 0;
        for (Parameter p : net.parameters()) {
            params += copy(c.parameters().get(p.name()), p.value(), p.name(), notFound);
        }
        int bufs = 0;
        for (Buffer b : net.buffers()) {
            bufs += copy(c.buffers().get(b.name()), b.value(), b.name(), notFound);
        }
        return new Initialised(params, net.parameters().size(), bufs, net.buffers().size(), notFound);
    }

    private static int copy(INDArray from, INDArray to, String name, List<String> notFound) {
        if (from == null || !java.util.Arrays.equals(from.shape(), to.shape())) {
            notFound.add(name);
            return 0;
        }
        to.assign(from.castTo(to.dataType()));
        return 1;
    }

    /** Reads a checkpoint and verifies its structure and every entry's checksum. */
    public static Checkpoint read(Path file) {
        if (!Files.exists(file)) {
            throw new CheckpointException(file + ": checkpoint not found");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry me = zip.getEntry(MANIFEST);
            if (me == null) {
                throw new CheckpointException(file + ": not a checkpoint: " + MANIFEST + " is missing");
            }
            Manifest m;
            try {
                m = GSON.fromJson(new String(readEntry(file, zip, me), StandardCharsets.UTF_8), Manifest.class);
            } catch (JsonParseException ex) {
                throw new CheckpointException(file + ": " + MANIFEST + " is not valid JSON: " + ex.getMessage(), ex);
            }
            if (m == null) {
                throw new CheckpointException(file + ": " + MANIFEST + " is empty");
            }
            if (m.formatVersion() != Checkpoint.FORMAT_VERSION) {
                throw new CheckpointException(file + ": unsupported checkpoint format version " + m.formatVersion()
                        + " (this runtime reads version " + Checkpoint.FORMAT_VERSION + ")");
            }
            List<String> problems = new ArrayList<>();
            if (m.network() == null) {
                problems.add("no network name");
            }
            if (m.sha256() == null) {
                problems.add("no checksums");
            }
            if (m.parameters() == null) {
                problems.add("no parameter list");
            }
            if (m.trainer() == null) {
                problems.add("no trainer state");
            }
            if (!problems.isEmpty()) {
                throw new CheckpointException(file + ": incomplete " + MANIFEST + ": " + String.join(", ", problems));
            }
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String n = en.nextElement().getName();
                if (!n.equals(MANIFEST) && !m.sha256().containsKey(n)) {
                    throw new CheckpointException(file + ": entry " + n + " is not listed in the manifest");
                }
            }
            Map<String, INDArray> params = readTensors(file, zip, m, m.parameters());
            Map<String, INDArray> bufs = readTensors(file, zip, m, m.buffers() == null ? List.of() : m.buffers());
            OptimizerState opt = null;
            if (m.optimizer() != null) {
                OptimizerConfig.Kind kind;
                try {
                    kind = OptimizerConfig.Kind.valueOf(m.optimizer().kind());
                } catch (IllegalArgumentException | NullPointerException ex) {
                    throw new CheckpointException(file + ": unknown optimizer kind " + m.optimizer().kind());
                }
                opt = new OptimizerState(kind, readTensors(file, zip, m, m.optimizer().tensors() == null ? List.of()
                        : m.optimizer().tensors()), m.optimizer().scalars() == null ? Map.of() : m.optimizer().scalars());
            }
            return new Checkpoint(m.network(), m.sourceHash(), m.dtype(), params, bufs, opt, m.trainer(),
                    m.data() == null ? null : m.data().spec(file));
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": checkpoint not found", e);
        } catch (ZipException e) {
            throw new CheckpointException(file + ": not a zip file, or truncated (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static Map<String, INDArray> readTensors(Path file, ZipFile zip, Manifest m, List<TensorEntry> list) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (TensorEntry t : list) {
            ZipEntry e = zip.getEntry(t.entry());
            if (e == null) {
                throw new CheckpointException(file + ": entry " + t.entry() + " (for " + t.name() + ") is missing");
            }
            byte[] bytes = readEntry(file, zip, e);
            String expected = m.sha256().get(t.entry());
            String actual = sha256(bytes);
            if (expected == null) {
                throw new CheckpointException(file + ": no checksum for entry " + t.entry());
            }
            if (!expected.equals(actual)) {
                throw new CheckpointException(file + ": checksum mismatch in entry " + t.entry()
                        + " (the file is corrupt): expected SHA-256 " + expected + ", found " + actual);
            }
            INDArray a = Npy.fromBytes(file + "!" + t.entry(), bytes);
            if (!Arrays.equals(a.shape(), t.shape())) {
                throw new CheckpointException(file + ": entry " + t.entry() + " has shape " + Arrays.toString(a.shape())
                        + " but the manifest says " + Arrays.toString(t.shape()));
            }
            out.put(t.name(), a);
        }
        return out;
    }

    private static byte[] readEntry(Path file, ZipFile zip, ZipEntry e) {
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        } catch (IOException ex) {
            throw new CheckpointException(file + ": entry " + e.getName() + " is corrupt (" + ex.getMessage() + ")", ex);
        }
    }

    /**
     * Checks that {@code c} fits {@code net} and copies its parameters, buffers and (if {@code optimizer} is not null
     * and the checkpoint has optimizer state) the optimizer state in. Nothing is changed unless everything fits.
     */
    public static void restore(Checkpoint c, Network net, Optimizer optimizer) {
        // keyed on structure, not on the source's bytes: a checkpoint fits a network of the same name whose parameters
        // and buffers have the same names and shapes, so editing a comment or the layout of the .adnet file keeps it
        if (!c.network().equals(net.name())) {
            throw new CheckpointException("checkpoint does not match network '" + net.name() + "': it is for network '"
                    + c.network() + "'");
        }
        Map<String, INDArray> expectP = new LinkedHashMap<>();
        net.parameters().forEach(p -> expectP.put(p.name(), p.value()));
        Map<String, INDArray> expectB = new LinkedHashMap<>();
        net.buffers().forEach(b -> expectB.put(b.name(), b.value()));
        List<String> problems = new ArrayList<>();
        compare("parameter", expectP, c.parameters(), problems);
        compare("buffer", expectB, c.buffers(), problems);
        if (optimizer != null && c.optimizer() != null && c.optimizer().kind() != optimizer.kind()) {
            problems.add("optimizer state is for " + c.optimizer().kind() + ", training uses " + optimizer.kind());
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException("checkpoint does not fit network '" + net.name() + "' (" + problems.size()
                    + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", problems));
        }
        expectP.forEach((n, v) -> v.assign(c.parameters().get(n)));
        expectB.forEach((n, v) -> v.assign(c.buffers().get(n)));
        if (optimizer != null && c.optimizer() != null) {
            optimizer.loadState(c.optimizer());
        }
    }

    private static void compare(String what, Map<String, INDArray> expected, Map<String, INDArray> found, List<String> problems) {
        for (Map.Entry<String, INDArray> e : expected.entrySet()) {
            INDArray f = found.get(e.getKey());
            if (f == null) {
                problems.add("missing " + what + " " + e.getKey() + " " + Arrays.toString(e.getValue().shape()));
            } else if (!Arrays.equals(f.shape(), e.getValue().shape())) {
                problems.add("wrong shape for " + what + " " + e.getKey() + ": expected "
                        + Arrays.toString(e.getValue().shape()) + ", found " + Arrays.toString(f.shape()));
            }
        }
        for (Map.Entry<String, INDArray> f : found.entrySet()) {
            if (!expected.containsKey(f.getKey())) {
                problems.add("unexpected " + what + " " + f.getKey() + " " + Arrays.toString(f.getValue().shape()));
            }
        }
    }

    /** Reads, verifies and restores; returns the checkpoint (for its trainer state). */
    public static Checkpoint load(Path file, Network net, Optimizer optimizer) {
        Checkpoint c = read(file);
        try {
            restore(c, net, optimizer);
        } catch (CheckpointException e) {
            throw new CheckpointException(file + ": " + e.getMessage(), e);
        }
        return c;
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
