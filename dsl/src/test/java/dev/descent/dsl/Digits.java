package dev.descent.dsl;

import dev.descent.Shared;
import dev.descent.data.Csv;
import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.data.Standardizer;

/** The digits data set (shared/data/digits.csv), split by the benchmark convention and standardised; loaded once. */
public final class Digits {
    private static Dataset train, test;

    private Digits() {}

    public static synchronized Dataset train() {
        load();
        return train;
    }

    public static synchronized Dataset test() {
        load();
        return test;
    }

    private static void load() {
        if (train != null) return;
        Split split = Split.benchmark(Csv.load(Shared.data().resolve("digits.csv")));
        Standardizer std = Standardizer.fit(split.train());
        train = std.apply(split.train());
        test = std.apply(split.test());
    }
}
