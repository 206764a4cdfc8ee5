package dev.descent.examples;

import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Idx;
import dev.descent.data.Split;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The data sets shipped inside the examples (gzip-compressed resources under {@code
 * dev/descent/examples/data/}, origin and licence in the README beside them): MNIST-10k and the
 * Wisconsin breast-cancer data. The core loaders read files, so each resource is copied (still
 * compressed) into a temporary folder, loaded (they decompress transparently) and deleted.
 */
public final class EmbeddedData {

    private static final String ROOT = "data/";
    private static final String[] MNIST_FILES = {
        "train-images.idx3-ubyte.gz",
        "train-labels.idx1-ubyte.gz",
        "test-images.idx3-ubyte.gz",
        "test-labels.idx1-ubyte.gz"
    };

    private EmbeddedData() {}

    /** MNIST-10k: 8,000 training and 2,000 test digits, 28×28 pixels in [0, 1], labels 0–9. */
    public static Split mnist10k() {
        return withCopies(dir -> Idx.mnist(dir), prefixed("mnist10k/", MNIST_FILES));
    }

    /**
     * The breast-cancer data (569 rows × 30 raw features, label 0 = malignant, 1 = benign), as one
     * data set; {@code Split.benchmark} gives the shared 456/113 split.
     */
    public static Dataset breastCancer() {
        return withCopies(dir -> Csv.load(dir.resolve("breast_cancer.csv.gz")), "breast_cancer.csv.gz");
    }

    private interface Load<T> {
        T from(Path dir);
    }

    private static String[] prefixed(String prefix, String[] names) {
        String[] out = new String[names.length];
        for (int i = 0; i < names.length; i++) out[i] = prefix + names[i];
        return out;
    }

    private static <T> T withCopies(Load<T> load, String... resources) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("descent-data");
            for (String r : resources) {
                try (InputStream in = EmbeddedData.class.getResourceAsStream(ROOT + r)) {
                    if (in == null)
                        throw new IllegalStateException("embedded data set missing from the class path: " + r);
                    Files.copy(in, dir.resolve(Path.of(r).getFileName()));
                }
            }
            return load.from(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the embedded data: " + e.getMessage(), e);
        } finally {
            if (dir != null) deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}
