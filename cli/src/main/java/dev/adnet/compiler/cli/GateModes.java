package dev.adnet.compiler.cli;

import dev.adnet.runtime.GateMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.adaptive.GateUnit;
import dev.adnet.runtime.loop.LoopUnit;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;

/** {@code --gate-mode}: the gate mode of a network's gates, found through its units (gated blocks and gated loops). */
final class GateModes {
    private GateModes() {}

    /** Sets mode {@code name} on every gate of {@code net}; says why not on {@code err} and returns false otherwise. */
    static boolean set(Network net, String name, PrintWriter err) {
        GateMode mode = Arrays.stream(GateMode.values()).filter(m -> m.name().toLowerCase(Locale.ROOT).equals(name))
                .findFirst().orElse(null);
        if (mode == null) {
            err.println("adnet: --gate-mode is adaptive, all_open or mask, not '" + name + "'");
            return false;
        }
        boolean gates = !net.units(GateUnit.class).isEmpty() || net.units(LoopUnit.class).stream().anyMatch(LoopUnit::gated);
        if (!gates) {
            err.println("adnet: --gate-mode applies to networks with gates (gated blocks or gated loops); '" + net.name()
                    + "' has none");
            return false;
        }
        GateUnit.mode(net, mode);
        return true;
    }
}
