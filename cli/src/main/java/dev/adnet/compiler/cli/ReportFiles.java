package dev.adnet.compiler.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** An evaluation report on disk: {@code NAME.txt}, {@code NAME.csv} and the chart {@code NAME.png}. */
final class ReportFiles {
    private ReportFiles() {}

    /** Writes the three files into {@code dir} (created if missing); returns them. */
    static List<Path> write(Path dir, String name, String text, String csv, BufferedImage chart) throws IOException {
        Files.createDirectories(dir);
        Path txt = dir.resolve(name + ".txt");
        Path table = dir.resolve(name + ".csv");
        Path png = dir.resolve(name + ".png");
        Files.writeString(txt, text, StandardCharsets.UTF_8);
        Files.writeString(table, csv, StandardCharsets.UTF_8);
        ImageIO.write(chart, "png", png.toFile());
        return List.of(txt, table, png);
    }
}
