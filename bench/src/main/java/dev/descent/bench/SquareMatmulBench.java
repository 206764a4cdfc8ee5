package dev.descent.bench;

import dev.descent.backend.Backend;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Square products {@code n×n·n×n} ({@code 2n³} flops) in the three layouts. The scalar backend takes
 * seconds per 1024² product and about sixteen per 2048², so it runs at 1024 only: its set-up refuses
 * larger sizes (JMH reports that case as failed and goes on).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class SquareMatmulBench {

    /** {@code scalar}, or {@code simd-N}: the SIMD backend on N threads. */
    @Param({"scalar", "simd-1", "simd-2"})
    public String backend;

    @Param({"1024", "2048"})
    public int size;

    @Param({"NN", "TN", "NT"})
    public String layout;

    private Backend be;
    private float[] a, b, c;

    @Setup
    public void setUp() {
        if (backend.equals("scalar") && size > 1024)
            throw new IllegalStateException("not run: the scalar backend takes ~16 s per product at " + size);
        be = Backs.create(backend);
        a = Backs.randoms(1, size * size);
        b = Backs.randoms(2, size * size);
        c = new float[size * size];
    }

    @Benchmark
    public float[] product() {
        int n = size;
        switch (layout) {
            case "NN" -> be.matmul(a, 0, b, 0, c, 0, n, n, n, false);
            case "TN" -> be.matmulTN(a, 0, b, 0, c, 0, n, n, n, false);
            case "NT" -> be.matmulNT(a, 0, b, 0, c, 0, n, n, n, false);
            default -> throw new IllegalArgumentException("layout " + layout);
        }
        return c;
    }
}
