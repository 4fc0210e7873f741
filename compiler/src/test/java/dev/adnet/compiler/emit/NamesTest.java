package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {
    @Test
    void keepsJavaIdentifierCharactersIncludingUnicodeLetters() {
        assertThat(Names.identifier("größe")).isEqualTo("größe");
        assertThat(Names.identifier("日本")).isEqualTo("日本");
        assertThat(Names.identifier("conv_1")).isEqualTo("conv_1");
    }

    @Test
    void escapesOtherCharacters() {
        assertThat(Names.identifier("var-1")).isEqualTo("var_u002D1");
        assertThat(Names.identifier("1st")).isEqualTo("_u0031st");
        assertThat(Names.identifier("a$b")).isEqualTo("a_u0024b");
        assertThat(Names.identifier("x😀")).isEqualTo("x_u1F600");
        assertThat(Names.identifier("")).isEqualTo("_u");
    }

    @Test
    void reservedWordsGetATrailingUnderscore() {
        for (String k : new String[] {"class", "int", "new", "true", "null", "var", "record", "_", "yield", "goto"}) {
            assertThat(Names.identifier(k)).isEqualTo(k + "_");
        }
        assertThat(Names.identifier("Class")).isEqualTo("Class");
    }

    @Test
    void pathsJoinSegments() {
        assertThat(Names.path("trunk.conv1")).isEqualTo("trunk_conv1");
        assertThat(Names.path("layers.0.new")).isEqualTo("layers_0_new");
        assertThat(Names.path("new")).isEqualTo("new_");
        assertThat(Names.path("0.a")).isEqualTo("_u0030_a");
        assertThat(Names.constant("trunk.conv1")).isEqualTo("TRUNK_CONV1");
    }

    @Test
    void collisionsGetNumericSuffixesInClaimOrder() {
        Names.Scope s = new Names.Scope().reserve("batchSize");
        assertThat(s.claim("a_b")).isEqualTo("a_b");
        assertThat(s.claim(Names.path("a.b"))).isEqualTo("a_b_2");
        assertThat(s.claim("a_b")).isEqualTo("a_b_3");
        assertThat(s.claim("batchSize")).isEqualTo("batchSize_2");
        Names.Scope child = new Names.Scope(s);
        assertThat(child.claim("a_b")).isEqualTo("a_b_4");
        assertThat(s.contains("a_b_4")).isFalse();
    }
}
