package dev.adnet.compiler.cli;

import dev.adnet.runtime.AdaptiveUnit;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.data.DataLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * What the reports say about one kind of adaptive unit: its section of {@code adnet eval} (and of the end of {@code
 * adnet train}) and its part of each line of {@code adnet predict}. The commands ask the network for its units and
 * run the evaluation of each kind it has, in the order of {@link #ALL}; a new construct adds its evaluation there.
 */
interface UnitEvaluation {
    /** Every kind's evaluation, in the order their sections are printed. */
    List<UnitEvaluation> ALL = List.of(new ExitEvaluation(), new GateEvaluation());

    /** The evaluations of the kinds of unit {@code net} has, in report order. */
    static List<UnitEvaluation> of(Network net) {
        return ALL.stream().filter(e -> net.units().stream().anyMatch(u -> u.kind() == e.kind())).toList();
    }

    AdaptiveUnit.Kind kind();

    /** The units' name in a heading, plural: {@code gates}. */
    String title();

    /** What {@code adnet eval} says before the section (a setting the user should know about); nothing by default. */
    default void notes(LoadedNetwork loaded, PrintWriter out) {}

    /** Evaluates the units on the loader's images, prints the section and writes its report files into {@code dir}. */
    void run(LoadedNetwork loaded, DataLoader loader, String output, Path dir, PrintWriter out) throws IOException;

    /** This kind's part of sample {@code n}'s trace in {@code adnet predict}, e.g. {@code exit early}. */
    String trace(Network net, Prediction p, int n);
}
