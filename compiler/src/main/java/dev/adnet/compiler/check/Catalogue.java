package dev.adnet.compiler.check;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What the language offers by name, for editors: the built-in layers with their parameters, defaults and a line of
 * documentation, the options of the adaptive constructs, and the train settings. It reads the checker's own tables,
 * so completion and hover never drift from what the checker accepts.
 */
public final class Catalogue {
    private Catalogue() {}

    /** A parameter of a layer or construct; {@code defaultText} is null when it is required. */
    public record Parameter(String name, String type, String defaultText) {
        public String label() {
            return name + ": " + type + (defaultText == null ? "" : " = " + defaultText);
        }
    }

    /** A layer or construct signature. */
    public record Signature(String name, List<Parameter> params, String doc) {
        public Signature {
            params = List.copyOf(params);
        }

        public String label() {
            return name + "(" + String.join(", ", params.stream().map(Parameter::label).toList()) + ")";
        }
    }

    private static final Map<String, String> LAYER_DOCS = Map.ofEntries(
            Map.entry("conv", "2-D convolution of a [C, H, W] tensor: `channels` filters of kernel x kernel; padding \"same\" keeps H and W at stride 1."),
            Map.entry("dense", "Fully connected layer of a vector: `units` outputs."),
            Map.entry("batchnorm", "Batch normalisation over the channels (images) or features (vectors), with running statistics."),
            Map.entry("layernorm", "Layer normalisation over the last dimension."),
            Map.entry("relu", "max(x, 0), elementwise."),
            Map.entry("gelu", "Gaussian error linear unit, elementwise."),
            Map.entry("sigmoid", "1 / (1 + exp(-x)), elementwise."),
            Map.entry("tanh", "Hyperbolic tangent, elementwise."),
            Map.entry("softmax", "Softmax over the last dimension."),
            Map.entry("max_pool", "Maximum over kernel x kernel windows; stride 0 means the kernel size."),
            Map.entry("avg_pool", "Average over kernel x kernel windows; stride 0 means the kernel size."),
            Map.entry("global_avg_pool", "Average of each channel over H and W: [C, H, W] -> [C]."),
            Map.entry("flatten", "Any tensor to a vector of its elements."),
            Map.entry("dropout", "Zeroes each element with probability `rate` in training; the identity at inference."),
            Map.entry("concat", "Concatenates tensors along the first (channel) dimension: concat(a, b)."),
            Map.entry("projection", "A residual shortcut that changes shape: 1x1 convolution to `channels` with `stride`, then batchnorm."));

    /** Built once: the index looks a layer up for every name it resolves. */
    private static final Map<String, Signature> LAYERS = layerTable();

    private static Map<String, Signature> layerTable() {
        Map<String, Signature> all = new LinkedHashMap<>();
        for (String name : Layers.names()) {
            all.put(name, new Signature(name, params(Layers.get(name).params()), LAYER_DOCS.getOrDefault(name, "")));
        }
        return Collections.unmodifiableMap(all);
    }

    /** Every built-in layer, in the checker's order. */
    public static List<Signature> layers() {
        return List.copyOf(LAYERS.values());
    }

    public static Optional<Signature> layer(String name) {
        return Optional.ofNullable(LAYERS.get(name));
    }

    /** The options of {@code gate(...)}, {@code residual(...)} and {@code exit name(...)}. */
    public static List<Signature> constructs() {
        return List.of(
                new Signature("gate", params(GatedStage.PARAMS),
                        "gate(options) residual F: decides per input whether to run F (a Gumbel-softmax gate head)."),
                new Signature("residual", List.of(new Parameter("shortcut", "a stage", "identity")),
                        "residual F is x + F(x); a shape-changing F needs shortcut = projection(c, stride = s)."),
                new Signature("exit", params(ExitStage.PARAMS),
                        "exit name(options) when policy { head }: a classifier head where confident samples leave the batch. "
                                + "Policies: confidence > t, entropy < t, patience(k), budget(b)."));
    }

    public static Optional<Signature> construct(String name) {
        return constructs().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The keys a {@code train} section accepts, sorted. */
    public static List<String> trainSettings() {
        return List.copyOf(new TreeSet<>(TrainChecker.SETTINGS));
    }

    private static List<Parameter> params(List<Args.Param> params) {
        return params.stream().map(p -> new Parameter(p.name(), typeName(p.type()),
                p.defaultValue() == null ? null : text(p.defaultValue()))).toList();
    }

    private static String typeName(Args.Type t) {
        return switch (t) {
            case INT -> "int";
            case FLOAT -> "float";
            case BOOL -> "bool";
            case STRING -> "string";
            case INT_OR_STRING -> "int | string";
            case LIST -> "list";
            case STAGE -> "stage";
            case ANY -> "any";
        };
    }

    /** A value as source text: {@code 1}, {@code 0.1}, {@code "same"}, {@code true}. */
    static String text(Val v) {
        if (v instanceof Val.Num n) {
            return n.text();
        } else if (v instanceof Val.Str s) {
            return "\"" + s.value() + "\"";
        } else if (v instanceof Val.Bool b) {
            return Boolean.toString(b.value());
        } else if (v instanceof Val.ListV l) {
            return "[" + String.join(", ", l.items().stream().map(Catalogue::text).toList()) + "]";
        } else if (v instanceof Val.Tensor t) {
            return "tensor " + t.value().shapeText();
        } else if (v instanceof Val.Callable c) {
            return (c.layer() != null ? "layer " : "block ") + c.name();
        } else if (v instanceof Val.StageV) {
            return "a stage";
        }
        return "?";
    }
}
