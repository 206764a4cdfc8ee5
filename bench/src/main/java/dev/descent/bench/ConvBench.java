package dev.descent.bench;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.TrainingSession;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The layers of {@code ./descent cnn}'s network on a batch of 64, one at a time, at the shapes they
 * see there: {@code conv1} (1→16, 5×5 on 28×28), {@code pool1} (2×2 max-pool on 16×24×24), {@code
 * conv2} (16→32, 5×5 on 12×12), {@code pool2} (2×2 on 32×8×8); forward alone and forward + backward
 * (the first convolution computes no dx, as in the network). {@link #step} is the whole training
 * step of the network (forward, softmax cross-entropy, backward, SGD with momentum). Inputs are
 * ReLU-like (a third zeros, the rest uniform in (0, 1)), so the pools' comparisons see ties as on
 * real activations.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class ConvBench {

    /** {@code scalar}, or {@code simd-N}: the SIMD backend on N threads. */
    @Param({"scalar", "simd-1", "simd-2"})
    public String backend;

    @Param({"conv1", "pool1", "conv2", "pool2"})
    public String layer;

    @Param({"64"})
    public int batch;

    private Backend be;
    private Sequential model, cnn;
    private Sequential.Workspace ws;
    private TrainingSession session;
    private float[] params, grads, x, dy, dx, cnnX, labels;

    /** The layer under test, alone in a model over its input shape. */
    static Sequential layer(String name) {
        return switch (name) {
            case "conv1" -> Models.image(1, 28, 28).conv2d(16, 5).build();
            case "pool1" -> Models.image(16, 24, 24).maxPool2d(2).build();
            case "conv2" -> Models.image(16, 12, 12).conv2d(32, 5).build();
            case "pool2" -> Models.image(32, 8, 8).maxPool2d(2).build();
            default ->
                throw new IllegalArgumentException(
                        "unknown layer '" + name + "' (expected conv1, pool1, conv2 or pool2)");
        };
    }

    static float[] reluLike(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt(3) == 0 ? 0f : (float) r.nextDouble();
        return a;
    }

    @Setup
    public void setUp() {
        be = Backs.create(backend);
        model = layer(layer);
        ws = model.workspace(batch);
        params = model.initialParameters(42);
        grads = new float[params.length];
        x = reluLike(1, batch * model.inputs());
        dy = Backs.randoms(2, batch * model.outputs());
        dx = layer.equals("conv1") ? null : new float[batch * model.inputs()];
        cnn = Models.image(1, 28, 28)
                .conv2d(16, 5)
                .activation(Activation.RELU)
                .maxPool2d(2)
                .conv2d(32, 5)
                .activation(Activation.RELU)
                .maxPool2d(2)
                .flatten()
                .dense(10)
                .build();
        session = TrainingSession.open(
                be, cnn, Loss.softmaxCrossEntropy(), Optimizers.sgd(0.05).momentum(0.9), cnn.initialParameters(42));
        cnnX = reluLike(3, batch * 784);
        labels = new float[batch];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < batch; i++) labels[i] = r.nextInt(10);
    }

    @TearDown
    public void tearDown() {
        session.close();
    }

    /** The layer's forward pass over the batch. */
    @Benchmark
    public float[] forward() {
        return model.forward(be, params, x, batch, ws);
    }

    /** Forward, then backward into the gradient (and dx, except for conv1). */
    @Benchmark
    public float[] forwardBackward() {
        model.forward(be, params, x, batch, ws);
        model.backward(be, params, x, batch, ws, dy, grads, false, dx);
        return grads;
    }

    /** One training step of the whole network (the {@code layer} parameter does not matter here). */
    @Benchmark
    public double step() {
        double loss = session.accumulate(cnnX, labels, batch, 1f);
        session.step(0.01);
        return loss;
    }
}
