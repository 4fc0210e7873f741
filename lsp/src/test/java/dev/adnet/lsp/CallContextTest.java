package dev.adnet.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CallContextTest {
    private static CallContext at(String before) {
        return CallContext.at(before + "<rest of the file)", before.length());
    }

    @Test
    void findsTheCallAndTheArgument() {
        assertThat(at("  h = x -> conv(16, 3, str")).isEqualTo(new CallContext("conv", 2, false, false));
        assertThat(at("  h = x -> gate(")).extracting(CallContext::callee, CallContext::argument).containsExactly("gate", 0);
        assertThat(at("  e = x -> exit early(we").callee()).isEqualTo("exit");
        // Brackets inside the call and in strings or comments do not count; a grouping parenthesis is skipped.
        assertThat(at("conv(f(1, 2), [3, 4], \"(,\" /* ( */, ").argument()).isEqualTo(3);
        assertThat(at("y = (x -> dense(4)) + (").call()).isEmpty();
        assertThat(at("y = x -> dense(4) -> ").call()).isEmpty();
    }

    @Test
    void knowsATrainSectionAndTheStartOfALine() {
        assertThat(at("network N {\n  train {\n    loss cross_entropy(y)\n    opt")).isEqualTo(new CallContext(null, 0, true, true));
        assertThat(at("network N {\n  train {\n    loss cross_")).extracting(CallContext::inTrain, CallContext::lineStart)
                .containsExactly(true, false);
        assertThat(at("network N {\n  h").inTrain()).isFalse();
    }
}
