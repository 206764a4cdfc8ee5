package dev.descent.examples;

import dev.descent.backend.Backend;
import dev.descent.backend.SimdBackend;
import dev.descent.data.SparseBatch;
import dev.descent.data.SparseBatches;
import dev.descent.data.SparseDataset;
import dev.descent.data.TextFiles;
import dev.descent.loss.Loss;
import dev.descent.metric.Metric;
import dev.descent.metric.Metrics;
import dev.descent.metric.RocAuc;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.text.FeatureHasher;
import dev.descent.train.SparseUpdate;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingResult;
import dev.descent.train.TrainingSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Spam filtering the large-scale way: hashed word uni- and bigrams (scikit-learn's
 * HashingVectorizer: MurmurHash3, 2²⁰ columns, signed, L2-normalised) and logistic regression
 * trained from zero weights with minibatch SGD on sparse rows, on the SpamAssassin corpus with its split rule (row i
 * is a test row iff i % 5 == 4).
 */
@Command(
        name = "spam",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Hashed word uni+bigram logistic regression on the SpamAssassin corpus (../shared/data/spamassassin;"
                    + " --data for another JSON Lines file with 'text' and 'label' fields), test rows i % 5 == 4.",
            "Prints test accuracy, F1 (spam) and ROC AUC, featurizing and training speed; writes roc.png and roc.csv;"
                    + " the last line is one JSON object."
        })
public final class SpamExample implements Callable<Integer> {

    @Mixin
    CommonOptions common = CommonOptions.defaults(5, 64, 128.0);

    @Option(names = "--data", paramLabel = "FILE", description = "JSON Lines corpus (gzip or not).")
    Path data;

    @Option(
            names = "--threads",
            paramLabel = "T",
            description = "Threads for featurizing and the SIMD backend (1 or 2 here).")
    int threads = 2;

    @Option(names = "--dimension", paramLabel = "D", description = "Hashed columns.")
    int dimension = 1 << 20;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "L2 weight decay of SGD.")
    double weightDecay = 0;

    @Option(
            names = "--update",
            paramLabel = "U",
            description = "LAZY (update only the weight columns a batch uses) or DENSE (PyTorch's: every weight"
                    + " every step); for plain SGD both give the same weights. Default: LAZY, DENSE on the gpu"
                    + " backend (which has no lazy update).")
    SparseUpdate update;

    @Option(
            names = "--repeat",
            paramLabel = "N",
            description = "Featurize and train N times in this JVM (the same seed: the same model each time). The"
                    + " first run's figures include the JIT compiling the code; with N > 1 the JSON line adds the"
                    + " median of the later runs as featurize_docs_per_s_warm and train_docs_per_s_warm.")
    int repeat = 1;

    /** The figures of one run. */
    public record Result(
            int trainRows,
            int testRows,
            long nonZeros,
            double featurizeSeconds,
            double trainSeconds,
            double accuracy,
            double f1,
            double auc,
            double[][] roc,
            int threads) {
        double featurizeDocsPerS() {
            return (trainRows + testRows) / featurizeSeconds;
        }
    }

    Result result;

    @Override
    public Integer call() {
        if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        if (repeat < 1) throw new IllegalArgumentException("--repeat must be >= 1, got " + repeat);
        Path file = data != null ? data : defaultCorpus();
        Backend backend = common.backend();
        if (backend instanceof SimdBackend simd) simd.setThreads(threads);
        TextFiles.LabeledTexts corpus = TextFiles.readJsonLines(file, "text", "label");
        int spam = corpus.classes().indexOf("spam");
        if (corpus.classes().size() != 2 || spam < 0)
            throw new IllegalArgumentException(
                    file + ": labels must be 'spam' and one other class, got " + corpus.classes());
        Path dir = common.out("spam");
        result = run(corpus, spam, backend);
        double[] featurizeWarm = new double[repeat - 1], trainWarm = new double[repeat - 1];
        for (int i = 1; i < repeat; i++) {
            Result again = run(corpus, spam, backend);
            if (again.accuracy() != result.accuracy() || again.auc() != result.auc())
                throw new IllegalStateException(String.format(
                        Locale.ROOT,
                        "run %d reached accuracy %s and AUC %s, the first %s and %s: the runs should be identical",
                        i + 1,
                        again.accuracy(),
                        again.auc(),
                        result.accuracy(),
                        result.auc()));
            featurizeWarm[i - 1] = again.featurizeDocsPerS();
            trainWarm[i - 1] = trainDocsPerS(again);
            System.out.printf(
                    Locale.ROOT,
                    "run %d: featurize %.0f docs/s, train %.0f docs/s%n",
                    i + 1,
                    featurizeWarm[i - 1],
                    trainWarm[i - 1]);
        }
        writePlots(dir);
        printSummary(file, backend, dir);
        String warm = repeat == 1
                ? ""
                : String.format(
                        Locale.ROOT,
                        ", \"featurize_docs_per_s_warm\": %.1f, \"train_docs_per_s_warm\": %.1f, \"repeat\": %d",
                        median(featurizeWarm),
                        median(trainWarm),
                        repeat);
        System.out.printf(
                Locale.ROOT,
                "{\"featurize_docs_per_s\": %.1f, \"train_docs_per_s\": %.1f, \"test_accuracy\": %.6f,"
                        + " \"test_f1\": %.6f, \"test_auc\": %.6f, \"threads\": %d%s}%n",
                result.featurizeDocsPerS(),
                trainDocsPerS(result),
                result.accuracy(),
                result.f1(),
                result.auc(),
                threads,
                warm);
        return 0;
    }

    /** One featurize-and-train run on the command's options. */
    private Result run(TextFiles.LabeledTexts corpus, int spam, Backend backend) {
        return compute(
                corpus,
                spam,
                backend,
                threads,
                dimension,
                common.epochs(),
                common.batchSize(),
                common.lr(),
                weightDecay,
                update != null
                        ? update
                        : backend instanceof TrainingSession.SessionFactory ? SparseUpdate.DENSE : SparseUpdate.LAZY,
                common.seed());
    }

    /** Training documents × epochs per second of training. */
    private double trainDocsPerS(Result r) {
        return r.trainRows() * (double) common.epochs() / r.trainSeconds();
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Writes roc.csv and roc.png of the first run into {@code dir}. */
    private void writePlots(Path dir) {
        try (CsvOut csv =
                CsvOut.create(dir.resolve("roc.csv"), "false_positive_rate", "true_positive_rate", "threshold")) {
            for (double[] p : result.roc()) csv.row(p[0], p[1], p[2]);
        }
        XYChart c = Plots.xy(
                String.format(Locale.ROOT, "ROC, SpamAssassin test set (AUC %.4f)", result.auc()),
                "false positive rate",
                "true positive rate",
                700,
                600);
        double[] fpr = new double[result.roc().length], tpr = new double[fpr.length];
        for (int i = 0; i < fpr.length; i++) {
            fpr[i] = result.roc()[i][0];
            tpr[i] = result.roc()[i][1];
        }
        Plots.guide(c, "chance", new double[] {0, 1}, new double[] {0, 1});
        Plots.line(c, "hashed uni+bigrams, logistic regression", fpr, tpr, Plots.COLORS[0]);
        Plots.save(c, dir.resolve("roc.png"));
    }

    /** The first run's figures, in words. */
    private void printSummary(Path file, Backend backend, Path dir) {
        System.out.printf(
                Locale.ROOT,
                "spam: %s, %d training / %d test mails, 2^%d hashed uni+bigram columns (%,d non-zeros), logistic"
                        + " regression, SGD lr %s, B = %d, %d epochs, %s backend, %d thread(s)%n",
                file.getFileName(),
                result.trainRows(),
                result.testRows(),
                Integer.numberOfTrailingZeros(dimension),
                result.nonZeros(),
                BatchSizeExample.fmt(common.lr()),
                common.batchSize(),
                common.epochs(),
                backend.name(),
                threads);
        System.out.printf(
                Locale.ROOT,
                "featurize %.3f s (%.0f docs/s), train %.3f s (%.0f docs/s)%n",
                result.featurizeSeconds(),
                result.featurizeDocsPerS(),
                result.trainSeconds(),
                trainDocsPerS(result));
        System.out.printf(
                Locale.ROOT,
                "test accuracy %.4f, F1 (spam) %.4f, ROC AUC %.4f; wrote %s and %s%n",
                result.accuracy(),
                result.f1(),
                result.auc(),
                dir.resolve("roc.png"),
                dir.resolve("roc.csv"));
    }

    /** Featurizes, splits (i % 5 == 4: test), trains and scores; the timings are wall-clock. */
    public static Result compute(
            TextFiles.LabeledTexts corpus,
            int positive,
            Backend backend,
            int threads,
            int dimension,
            int epochs,
            int batch,
            double lr,
            double weightDecay,
            SparseUpdate update,
            long seed) {
        FeatureHasher hasher = FeatureHasher.of(dimension).wordNgrams(1, 2);
        // the split before hashing: each part hashed straight into its own data set (no copy of the
        // corpus's rows, so ~40 MB less garbage and live data before the fit)
        List<String> trainTexts = new ArrayList<>(), testTexts = new ArrayList<>();
        List<Integer> trainRows = new ArrayList<>(), testRows = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            (i % 5 == 4 ? testTexts : trainTexts).add(corpus.texts().get(i));
            (i % 5 == 4 ? testRows : trainRows).add(i);
        }
        float[] trainY = targets(corpus, positive, trainRows), testY = targets(corpus, positive, testRows);
        long t0 = System.nanoTime();
        SparseDataset train = hasher.transform("train", trainTexts, trainY, 0, threads);
        SparseDataset test = hasher.transform("test", testTexts, testY, 0, threads);
        double featurize = (System.nanoTime() - t0) / 1e9;
        Sequential model = Models.logisticRegression(dimension);
        var optimizer = Optimizers.sgd(lr).weightDecay(weightDecay);
        TrainingConfig config = TrainingConfig.defaults()
                .withBatchSize(batch)
                .withEpochs(epochs)
                .withSeed(seed);
        // Collect the featurizer's garbage before the clock starts (as a benchmark harness does between
        // phases): otherwise a young collection copying the live corpus may fall inside the fit, 50-400 ms.
        // Its time is in neither figure.
        System.gc();
        long t1 = System.nanoTime();
        // from zeros, as sklearn's SGDClassifier: a convex model needs no random start, and drawing 2^20
        // uniform weights took 10-45 ms of a fresh JVM's first fit
        float[] zeros = new float[model.parameterCount()];
        TrainingResult fit =
                new Trainer(backend, model, Loss.bceWithLogits(), optimizer, config).fit(train, update, zeros);
        double trainSeconds = (System.nanoTime() - t1) / 1e9;
        float[] scores = score(backend, model, fit.parameters(), test);
        float[] truth = test.y();
        var shape = new Metric.Shape(test.rows(), 1, 1, false);
        return new Result(
                train.rows(),
                test.rows(),
                train.nonZeros() + test.nonZeros(),
                featurize,
                trainSeconds,
                measure(Metrics.accuracy(), shape, scores, truth),
                measure(Metrics.f1(), shape, scores, truth),
                measure(Metrics.auc(), shape, scores, truth),
                RocAuc.curve(scores, truth, truth.length),
                threads);
    }

    /** {@code metric} of logits {@code scores} against 0/1 {@code truth}. */
    static double measure(Metric metric, Metric.Shape shape, float[] scores, float[] truth) {
        Metric.Accumulator a = metric.newAccumulator(shape);
        a.add(scores, truth, scores.length);
        return a.value();
    }

    /** The model's logits for every row of {@code data}, in row order. */
    static float[] score(Backend backend, Sequential model, float[] params, SparseDataset data) {
        SparseBatches batches = new SparseBatches(data, 256, 0, dev.descent.data.Batches.Sampling.SEQUENTIAL, false);
        SparseBatch b = batches.newBatch();
        Sequential.Workspace ws = model.workspace(256);
        float[] out = new float[data.rows()];
        int at = 0;
        while (batches.next(b)) {
            float[] logits = model.forwardSparse(backend, params, b, ws);
            System.arraycopy(logits, 0, out, at, b.rows());
            at += b.rows();
        }
        return out;
    }

    /** 1 for the rows of {@code corpus} labelled {@code positive}, else 0, in the order of {@code rows}. */
    private static float[] targets(TextFiles.LabeledTexts corpus, int positive, List<Integer> rows) {
        float[] y = new float[rows.size()];
        for (int i = 0; i < y.length; i++) y[i] = corpus.labels()[rows.get(i)] == positive ? 1 : 0;
        return y;
    }

    /** {@code ../shared/data/spamassassin/spamassassin.jsonl.gz} from here or a parent folder. */
    public static Path defaultCorpus() {
        Path rel = Path.of("shared", "data", "spamassassin", "spamassassin.jsonl.gz");
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve(rel))) return d.resolve(rel);
            if (d.getParent() != null && Files.exists(d.getParent().resolve(rel)))
                return d.getParent().resolve(rel);
        }
        throw new IllegalArgumentException("no SpamAssassin corpus found (looked for " + rel
                + " in this folder and its parents); pass --data FILE");
    }
}
