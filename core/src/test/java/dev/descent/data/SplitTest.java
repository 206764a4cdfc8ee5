package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SplitTest {

    /** A data set whose only feature is the row index. */
    static Dataset indexed(int rows) {
        float[] x = new float[rows];
        for (int i = 0; i < rows; i++) x[i] = i;
        return Dataset.regression("rows", x, 1, x.clone(), 1);
    }

    @Test
    void benchmarkConventionOnTheSharedData() {
        Split cancer = Split.benchmark(Csv.load(SharedData.file("breast_cancer.csv")));
        assertEquals(456, cancer.train().rows());
        assertEquals(113, cancer.test().rows());
        assertEquals("breast_cancer.csv/train", cancer.train().name());
        assertEquals("breast_cancer.csv/test", cancer.test().name());
        assertEquals(2, cancer.test().classes());
        Split digits = Split.benchmark(Csv.load(SharedData.file("digits.csv")));
        assertEquals(1438, digits.train().rows());
        assertEquals(359, digits.test().rows());
    }

    @Test
    void benchmarkTakesEveryFifthRowFromRowFour() {
        Split s = Split.benchmark(indexed(12));
        assertArrayEquals(new float[] {4, 9}, s.test().x());
        assertArrayEquals(
                new float[] {0, 1, 2, 3, 5, 6, 7, 8, 10, 11}, s.train().x());
        assertThrows(IllegalArgumentException.class, () -> Split.benchmark(indexed(4)));
    }

    @Test
    void randomSplitIsSeededAndKeepsRowOrder() {
        Dataset d = indexed(100);
        Split a = Split.random(d, 0.25, 7), b = Split.random(d, 0.25, 7), c = Split.random(d, 0.25, 8);
        assertEquals(25, a.test().rows());
        assertEquals(75, a.train().rows());
        assertArrayEquals(a.test().x(), b.test().x());
        assertFalse(Arrays.equals(a.test().x(), c.test().x()));
        float[] all = new float[100];
        System.arraycopy(a.train().x(), 0, all, 0, 75);
        System.arraycopy(a.test().x(), 0, all, 75, 25);
        Arrays.sort(all);
        assertArrayEquals(d.x(), all); // a partition
        for (Dataset part : new Dataset[] {a.train(), a.test()})
            for (int i = 1; i < part.rows(); i++) assertTrue(part.x()[i - 1] < part.x()[i]);
        assertEquals(1, Split.random(indexed(3), 0.2, 1).test().rows()); // round(0.6)
        assertThrows(IllegalArgumentException.class, () -> Split.random(d, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> Split.random(d, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> Split.random(d, Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> Split.random(indexed(3), 0.1, 1)); // no test row
    }
}
