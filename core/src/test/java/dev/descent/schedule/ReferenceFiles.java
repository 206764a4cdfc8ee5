package dev.descent.schedule;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads PyTorch's reference values from {@code shared/reference/} (see its README), found by walking
 * up from the working directory: the folder sits next to the repository root ({@code
 * <root>/../shared/reference}) or inside an ancestor ({@code <dir>/shared/reference}).
 */
public final class ReferenceFiles {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ReferenceFiles() {}

    /** The reference folder. */
    public static Path dir() {
        return dev.descent.Shared.reference();
    }

    public static Map<String, Object> read(String file) {
        try {
            return JSON.readValue(dir().resolve(file).toFile(), Map.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code cases} of one reference file. */
    @SuppressWarnings("unchecked")
    public static List<Map<String, Object>> cases(String file) {
        return (List<Map<String, Object>>) read(file).get("cases");
    }

    /** A JSON list of numbers as a double array. */
    public static double[] doubles(Object list) {
        return ((List<?>) list)
                .stream().mapToDouble(x -> ((Number) x).doubleValue()).toArray();
    }

    /** Whether {@code actual} is within {@code rel} of {@code expected} (relative, with a tiny absolute floor). */
    public static boolean close(double actual, double expected, double rel) {
        return Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-300 || actual == expected;
    }
}
