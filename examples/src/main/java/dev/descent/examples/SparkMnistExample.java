package dev.descent.examples;

import dev.descent.backend.Activation;
import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.dsl.Descent;
import dev.descent.dsl.Fit;
import dev.descent.dsl.TrainingBuilder;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import dev.descent.train.History;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./descent spark-mnist}: the flagship's MLP 784-128-10 trained data-parallel on Apache Spark
 * through the DSL's {@code .spark(session)} setting, with the flagship's plots and CSVs; its last
 * line is one JSON object (mode, partitions, test accuracy, median epoch seconds, per-step overhead).
 */
@Command(
        name = "spark-mnist",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Trains mnist's MLP 784-128-10 (ReLU) on the embedded MNIST-10k data-parallel on Apache Spark: the"
                    + " same spec as mnist plus .spark(session).partitions(n), in sync mode (every step's gradient"
                    + " summed over the partitions) or local-sgd mode (H local steps per partition, then averaging).",
            "Writes training.png, lr.png, misclassified.png, epochs.csv, steps.csv and a checkpoint like mnist.",
            "Then trains the same spec on this machine for one epoch to measure the step overhead: seconds per"
                    + " step on Spark (the median epoch's training time over its steps, validation excluded) minus"
                    + " the same in-process.",
            "Its last line is one JSON object: mode, partitions, test_accuracy, epoch_s_median, step_overhead_ms."
        })
public final class SparkMnistExample extends DigitsCommand {

    @Mixin
    CommonOptions common = CommonOptions.defaults(5, 64, 0.1);

    @Mixin
    DataOption data = new DataOption();

    @Option(names = "--master", paramLabel = "URL", description = "Spark master: local[N], spark://host:port, ...")
    String master = "local[2]";

    @Option(names = "--mode", paramLabel = "MODE", description = "sync or local-sgd.")
    String mode = "sync";

    @Option(names = "--local-steps", paramLabel = "H", description = "local-sgd: local steps between averagings.")
    int localSteps = 4;

    @Option(names = "--partitions", paramLabel = "K", description = "Spark partitions of the training rows.")
    int partitions = 2;

    private double overheadMs = Double.NaN;

    @Override
    String command() {
        return "spark-mnist";
    }

    @Override
    CommonOptions common() {
        return common;
    }

    @Override
    DataOption data() {
        return data;
    }

    @Override
    void validate() {
        if (!mode.equals("sync") && !mode.equals("local-sgd"))
            throw new IllegalArgumentException("--mode must be sync or local-sgd, got '" + mode + "'");
        if (localSteps < 1) throw new IllegalArgumentException("--local-steps must be >= 1, got " + localSteps);
        if (partitions < 1) throw new IllegalArgumentException("--partitions must be >= 1, got " + partitions);
    }

    @Override
    boolean lockErrorIsUsage() {
        return true;
    }

    @Override
    public Integer call() {
        int code = super.call();
        History h = result.fit().history();
        System.out.printf(
                Locale.ROOT,
                "{\"mode\": \"%s\", \"partitions\": %d, \"test_accuracy\": %.4f, \"epoch_s_median\": %.3f,"
                        + " \"step_overhead_ms\": %.2f}%n",
                mode,
                partitions,
                result.testAccuracy(),
                median(diffs(RunCurves.epochTrainingSeconds(h), 0)),
                overheadMs);
        return code;
    }

    /** The MNIST spec of {@code mnist} (SGD + momentum, warmup + cosine over the run), not yet placed. */
    static TrainingBuilder spec(
            int hidden, double lr, double momentum, int batchSize, int epochs, long seed, long total, long warmup) {
        return Descent.train(Models.mlp(784).dense(hidden, Activation.RELU).dense(10))
                .loss(Loss.softmaxCrossEntropy())
                .optimizer(Optimizers.sgd(lr).momentum(momentum))
                .schedule(Schedules.warmup(warmup).then(Schedules.cosine(total - warmup)))
                .batchSize(batchSize)
                .epochs(epochs)
                .seed(seed);
    }

    @Override
    MnistExample.Result train(Split split, Path dir, Path checkpoint) {
        Dataset train = split.train(), test = split.test();
        if (train.features() != 784)
            throw new IllegalArgumentException("spark-mnist trains a 784-128-10 MLP: the data must have 784"
                    + " features, got " + train.features() + " in " + train.name());
        if (partitions > train.rows())
            throw new IllegalArgumentException(
                    "--partitions " + partitions + " is more than the " + train.rows() + " training rows");
        int batch = common.batchSize(), epochs = common.epochs();
        long total = epochs * ((train.rows() + batch - 1) / batch), warmup = Math.max(1, total / 10);
        SparkSession spark = session(master);
        try {
            Fit fit = spec(128, common.lr(), momentum, batch, epochs, common.seed, total, warmup)
                    .backend("simd")
                    .checkpoints(checkpoint, 1)
                    .overwriteCheckpoint(true)
                    .progressBar(false)
                    .spark(spark)
                    .partitions(partitions)
                    .localSgd(mode.equals("local-sgd") ? localSteps : 0)
                    .fit(train, test);
            // the same steps in-process, one epoch: what a step costs without Spark
            Fit local = spec(128, common.lr(), momentum, batch, epochs, common.seed, total, warmup)
                    .backend("simd")
                    .progressBar(false)
                    .epochs(1)
                    .fit(train);
            overheadMs = 1000 * (perStep(fit.history()) - perStep(local.history()));
            return MnistExample.result(fit, train, test, warmup, total, checkpoint);
        } finally {
            spark.stop();
        }
    }

    /** A Spark session on {@code master} without web UI, for one command or benchmark. */
    static SparkSession session(String master) {
        SparkSession spark = SparkSession.builder()
                .master(master)
                .appName("descent")
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }

    /** Median wall seconds of one optimizer step (validation excluded), over the steps after the first. */
    static double medianStep(History h) {
        return median(diffs(RunCurves.stepTrainingSeconds(h), 1));
    }

    /**
     * Wall seconds per optimizer step: the median epoch's training seconds (validation excluded) over
     * its steps. Unlike {@link #medianStep} it holds in local-SGD mode, whose H steps end together.
     */
    static double perStep(History h) {
        return median(diffs(RunCurves.epochTrainingSeconds(h), 0))
                / h.epochs().get(0).steps();
    }

    /** Successive differences of cumulative times {@code t}, from index {@code from} on. */
    private static double[] diffs(double[] t, int from) {
        double[] d = new double[Math.max(0, t.length - from)];
        for (int i = from; i < t.length; i++) d[i - from] = t[i] - (i == 0 ? 0 : t[i - 1]);
        return d;
    }

    static double median(double[] v) {
        if (v.length == 0) return Double.NaN;
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    @Override
    String describeModel(Fit fit) {
        return "MLP 784-128-10 on Spark " + master + ", " + partitions + " partitions, " + mode
                + (mode.equals("local-sgd") ? " (H = " + localSteps + ")" : "");
    }
}
