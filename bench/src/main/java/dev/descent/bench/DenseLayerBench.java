package dev.descent.bench;

import dev.descent.backend.Activation;
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
 * The three matrix products of one dense layer's training step, at MNIST MLP sizes: forward {@code
 * Y = X·Wᵀ} (matmulNT), weight gradient {@code dW = dYᵀ·X} (matmulTN), input gradient {@code dX =
 * dY·W} (matmul). Each is {@code 2·batch·in·out} flops. Plus the whole forward pass of a ReLU
 * layer, {@code Z = X·Wᵀ + b, A = relu(Z)}: fused ({@link Backend#dense}) and as the three separate
 * calls it replaces.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class DenseLayerBench {

    /** {@code scalar}, or {@code simd-N}: the SIMD backend on N threads. */
    @Param({"scalar", "simd-1", "simd-2"})
    public String backend;

    /** {@code in x out} of the layer. */
    @Param({"784x128", "128x10"})
    public String layer;

    @Param({"64"})
    public int batch;

    private Backend be;
    private int in, out;
    private float[] x, w, bias, y, a, dy, dw, dx;

    @Setup
    public void setUp() {
        be = Backs.create(backend);
        String[] s = layer.split("x");
        in = Integer.parseInt(s[0]);
        out = Integer.parseInt(s[1]);
        x = Backs.randoms(1, batch * in);
        w = Backs.randoms(2, out * in);
        dy = Backs.randoms(3, batch * out);
        bias = Backs.randoms(4, out);
        y = new float[batch * out];
        a = new float[batch * out];
        dw = new float[out * in];
        dx = new float[batch * in];
    }

    /** {@code Y[batch×out] = X[batch×in]·Wᵀ}, W stored out×in. */
    @Benchmark
    public float[] forward() {
        be.matmulNT(x, 0, w, 0, y, 0, batch, out, in, false);
        return y;
    }

    /** {@code Z = X·Wᵀ + b, A = relu(Z)} in one call: bias and ReLU in the product's epilogue. */
    @Benchmark
    public float[] forwardBiasRelu() {
        be.dense(Activation.RELU, x, 0, w, 0, bias, 0, y, 0, a, 0, batch, out, in);
        return a;
    }

    /** The same as {@link #forwardBiasRelu} in three passes: product, bias row, activation. */
    @Benchmark
    public float[] forwardBiasReluUnfused() {
        be.matmulNT(x, 0, w, 0, y, 0, batch, out, in, false);
        be.addRowVector(y, 0, batch, out, bias, 0);
        be.activate(Activation.RELU, y, 0, a, 0, batch * out);
        return a;
    }

    /** {@code dW[out×in] = dYᵀ·X}, dY stored batch×out. */
    @Benchmark
    public float[] weightGrad() {
        be.matmulTN(dy, 0, x, 0, dw, 0, out, in, batch, false);
        return dw;
    }

    /** {@code dX[batch×in] = dY·W}. */
    @Benchmark
    public float[] inputGrad() {
        be.matmul(dy, 0, w, 0, dx, 0, batch, in, out, false);
        return dx;
    }
}
