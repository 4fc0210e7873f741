package dev.adnet.compiler.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a generated network's inference spends its time, by line of the generated source: the Java Flight
 * Recorder's samples of the calling thread (Java and native, so libnd4j's ops count where they are called) are
 * attributed to the innermost frame of the network's {@code forward} method (or another: {@code method=trainStep}), and the lines are printed with their
 * share and text, largest first, with the shares summed per group of lines whose text contains each given word.
 *
 * <pre>
 * ./adnet compile NET.adnet -d /tmp/gen
 * java -XX:StartFlightRecording=filename=/tmp/net.jfr,settings=profile -cp ... (any harness running NET's inference)
 * java -cp "$CP" dev.adnet.compiler.bench.ProfileByLine /tmp/net.jfr /tmp/gen/adnet/generated/Net.java [top=30] \
 *     [method=forward|trainStep] [word ...]
 * </pre>
 */
public final class ProfileByLine {
    private ProfileByLine() {}

    /** Sampling periods of {@code settings=profile} (JDK 17's profile.jfc): a native sample counts twice. */
    private static final int JAVA_PERIOD_MS = 10;
    private static final int NATIVE_PERIOD_MS = 20;

    public static void main(String[] args) throws IOException {
        Path recording = Path.of(args[0]);
        Path source = Path.of(args[1]);
        int top = 30;
        String method = "forward";
        List<String> words = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            if (args[i].startsWith("top=")) {
                top = Integer.parseInt(args[i].substring(4));
            } else if (args[i].startsWith("method=")) {
                method = args[i].substring(7);
            } else {
                words.add(args[i]);
            }
        }
        List<String> lines = Files.readAllLines(source);
        String type = source.getFileName().toString().replace(".java", "");
        Map<Integer, Integer> byLine = new HashMap<>();
        int total = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            String name = e.getEventType().getName();
            if (!name.equals("jdk.ExecutionSample") && !name.equals("jdk.NativeMethodSample")) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null) {
                continue;
            }
            // a sample stands for its period: the profile settings sample Java every 10 ms, native code every 20 ms
            int weight = name.equals("jdk.NativeMethodSample") ? NATIVE_PERIOD_MS / JAVA_PERIOD_MS : 1;
            for (RecordedFrame f : st.getFrames()) {
                if (f.getMethod().getName().equals(method) && f.getMethod().getType().getName().endsWith("." + type)) {
                    byLine.merge(f.getLineNumber(), weight, Integer::sum);
                    total += weight;
                    break;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%d weighted samples (10 ms each) in %s.%s%n", total, type, method);
        List<Map.Entry<Integer, Integer>> rows = new ArrayList<>(byLine.entrySet());
        rows.sort((a, b) -> b.getValue() - a.getValue());
        for (int i = 0; i < Math.min(top, rows.size()); i++) {
            int line = rows.get(i).getKey();
            String text = line >= 1 && line <= lines.size() ? lines.get(line - 1).strip() : "?";
            System.out.printf(Locale.ROOT, "%5.1f%% %5d  %s%n", 100.0 * rows.get(i).getValue() / total, line,
                    text.length() > 110 ? text.substring(0, 110) : text);
        }
        for (String w : words) {
            int n = 0;
            for (Map.Entry<Integer, Integer> r : rows) {
                int line = r.getKey();
                if (line >= 1 && line <= lines.size() && lines.get(line - 1).contains(w)) {
                    n += r.getValue();
                }
            }
            System.out.printf(Locale.ROOT, "lines containing '%s': %.1f%%%n", w, 100.0 * n / Math.max(1, total));
        }
    }
}
