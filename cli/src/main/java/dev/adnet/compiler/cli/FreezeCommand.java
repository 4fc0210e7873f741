package dev.adnet.compiler.cli;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.freeze.FreezeException;
import dev.adnet.compiler.freeze.FreezeWriter;
import dev.adnet.compiler.source.SourceFile;
import dev.adnet.runtime.checkpoint.Checkpoint;
import dev.adnet.runtime.checkpoint.CheckpointException;
import dev.adnet.runtime.checkpoint.Checkpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code adnet freeze FILE --checkpoint C -o FROZEN.adnet}: the trained network's learned structure (a branch's
 * argmax tree, a share's argmax policies) written as plain adnet source, with a checkpoint holding its parameters under
 * their new names. The frozen source is checked and the new checkpoint restored into it before anything is written.
 */
@Command(name = "freeze", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Write a trained "
        + "network's learned structure (a branch's argmax tree, a share's policies) as plain adnet source, with a checkpoint "
        + "for it.")
final class FreezeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the .adnet file the checkpoint was trained from")
    Path file;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "a checkpoint written by adnet train")
    Path checkpoint;

    @Option(names = "-o", required = true, paramLabel = "FROZEN.adnet", description = "where the frozen source goes")
    Path output;

    @Option(names = "--checkpoint-out", paramLabel = "PATH", description = "where the frozen network's checkpoint goes "
            + "(default: FROZEN.ckpt beside the frozen source)")
    Path checkpointOut;

    @Option(names = "--network", paramLabel = "NAME", description = "which network, when the file declares several")
    String networkName;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path ckptOut = checkpointOut != null ? checkpointOut : sibling(output, ".ckpt");
        String problem = outputProblem(output, ckptOut);
        if (problem != null) {
            err.println("adnet: " + problem);
            return Main.DIAGNOSTICS;
        }
        LoadedNetwork loaded = LoadedNetwork.load(file, networkName, Long.MIN_VALUE, err);
        if (loaded == null) {
            return Main.DIAGNOSTICS;
        }
        try {
            Checkpoint trained = Checkpoints.load(checkpoint, loaded.network(), null);
            CompileResult source = new Compiler().check(List.of(file));
            CompiledNetwork compiled = loaded.compiled();
            SourceFile text = source.sources().get(compiled.sourceFile());
            FreezeWriter.Frozen frozen = FreezeWriter.freeze(text, source.units().get(compiled.sourceFile()),
                    compiled.graph(), name -> values(trained.parameters().get(name)));
            LoadedNetwork frozenNet = checkFrozen(frozen.source(), compiled.graph().name(), err);
            if (frozenNet == null) {
                return Main.DIAGNOSTICS;
            }
            Checkpoint written = new Checkpoint(trained.network(), frozenNet.compiled().sourceHash(), trained.dataType(),
                    renamed(trained.parameters(), frozen.rename()), renamed(trained.buffers(), frozen.rename()), null,
                    trained.trainer(), trained.data());
            Checkpoints.restore(written, frozenNet.network(), null);
            Files.writeString(output, frozen.source(), StandardCharsets.UTF_8);
            Checkpoints.write(ckptOut, written);
            out.printf("frozen %s: %d of %d nodes kept (a node per task and branch layer or share unit); %s and %s%n", compiled.graph().name(), frozen.keptNodes(),
                    frozen.nodes(), output, ckptOut);
            return Main.OK;
        } catch (FreezeException | CheckpointException e) {
            err.println("adnet: " + e.getMessage());
            return Main.DIAGNOSTICS;
        } catch (IOException e) {
            err.println("adnet: cannot write " + output + ": " + e.getMessage());
            return Main.DIAGNOSTICS;
        }
    }

    /** Compiles and instantiates the frozen source from memory, as it will be read from {@link #output}. */
    private LoadedNetwork checkFrozen(String source, String name, PrintWriter err) {
        Path dir = file.toAbsolutePath().getParent();
        Compiler.SourceReader reader = p -> p.toAbsolutePath().equals(output.toAbsolutePath())
                ? source.getBytes(StandardCharsets.UTF_8) : Files.readAllBytes(p);
        CompileResult result = new Compiler(reader, null).check(List.of(output));
        if (result.hasErrors()) {
            err.println("adnet: internal error: the frozen source of " + file + " does not check (imports are read from "
                    + dir + "):");
            err.print(result.report());
            return null;
        }
        CompiledNetwork n = result.networks().stream().filter(c -> c.graph().name().equals(name)).findFirst().orElseThrow();
        return new LoadedNetwork(n, InMemoryCompiler.instantiate(n, DataType.FLOAT, 0));
    }

    private static double[] values(INDArray a) {
        return a == null ? null : a.castTo(DataType.DOUBLE).toDoubleVector();
    }

    /** Each value under its frozen names: a unit the frozen network applies twice gets a copy per application. */
    private static Map<String, INDArray> renamed(Map<String, INDArray> values, Function<String, List<String>> rename) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        values.forEach((name, v) -> rename.apply(name).forEach(to -> out.put(to, v.dup())));
        return out;
    }

    /** Why the outputs cannot be written, or null. */
    private String outputProblem(Path source, Path ckpt) {
        for (Path p : List.of(source, ckpt)) {
            Path abs = p.toAbsolutePath().normalize();
            if (abs.equals(file.toAbsolutePath().normalize()) || abs.equals(checkpoint.toAbsolutePath().normalize())) {
                return p + " is an input of this command; write the frozen network elsewhere";
            }
            if (Files.isDirectory(abs)) {
                return p + " is a directory; give a file name";
            }
            if (abs.getParent() != null && !Files.isDirectory(abs.getParent())) {
                return "cannot write " + p + ": directory " + abs.getParent() + " does not exist";
            }
        }
        if (!source.toString().endsWith(".adnet")) {
            return "the frozen source " + source + " must be an .adnet file";
        }
        return null;
    }

    private static Path sibling(Path p, String extension) {
        String name = p.getFileName().toString();
        String stem = name.endsWith(".adnet") ? name.substring(0, name.length() - ".adnet".length()) : name;
        return p.resolveSibling(stem + extension);
    }
}
