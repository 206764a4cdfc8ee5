package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StandardizerTest {

    @Test
    void handExample() {
        // columns: 1..4, constant 7, {-2, 2, -2, 2}
        float[] x = {1, 7, -2, 2, 7, 2, 3, 7, -2, 4, 7, 2};
        Dataset d = Dataset.regression("hand", x, 3, new float[] {0, 1, 2, 3}, 1);
        Standardizer s = Standardizer.fit(d);
        assertArrayEquals(new double[] {2.5, 7, 0}, s.mean());
        assertArrayEquals(new double[] {Math.sqrt(1.25), 1, 2}, s.scale(), 1e-15);
        Dataset t = s.apply(d);
        float a = (float) (1.5 / Math.sqrt(1.25)), b = (float) (0.5 / Math.sqrt(1.25));
        assertArrayEquals(new float[] {-a, 0, -1, -b, 0, 1, b, 0, -1, a, 0, 1}, t.x());
        assertSame(d.y(), t.y());
        assertEquals(3, s.features());
    }

    @Test
    void trainColumnsGetMeanZeroAndStdOneAndTestUsesTrainStatistics() {
        for (String file : new String[] {"breast_cancer.csv", "digits.csv"}) {
            Split split = Split.benchmark(Csv.load(SharedData.file(file)));
            Standardizer s = Standardizer.fit(split.train());
            Dataset train = s.apply(split.train());
            int n = train.rows(), f = train.features(), constant = 0;
            for (int c = 0; c < f; c++) {
                double sum = 0, squares = 0;
                for (int r = 0; r < n; r++) sum += train.x()[r * f + c];
                for (int r = 0; r < n; r++) squares += Math.pow(train.x()[r * f + c] - sum / n, 2);
                assertEquals(0, sum / n, 1e-6, file + " column " + c);
                if (s.scale()[c] == 1 && squares == 0) constant++;
                else assertEquals(1, Math.sqrt(squares / n), 1e-5, file + " column " + c);
            }
            // digits: pixel_0_0, pixel_4_0 and pixel_4_7 are always 0
            assertEquals(file.equals("digits.csv") ? 3 : 0, constant, file);

            Dataset test = s.apply(split.test());
            float raw = split.test().x()[5], expected = (float) ((raw - s.mean()[5]) / s.scale()[5]);
            assertEquals(expected, test.x()[5]);
        }
        // python3 statistics.fmean / pstdev of mean_radius over the benchmark train rows, in float64;
        // Descent reads the values as float32 first, hence the tolerance
        Standardizer s = Standardizer.fit(
                Split.benchmark(Csv.load(SharedData.file("breast_cancer.csv"))).train());
        assertEquals(14.198973684210527, s.mean()[0], 1e-6);
        assertEquals(3.575227992265095, s.scale()[0], 1e-6);
    }

    @Test
    void widthMismatchNamesBothWidths() {
        Standardizer s = Standardizer.fit(Dataset.regression("a", new float[] {1, 2, 3, 4}, 2, new float[] {0, 0}, 1));
        Dataset other = Dataset.regression("b", new float[] {1, 2, 3}, 3, new float[] {0}, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> s.apply(other));
        assertEquals(
                "b (1 rows × 3 features, 1 targets) has 3 features, but this standardizer was fitted on 2",
                e.getMessage());
    }
}
