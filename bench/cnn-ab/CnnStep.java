import dev.descent.backend.Activation;
import dev.descent.backend.SimdBackend;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.TrainingSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training step of {@code ./descent cnn}'s network (batch 64, SGD momentum, the first 64 digits
 * of MNIST-10k), loaded once per build by {@link CnnRoundRobin} through a class loader of its own,
 * so each build's classes are compiled by the JIT on their own.
 */
public final class CnnStep {
    private static TrainingSession session;
    private static float[] x, labels;
    private static final int BATCH = 64;

    private CnnStep() {}

    /** Opens the session on {@code threads} threads with the digits in the IDX files under data. */
    public static void open(int threads, String data) throws IOException {
        session = session(threads);
        x = images(data, BATCH);
        labels = labels(data, BATCH);
    }

    /**
     * A session of {@code ./descent cnn}'s network (SGD momentum, seed 42) on {@code threads} threads,
     * or of {@code ./descent bench}'s MLP 784-128-10 (ReLU; SGD lr 0.1, momentum 0.9) when the system
     * property {@code ab.model} is {@code mlp}.
     */
    static TrainingSession session(int threads) {
        boolean mlp = "mlp".equals(System.getProperty("ab.model"));
        Sequential model = mlp
                ? Models.mlp(784).dense(128, Activation.RELU).dense(10).build()
                : Models.image(1, 28, 28)
                        .conv2d(16, 5)
                        .activation(Activation.RELU)
                        .maxPool2d(2)
                        .conv2d(32, 5)
                        .activation(Activation.RELU)
                        .maxPool2d(2)
                        .flatten()
                        .dense(10)
                        .build();
        return TrainingSession.open(
                new SimdBackend(threads),
                model,
                Loss.softmaxCrossEntropy(),
                Optimizers.sgd(mlp ? 0.1 : 0.05).momentum(0.9),
                model.initialParameters(42));
    }

    /** The first {@code n} training images under data, pixels / 255. */
    static float[] images(String data, int n) throws IOException {
        byte[] images = Files.readAllBytes(Path.of(data, "train-images.idx3-ubyte"));
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) x[i] = (images[16 + i] & 0xff) / 255f;
        return x;
    }

    /** The first {@code n} training labels under data. */
    static float[] labels(String data, int n) throws IOException {
        byte[] digits = Files.readAllBytes(Path.of(data, "train-labels.idx1-ubyte"));
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = digits[8 + i];
        return y;
    }

    /** Runs {@code steps} training steps; returns the mean microseconds per step. */
    public static double steps(int steps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            session.accumulate(x, labels, BATCH, 1f);
            session.step(0.01);
        }
        return (System.nanoTime() - t0) / 1e3 / steps;
    }
}
