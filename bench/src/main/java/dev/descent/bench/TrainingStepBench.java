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
 * One whole training step of the MNIST MLP 784-128(ReLU)-10 on a batch of 64: forward, softmax
 * cross-entropy, backward into the flat gradient, SGD (lr 0.1, momentum 0.9) over the flat
 * parameter buffer — what {@code descent bench} repeats, without the batch copying. Inputs are
 * random pixels in [0, 1) and random labels (speed does not depend on the values).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class TrainingStepBench {

    /** {@code scalar}, or {@code simd-N}: the SIMD backend on N threads. */
    @Param({"scalar", "simd-1", "simd-2"})
    public String backend;

    @Param({"64"})
    public int batch;

    private TrainingSession session;
    private float[] x, y;

    @Setup
    public void setUp() {
        Backend be = Backs.create(backend);
        Sequential model = Models.mlp(784).dense(128, Activation.RELU).dense(10).build();
        session = TrainingSession.open(
                be, model, Loss.softmaxCrossEntropy(), Optimizers.sgd(0.1).momentum(0.9), model.initialParameters(42));
        SplittableRandom r = new SplittableRandom(7);
        x = new float[batch * 784];
        y = new float[batch];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        for (int i = 0; i < batch; i++) y[i] = r.nextInt(10);
    }

    @TearDown
    public void tearDown() {
        session.close();
    }

    /** Forward + backward + optimizer update; returns the batch loss. */
    @Benchmark
    public double step() {
        double loss = session.accumulate(x, y, batch, 1f);
        session.step(0.1);
        return loss;
    }
}
