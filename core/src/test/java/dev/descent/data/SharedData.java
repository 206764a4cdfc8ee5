package dev.descent.data;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the project's shared data folder ({@code shared/data}): {@code -Ddescent.data=...} or the nearest ancestor's. */
final class SharedData {

    static final Path DIR = find();

    private SharedData() {}

    static Path file(String name) {
        return DIR.resolve(name);
    }

    private static Path find() {
        String property = System.getProperty("descent.data");
        if (property != null) return Path.of(property);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("data");
            if (Files.isRegularFile(candidate.resolve("breast_cancer.csv"))) return candidate;
        }
        throw new IllegalStateException(
                "shared/data not found above " + Path.of("").toAbsolutePath() + "; set -Ddescent.data=<folder>");
    }
}
