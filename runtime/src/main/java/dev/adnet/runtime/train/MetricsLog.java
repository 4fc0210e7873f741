package dev.adnet.runtime.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Appends per-epoch metrics to {@code metrics.csv} and {@code metrics.json} (a JSON array) in a directory. */
public final class MetricsLog {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();
    private final Path csv;
    private final Path json;

    public MetricsLog(Path directory) {
        this.csv = directory.resolve("metrics.csv");
        this.json = directory.resolve("metrics.json");
    }

    public Path csv() {
        return csv;
    }

    public Path json() {
        return json;
    }

    public void append(EpochMetrics m) {
        try {
            Files.createDirectories(csv.toAbsolutePath().getParent());
            Map<String, Double> test = new TreeMap<>(m.testAccuracy());
            if (!Files.exists(csv)) {
                StringBuilder h = new StringBuilder("epoch,step,train_loss,train_accuracy");
                for (String k : test.keySet()) {
                    h.append(",test_accuracy_").append(k);
                }
                h.append(",learning_rate,seconds,samples_per_second\n");
                Files.writeString(csv, h, StandardCharsets.UTF_8);
            }
            StringBuilder l = new StringBuilder();
            l.append(m.epoch() + 1).append(',').append(m.step()).append(',').append(num(m.trainLoss())).append(',')
                    .append(num(m.trainAccuracy()));
            for (double v : test.values()) {
                l.append(',').append(num(v));
            }
            l.append(',').append(num(m.learningRate())).append(',').append(String.format(Locale.ROOT, "%.3f", m.seconds()))
                    .append(',').append(String.format(Locale.ROOT, "%.1f", m.samplesPerSecond())).append('\n');
            Files.writeString(csv, l, StandardCharsets.UTF_8, StandardOpenOption.APPEND);

            JsonArray all = new JsonArray();
            if (Files.exists(json)) {
                JsonElement old = JsonParser.parseString(Files.readString(json, StandardCharsets.UTF_8));
                if (old.isJsonArray()) {
                    all = old.getAsJsonArray();
                }
            }
            JsonObject o = new JsonObject();
            o.addProperty("epoch", m.epoch() + 1);
            o.addProperty("step", m.step());
            o.addProperty("train_loss", m.trainLoss());
            o.addProperty("train_accuracy", m.trainAccuracy());
            JsonObject t = new JsonObject();
            test.forEach(t::addProperty);
            o.add("test_accuracy", t);
            o.addProperty("learning_rate", m.learningRate());
            o.addProperty("seconds", m.seconds());
            o.addProperty("samples_per_second", m.samplesPerSecond());
            all.add(o);
            Path tmp = json.resolveSibling(json.getFileName() + ".tmp");
            Files.writeString(tmp, GSON.toJson(all), StandardCharsets.UTF_8);
            Files.move(tmp, json, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            throw new TrainingException("cannot write metrics to " + csv.getParent() + ": " + e.getMessage(), e);
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}
