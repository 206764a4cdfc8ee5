package dev.descent.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ceiling of one core for the products: twelve independent chains of vector FMAs on the
 * preferred species, no loads. GFLOP/s = {@code 2 · 12 · lanes · STEPS / time}: with the score in
 * µs per call, {@code 24 · lanes · 1e6 / (1000 · score)} for {@link #STEPS} = 1e6. On the 2-core
 * Zen 4 guest (16 lanes, each 512-bit FMA issued as two 256-bit halves) it measured 117 GFLOP/s, so
 * a product there at 100 GFLOP/s runs at 85 % of what the core can do.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class FmaPeakBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** FMA steps of each chain per call. */
    static final int STEPS = 1_000_000;

    /** Kept small and non-zero so the chains stay normal floats (they converge to b / (1 − c)). */
    public float b = 1e-3f, c = 0.5f;

    /** 24 · lanes · STEPS floating-point operations; returns their sum so nothing is dropped. */
    @Benchmark
    public float fma() {
        var vb = FloatVector.broadcast(S, b);
        var vc = FloatVector.broadcast(S, c);
        var a0 = vb;
        var a1 = vb.add(1f);
        var a2 = vb.add(2f);
        var a3 = vb.add(3f);
        var a4 = vb.add(4f);
        var a5 = vb.add(5f);
        var a6 = vb.add(6f);
        var a7 = vb.add(7f);
        var a8 = vb.add(8f);
        var a9 = vb.add(9f);
        var a10 = vb.add(10f);
        var a11 = vb.add(11f);
        for (int i = 0; i < STEPS; i++) {
            a0 = a0.fma(vc, vb);
            a1 = a1.fma(vc, vb);
            a2 = a2.fma(vc, vb);
            a3 = a3.fma(vc, vb);
            a4 = a4.fma(vc, vb);
            a5 = a5.fma(vc, vb);
            a6 = a6.fma(vc, vb);
            a7 = a7.fma(vc, vb);
            a8 = a8.fma(vc, vb);
            a9 = a9.fma(vc, vb);
            a10 = a10.fma(vc, vb);
            a11 = a11.fma(vc, vb);
        }
        return a0.add(a1)
                .add(a2)
                .add(a3)
                .add(a4)
                .add(a5)
                .add(a6)
                .add(a7)
                .add(a8)
                .add(a9)
                .add(a10)
                .add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
