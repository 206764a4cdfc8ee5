package com.example;

import dev.descent.data.Csv;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Wisconsin breast-cancer data shipped with this project ({@code src/main/resources/data}, origin
 * and licence in the README beside it): 569 tumours, 30 features, label 0 = malignant, 1 = benign.
 */
public final class BreastCancer {

    private BreastCancer() {}

    /**
     * Rows {@code i % 5 == 4} are the test set (456 train / 113 test), features standardized with
     * the training rows' mean and standard deviation.
     */
    public static Split standardized() {
        Split split = Split.benchmark(Csv.load(resource("/data/breast_cancer.csv")));
        Standardizer standardizer = Standardizer.fit(split.train());
        return new Split(standardizer.apply(split.train()), standardizer.apply(split.test()));
    }

    /** A class-path resource as a Path: a file under target/classes, or an entry of the running jar. */
    static Path resource(String name) {
        var url = BreastCancer.class.getResource(name);
        if (url == null) throw new IllegalStateException("resource " + name + " is not on the class path");
        try {
            URI uri = url.toURI();
            if (uri.getScheme().equals("jar")) {
                try {
                    FileSystems.newFileSystem(uri, Map.of());
                } catch (FileSystemAlreadyExistsException alreadyOpen) {
                    // opened by an earlier call
                }
            }
            return Path.of(uri);
        } catch (URISyntaxException | IOException e) {
            throw new UncheckedIOException(new IOException("cannot open resource " + name + ": " + e, e));
        }
    }
}
