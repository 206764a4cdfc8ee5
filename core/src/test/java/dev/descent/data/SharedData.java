package dev.descent.data;

import java.nio.file.Path;

/** Finds the project's shared data folder ({@code shared/data}): {@code -Ddescent.data=...} or the nearest ancestor's. */
final class SharedData {

    static final Path DIR = find();

    private SharedData() {}

    static Path file(String name) {
        return DIR.resolve(name);
    }

    private static Path find() {
        return dev.descent.Shared.data();
    }
}
