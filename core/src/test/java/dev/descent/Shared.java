package dev.descent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The project's shared folder ({@code ../shared} beside the repository): real data sets and
 * PyTorch's reference numbers. {@code -Ddescent.shared=DIR} overrides the search.
 */
public final class Shared {
    private Shared() {}

    /** {@code shared/data}. */
    public static Path data() {
        String property = System.getProperty("descent.data");
        return property != null ? Path.of(property) : root().resolve("data");
    }

    /** {@code shared/reference}. */
    public static Path reference() {
        return root().resolve("reference");
    }

    /**
     * The reference files whose every case the runner implements today on every backend (scalar,
     * simd and gpu), by name. A file describing features still to come joins this list when they
     * are implemented; until then its cases are reported "unsupported" or fail.
     */
    public static final List<String> IMPLEMENTED_REFERENCE_FILES = List.of(
            "adaptive_trajectories.json",
            "averaging.json",
            "clipping.json",
            "layers.json",
            "losses.json",
            "losses_more.json",
            "mlp.json",
            "more_optimizers.json",
            "param_groups.json",
            "schedules.json",
            "sgd_trajectories.json");

    /** {@link #IMPLEMENTED_REFERENCE_FILES} in {@code shared/reference}. */
    public static List<Path> implementedReferenceFiles() {
        return IMPLEMENTED_REFERENCE_FILES.stream().map(reference()::resolve).toList();
    }

    /** The nearest {@code shared} folder beside or inside the working directory or one of its parents. */
    public static Path root() {
        String property = System.getProperty("descent.shared");
        if (property != null) return Path.of(property);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared");
            if (Files.isDirectory(candidate.resolve("reference")) && Files.isDirectory(candidate.resolve("data")))
                return candidate;
        }
        throw new IllegalStateException("no shared/ folder (with data/ and reference/) above "
                + Path.of("").toAbsolutePath() + "; set -Ddescent.shared=<folder>");
    }
}
