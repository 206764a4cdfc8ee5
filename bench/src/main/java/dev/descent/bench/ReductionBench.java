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
 * Reductions over n floats, and the bias helpers on a {@code 64×cols} batch ({@code cols = n /
 * 64}): whether the Vector API beats the JIT's auto-vectorised scalar loop.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ReductionBench {

    @Param({"scalar", "simd"})
    public String backend;

    /** 64·784 (a batch of MNIST inputs, L2-resident) and 4M (memory-bound). */
    @Param({"50176", "4194304"})
    public int n;

    private Backend be;
    private float[] a, b, rowSums;

    @Setup
    public void setUp() {
        be = Backs.create(backend.equals("simd") ? "simd-1" : backend);
        a = Backs.randoms(1, n);
        b = Backs.randoms(2, n);
        rowSums = new float[n / 64];
    }

    @Benchmark
    public float dot() {
        return be.dot(a, 0, b, 0, n);
    }

    @Benchmark
    public double sumSquares() {
        return be.sumSquares(a, 0, n);
    }

    @Benchmark
    public double sumAbs() {
        return be.sumAbs(a, 0, n);
    }

    @Benchmark
    public float maxAbs() {
        return be.maxAbs(a, 0, n);
    }

    /** Column sums of a {@code 64×(n/64)} matrix (the bias gradient). */
    @Benchmark
    public float[] sumRows() {
        be.sumRows(a, 0, 64, n / 64, rowSums, 0, false);
        return rowSums;
    }

    /** Adds a bias row to a {@code 64×(n/64)} matrix (a drifts by b per call; speed does not care). */
    @Benchmark
    public float[] addRowVector() {
        be.addRowVector(a, 0, 64, n / 64, b, 0);
        return a;
    }
}
