package dev.descent.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sparse kernels of {@link SimdBackend}, split over threads (rows for the product, column ranges
 * for the gradient scatter; batches of 2^17 non-zeros and more), give the bits of the one-thread
 * reference, and equal the dense product
 * on the densified rows.
 */
class SparseKernelsTest {

    @ParameterizedTest
    @CsvSource({"3, 1, 5, 7", "64, 1, 1000, 400", "64, 3, 5000, 300", "17, 2, 40000, 1200", "160, 2, 60000, 1000"})
    void splitKernelsEqualTheReference(int rows, int outputs, int inputs, int perRow) {
        SplittableRandom r = new SplittableRandom(rows * 31L + inputs);
        int[] rowStart = new int[rows + 1];
        int[] cols = new int[rows * perRow];
        float[] vals = new float[cols.length];
        for (int i = 0, k = 0; i < rows; i++) {
            for (int c : r.ints(0, inputs)
                    .distinct()
                    .limit(Math.min(perRow, inputs))
                    .sorted()
                    .toArray()) {
                cols[k] = c;
                vals[k++] = (float) r.nextGaussian();
            }
            rowStart[i + 1] = k;
        }
        float[] w = new float[3 + outputs * inputs], bias = new float[outputs + 2], dz = new float[1 + rows * outputs];
        for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
        for (int i = 0; i < bias.length; i++) bias[i] = (float) r.nextGaussian();
        for (int i = 0; i < dz.length; i++) dz[i] = (float) r.nextGaussian();
        Backend reference = new ScalarBackend();
        float[] zRef = new float[rows * outputs], gRef = new float[2 + outputs * inputs];
        reference.sparseLinear(rowStart, cols, vals, rows, w, 3, inputs, bias, 2, zRef, 0, outputs);
        reference.sparseWeightGradient(dz, 1, outputs, rowStart, cols, vals, rows, gRef, 2, inputs);
        for (int threads = 1; threads <= 3; threads++) {
            Backend simd = new SimdBackend(threads);
            float[] z = new float[zRef.length], g = new float[gRef.length];
            simd.sparseLinear(rowStart, cols, vals, rows, w, 3, inputs, bias, 2, z, 0, outputs);
            simd.sparseWeightGradient(dz, 1, outputs, rowStart, cols, vals, rows, g, 2, inputs);
            assertArrayEquals(zRef, z, threads + " threads: product");
            assertArrayEquals(gRef, g, threads + " threads: gradient");
        }
        // the dense product and gradient of the densified rows, in double
        for (int i = 0; i < rows; i++)
            for (int o = 0; o < outputs; o++) {
                double sum = bias[2 + o];
                for (int k = rowStart[i]; k < rowStart[i + 1]; k++)
                    sum += (double) vals[k] * w[3 + o * inputs + cols[k]];
                assertEquals(sum, zRef[i * outputs + o], 1e-5 * (1 + Math.abs(sum)) * Math.sqrt(perRow));
            }
        double[] g = new double[outputs * inputs];
        for (int i = 0; i < rows; i++)
            for (int o = 0; o < outputs; o++)
                for (int k = rowStart[i]; k < rowStart[i + 1]; k++)
                    g[o * inputs + cols[k]] += (double) dz[1 + i * outputs + o] * vals[k];
        for (int i = 0; i < g.length; i++) assertEquals(g[i], gRef[2 + i], 1e-5 * (1 + Math.abs(g[i])) * rows);
    }
}
