package dev.adnet.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adnet.compiler.check.Catalogue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The VS Code grammar (editors/vscode) stays in step with the ANTLR grammar's keywords and the checker's layers. */
class TextMateGrammarTest {
    private static final Path G4 = Path.of("../grammar/src/main/antlr4/dev/adnet/grammar/Adnet.g4");
    private static final Path TM = Path.of("../editors/vscode/syntaxes/adnet.tmLanguage.json");

    /** The lexer's keyword rules: {@code IMPORT : 'import';}. */
    static Set<String> antlrKeywords() throws IOException {
        Set<String> words = new TreeSet<>();
        Matcher m = Pattern.compile("(?m)^[A-Z_]+\\s*:\\s*'([a-z_]+)'\\s*;").matcher(Files.readString(G4));
        while (m.find()) {
            words.add(m.group(1));
        }
        return words;
    }

    /** The words of the alternations {@code \b(a|b|c)\b} in the grammar's named repository entries. */
    static Set<String> textMateWords(String... entries) throws IOException {
        JsonObject repository = JsonParser.parseString(Files.readString(TM)).getAsJsonObject().getAsJsonObject("repository");
        Set<String> words = new TreeSet<>();
        for (String entry : entries) {
            collect(repository.get(entry), words);
        }
        return words;
    }

    private static void collect(JsonElement e, Set<String> words) {
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("match")) {
                Matcher m = Pattern.compile("\\\\b\\(([a-z_|]+)\\)\\\\b").matcher(o.get("match").getAsString());
                while (m.find()) {
                    words.addAll(Set.of(m.group(1).split("\\|")));
                }
            }
            if (o.has("patterns")) {
                o.getAsJsonArray("patterns").forEach(p -> collect(p, words));
            }
        }
    }

    @Test
    void keywordsAreTheLexersKeywords() throws IOException {
        Set<String> antlr = antlrKeywords();
        assertThat(antlr).contains("import", "gate", "residual", "fixedpoint", "true", "false").hasSizeGreaterThan(20);
        assertThat(textMateWords("keywords", "constants")).isEqualTo(antlr);
    }

    @Test
    void layerNamesAreTheCheckersLayers() throws IOException {
        Set<String> layers = new TreeSet<>();
        Catalogue.layers().forEach(l -> layers.add(l.name()));
        assertThat(textMateWords("layers")).isEqualTo(layers);
    }
}
