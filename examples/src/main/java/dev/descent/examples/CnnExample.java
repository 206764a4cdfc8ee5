package dev.descent.examples;

import dev.descent.backend.Activation;
import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.OutputLock;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.data.Labels;
import dev.descent.data.Split;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import dev.descent.train.History;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * A small convolutional network on MNIST-10k: conv 5×5×16 → ReLU → max-pool 2 → conv 5×5×32 → ReLU
 * → max-pool 2 → flatten → dense 10, trained with SGD + momentum and a warmup + cosine schedule;
 * the same outputs as {@code mnist}.
 */
@Command(
        name = "cnn",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Trains a small CNN on the embedded MNIST-10k digits (8,000 train / 2,000 test): conv 5×5×16 → ReLU →"
                    + " max-pool 2 → conv 5×5×32 → ReLU → max-pool 2 → flatten → dense 10, with SGD + momentum,"
                    + " batches of 64 and a warmup + cosine learning-rate schedule, validating on the test split"
                    + " after every epoch.",
            "Writes training.png, lr.png, misclassified.png, epochs.csv, steps.csv and a checkpoint"
                    + " (checkpoint/model.safetensors + state.json, after every epoch), as mnist does.",
            "Runs on the simd and scalar backends; the gpu backend runs dense layers only in this version and"
                    + " refuses the convolution, by name."
        })
public final class CnnExample implements Callable<Integer> {

    @Mixin
    CommonOptions common = CommonOptions.defaults(6, 64, 0.05);

    @Mixin
    DataOption data = new DataOption();

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum.")
    double momentum = 0.9;

    @Option(
            names = "--limit",
            paramLabel = "N",
            description = "Train on the first N training rows and validate on the first N/4 test rows (quick runs).")
    Integer limit;

    @Option(names = "--overwrite", description = "Let this run replace the checkpoint of another run found in --out.")
    boolean overwrite;

    @Option(
            names = "--progress",
            negatable = true,
            description = "Draw a progress bar (only where a terminal is attached).")
    boolean progress = true;

    MnistExample.Result result;

    /** The network, over 1×28×28 images. */
    public static Sequential model() {
        return Models.image(1, 28, 28) // rows of 784 floats, NCHW
                .conv2d(16, 5) // → [16, 24, 24]
                .activation(Activation.RELU)
                .maxPool2d(2) // → [16, 12, 12]
                .conv2d(32, 5) // → [32, 8, 8]
                .activation(Activation.RELU)
                .maxPool2d(2) // → [32, 4, 4]
                .flatten() // → [512]
                .dense(10)
                .build();
    }

    /** Trains and evaluates; writes the checkpoint into {@code checkpoints} after every epoch. */
    public static MnistExample.Result compute(
            Split split,
            double lr,
            double momentum,
            int batchSize,
            int epochs,
            long seed,
            String backend,
            boolean progress,
            Path checkpoints,
            boolean overwrite) {
        Dataset train = split.train(), test = split.test();
        if (train.features() != 784 || train.classes() < 2 || train.classes() > 10)
            throw new IllegalArgumentException("cnn trains on 28×28 images: the data must have 784 features and 2 to"
                    + " 10 classes, got " + train.features() + " features and " + train.classes() + " classes in "
                    + train.name());
        long stepsPerEpoch = (train.rows() + batchSize - 1) / batchSize;
        long total = epochs * stepsPerEpoch, warmup = Math.max(1, total / 10);
        Fit fit = Descent.train(model())
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(lr).momentum(momentum))
                .schedule(Schedules.warmup(warmup).then(Schedules.cosine(total - warmup)))
                .batchSize(batchSize)
                .epochs(epochs)
                .seed(seed)
                .backend(backend)
                .checkpoints(checkpoints, 1)
                .overwriteCheckpoint(overwrite)
                .progressBar(progress)
                .build()
                .fit(train, test);
        float[] out = fit.predict(test.x(), test.rows());
        int[] predictions = new int[test.rows()];
        List<Integer> wrong = new ArrayList<>();
        for (int r = 0; r < test.rows(); r++) {
            int best = 0;
            for (int j = 1; j < 10; j++) if (out[r * 10 + j] > out[r * 10 + best]) best = j;
            predictions[r] = best;
            if (best != test.label(r)) wrong.add(r);
        }
        var eval = fit.evaluate(test);
        return new MnistExample.Result(
                fit,
                train,
                test,
                eval.accuracy(),
                eval.loss(),
                wrong.stream().mapToInt(Integer::intValue).toArray(),
                predictions,
                warmup,
                total,
                checkpoints);
    }

    @Override
    public Integer call() {
        if (!(momentum >= 0 && momentum < 1))
            throw new IllegalArgumentException("--momentum must be in [0, 1), got " + momentum);
        if (limit != null && limit < 4) throw new IllegalArgumentException("--limit must be >= 4, got " + limit);
        Split split = data.load(EmbeddedData::mnist10k, Labels.classification());
        if (limit != null)
            split = new Split(
                    MnistExample.first(split.train(), limit), MnistExample.first(split.test(), Math.max(1, limit / 4)));
        common.steps(
                new Batches(split.train(), common.batchSize(), 0).batchesPerEpoch(),
                split.train().rows(),
                2,
                Long.MAX_VALUE,
                "the warmup + cosine schedule");
        String name = data.describe("MNIST-10k");
        Path dir = common.out("cnn");
        Path checkpoint = dir.resolve(Checkpoint.DEFAULT_NAME);
        try (OutputLock lock = OutputLock.acquire(checkpoint)) {
            return run(split, name, dir, checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir + ": " + e.getMessage(), e);
        }
    }

    private int run(Split split, String name, Path dir, Path checkpoint) {
        result = compute(
                split,
                common.lr(),
                momentum,
                common.batchSize(),
                common.epochs(),
                common.seed(),
                common.backendName(),
                progress,
                checkpoint,
                overwrite);
        Fit fit = result.fit();
        History h = fit.history();
        Plots.saveGrid(MnistExample.charts(h, name), 1, 2, dir.resolve("training.png"));
        Plots.save(MnistExample.lrChart(h, result.warmupSteps()), dir.resolve("lr.png"));
        MnistExample.saveMisclassified(result, 48, dir.resolve("misclassified.png"));
        h.writeEpochsCsv(dir.resolve("epochs.csv"));
        h.writeStepsCsv(dir.resolve("steps.csv"));

        History.Epoch last = h.lastEpoch();
        System.out.printf(
                Locale.ROOT,
                "cnn: %s, %d train / %d test rows, %s%n",
                name,
                result.train().rows(),
                result.test().rows(),
                fit.model());
        System.out.printf(
                Locale.ROOT,
                "  backend: %s (%s)%n",
                fit.backend().name(),
                fit.backend().device());
        System.out.printf(
                Locale.ROOT,
                "  SGD lr %s, momentum %s, batch %d, warmup %d + cosine %d steps%n",
                common.lr(),
                momentum,
                common.batchSize(),
                result.warmupSteps(),
                result.totalSteps() - result.warmupSteps());
        System.out.println("  epoch  train loss  val loss  val acc      lr   seconds");
        for (History.Epoch e : h.epochs())
            System.out.printf(
                    Locale.ROOT,
                    "  %5d  %10.4f  %8.4f  %7.4f  %6.4f  %8.2f%n",
                    e.epoch(),
                    e.loss(),
                    e.valLoss(),
                    e.valAccuracy(),
                    e.lr(),
                    e.seconds());
        System.out.printf(
                Locale.ROOT,
                "  %d epoch%s, final train loss %.4f, test accuracy %.4f (%d of %d wrong)%n",
                last.epoch(),
                last.epoch() == 1 ? "" : "s",
                last.loss(),
                result.testAccuracy(),
                result.misclassified().length,
                result.test().rows());
        System.out.printf(
                Locale.ROOT,
                "  %.2f s training (%.2f s wall clock for this run), %,.0f samples/s%n",
                fit.seconds(),
                fit.wallSeconds(),
                fit.samplesPerSecond());
        System.out.println("  wrote " + dir.resolve("training.png") + ", lr.png, misclassified.png, epochs.csv,"
                + " steps.csv, checkpoint/ (" + Checkpoint.MODEL_FILE + " + " + Checkpoint.STATE_FILE + ")");
        return 0;
    }
}
