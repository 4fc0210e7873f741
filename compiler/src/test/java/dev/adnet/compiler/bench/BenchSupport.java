package dev.adnet.compiler.bench;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What the benchmark harnesses share: {@code key=value} options, compiling the network, medians. */
final class BenchSupport {
    private BenchSupport() {}

    /** The {@code key=value} arguments from index {@code first} on. */
    static Map<String, Integer> options(String[] args, int first) {
        Map<String, Integer> kv = new HashMap<>();
        for (int i = first; i < args.length; i++) {
            String[] p = args[i].split("=", 2);
            kv.put(p[0], Integer.parseInt(p[1]));
        }
        return kv;
    }

    /** The first network of {@code file}; exits with the diagnostics when it does not check. */
    static CompiledNetwork compile(String file) {
        CompileResult result = new Compiler().check(List.of(Path.of(file)));
        if (result.hasErrors()) {
            System.err.print(result.render());
            System.exit(1);
        }
        return result.networks().get(0);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
