package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * {@code out = input + z * delta}: a share unit's output (what the emitter runs for a {@link ShareUnit}), with
 * {@code delta} the unit's result minus its input and {@code z} the task's {@link TaskPolicy} decision.
 */
public record PolicyMix(Value input, Value delta, Value policy, Value out, String path, Span origin) implements Op {
    @Override
    public List<Value> inputs() {
        return List.of(input, delta, policy);
    }

    @Override
    public String kind() {
        return "policy_mix";
    }
}
