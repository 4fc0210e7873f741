package dev.adnet.compiler.cli;

import com.palantir.javapoet.JavaFile;
import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.SourceVersion;

/** {@code adnet compile}: checks everything first and writes Java only when there is no error at all. */
final class CodeGeneration {
    private final PrintWriter out;
    private final PrintWriter err;

    CodeGeneration(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    int run(List<Path> files, Path outputDir, String javaPackage) {
        if (!javaPackage.isEmpty() && !SourceVersion.isName(javaPackage, SourceVersion.RELEASE_17)) {
            err.println("adnet: --package '" + javaPackage + "' is not a Java package name");
            return Main.USAGE;
        }
        CompileResult result = new Compiler().check(files);
        if (Reports.diagnostics(result, err)) {
            return Main.DIAGNOSTICS;
        }
        List<JavaFile> generated = new ArrayList<>();
        for (CompiledNetwork n : result.networks()) {
            generated.add(emit(n, javaPackage));
        }
        try {
            for (JavaFile f : generated) {
                Path written = write(f, outputDir);
                out.println("wrote " + written);
            }
        } catch (UncheckedIOException e) {
            err.println("adnet: cannot write to " + outputDir + ": " + e.getCause().getMessage());
            return Main.DIAGNOSTICS;
        }
        out.flush();
        return Main.OK;
    }

    static JavaFile emit(CompiledNetwork n, String javaPackage) {
        return n.toJava(javaPackage);
    }

    /** Writes through a temporary file and a rename, so an interrupted run never leaves half a class. */
    private static Path write(JavaFile f, Path root) {
        try {
            Path dir = f.packageName().isEmpty() ? root : root.resolve(f.packageName().replace('.', '/'));
            Files.createDirectories(dir);
            Path target = dir.resolve(f.typeSpec().name() + ".java");
            Path tmp = Files.createTempFile(dir, ".adnet-", ".tmp");
            Files.writeString(tmp, f.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
