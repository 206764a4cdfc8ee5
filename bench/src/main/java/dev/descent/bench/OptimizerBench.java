package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.optim.Sgd;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One fused SGD-with-momentum (Nesterov, weight decay) step over a flat parameter buffer of 64M
 * floats: reads p, g, buf and writes p, buf (20 bytes of memory traffic per float, 1.25 GiB per
 * step), against {@link #axpy} (12 bytes per float).
 *
 * <p>{@code halvesOnTwoThreads} runs two JMH threads at once, each stepping its own buffer of half
 * the size: its time per operation against {@code step}'s says whether splitting one update over
 * both cores would pay (the memory bus, not the cores, bounds this loop).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-Xmx4g"})
public class OptimizerBench {

    /** The whole buffer for one thread. */
    @State(Scope.Thread)
    public static class Whole {
        @Param({"scalar", "simd"})
        public String backend;

        @Param({"67108864"})
        public int n;

        /** SGD with Nesterov momentum 0.9 and weight decay 1e-4 at lr 1e-3. */
        static final Sgd RULE = Sgd.lr(1e-3).momentum(0.9).nesterov().weightDecay(1e-4);

        Backend be;
        float[] p, g;
        Sgd.State buf;

        @Setup(Level.Trial)
        public void setUp() {
            be = Backs.create(backend.equals("simd") ? "simd-1" : backend);
            allocate(n);
        }

        void allocate(int len) {
            p = Backs.randoms(1, len);
            g = Backs.randoms(2, len);
            buf = new Sgd.State(new float[len]);
        }
    }

    /** Half of the buffer, one per JMH thread. */
    @State(Scope.Thread)
    public static class Half extends Whole {
        @Override
        @Setup(Level.Trial)
        public void setUp() {
            be = Backs.create(backend.equals("simd") ? "simd-1" : backend);
            allocate(n / 2);
        }
    }

    @Benchmark
    public float[] step(Whole s) {
        s.be.sgdUpdate(Whole.RULE, s.buf, s.p, s.g, s.p.length, 1e-3f, 0.9f, false);
        return s.p;
    }

    /**
     * {@code p += 1e-3·g} over the same buffer (reads 2, writes 1 array of n floats): the bandwidth
     * a BLAS saxpy would get, as the yardstick of {@link #step}.
     */
    @Benchmark
    public float[] axpy(Whole s) {
        s.be.axpy(1e-3f, s.g, 0, s.p, 0, s.p.length);
        return s.p;
    }

    @Benchmark
    @Threads(2)
    public float[] halvesOnTwoThreads(Half s) {
        s.be.sgdUpdate(Whole.RULE, s.buf, s.p, s.g, s.p.length, 1e-3f, 0.9f, false);
        return s.p;
    }
}
