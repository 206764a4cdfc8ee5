package dev.descent.data;

import java.util.SplittableRandom;

/**
 * A training set and a test set. Both splits below are deterministic and keep the rows in their
 * original order within each part; the parts are named {@code <name>/train} and {@code <name>/test}.
 */
public record Split(Dataset train, Dataset test) {

    /**
     * The shared data's benchmark convention: row i (0-based) is a test row iff {@code i % 5 == 4}.
     * Needs at least 5 rows.
     */
    public static Split benchmark(Dataset data) {
        boolean[] test = new boolean[data.rows()];
        for (int i = 4; i < test.length; i += 5) test[i] = true;
        return of(data, test);
    }

    /**
     * A random split: {@code round(testFraction × rows)} rows, drawn with {@link SplittableRandom}
     * from {@code seed}, are test rows. Both parts must be non-empty.
     */
    public static Split random(Dataset data, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1))
            throw new IllegalArgumentException("testFraction must be in (0, 1), got " + testFraction);
        int n = data.rows();
        long tests = Math.round(testFraction * n);
        int[] order = new int[n];
        Batches.shuffle(order, new SplittableRandom(seed));
        boolean[] test = new boolean[n];
        for (int i = 0; i < tests; i++) test[order[i]] = true;
        return of(data, test);
    }

    private static Split of(Dataset data, boolean[] isTest) {
        int tests = 0;
        for (boolean t : isTest) if (t) tests++;
        if (tests == 0 || tests == isTest.length)
            throw new IllegalArgumentException(data + ": the split leaves " + tests + " test rows of " + isTest.length
                    + "; both parts need at least one row");
        int[] train = new int[isTest.length - tests], test = new int[tests];
        for (int i = 0, a = 0, b = 0; i < isTest.length; i++)
            if (isTest[i]) test[b++] = i;
            else train[a++] = i;
        return new Split(data.select(train, data.name() + "/train"), data.select(test, data.name() + "/test"));
    }
}
