package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine;

/** Runs an example command and checks the files it wrote. */
final class Outputs {
    private Outputs() {}

    /** Runs the command with these arguments; asserts exit code 0. */
    static <T extends Callable<Integer>> T run(T command, String... args) {
        int code = new CommandLine(command).execute(args);
        assertEquals(0, code, "exit code of " + command.getClass().getSimpleName());
        return command;
    }

    /** The PNG exists, decodes, and has this size. */
    static void png(Path file, int width, int height) throws IOException {
        assertTrue(Files.size(file) > 1000, file + " is (nearly) empty");
        BufferedImage img = ImageIO.read(file.toFile());
        assertNotNull(img, file + " does not decode as an image");
        assertEquals(width, img.getWidth(), file + " width");
        assertEquals(height, img.getHeight(), file + " height");
    }

    /** The CSV has this header and at least {@code minRows} records; returns its lines. */
    static List<String> csv(Path file, String header, int minRows) throws IOException {
        List<String> lines = Files.readAllLines(file);
        assertEquals(header, lines.get(0), file + " header");
        assertTrue(lines.size() - 1 >= minRows, file + ": " + (lines.size() - 1) + " rows, expected >= " + minRows);
        return lines;
    }
}
