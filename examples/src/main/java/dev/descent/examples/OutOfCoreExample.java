package dev.descent.examples;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.descent.backend.Backend;
import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.CheckpointConflictException;
import dev.descent.data.Labels;
import dev.descent.data.Libsvm;
import dev.descent.data.SparseDataset;
import dev.descent.data.SparseStream;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.Callback;
import dev.descent.train.History;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Out-of-core logistic regression: generates a seeded synthetic sparse data set on disk (gzip
 * LIBSVM shards and a held-out test file, with a known true weight vector), trains on it streaming
 * ({@link SparseStream}: memory bounded by the shuffle buffer, not the files), and reports rows/s,
 * the peak heap, the test AUC and the cosine between learned and true weights.
 */
@Command(
        name = "out-of-core",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Generates a seeded synthetic sparse logistic-regression data set in --out DIR/data (gzip LIBSVM shards,"
                    + " a held-out test file, a known true weight vector) and trains on it streaming, with memory bounded"
                    + " by the shuffle buffer. Try it with a small heap: DESCENT_JAVA_OPTS=-Xmx512m ./descent out-of-core.",
            "Prints rows/s, peak heap, test AUC (and the true weights' AUC), the cosine between learned and true"
                    + " weights; writes loss.png and loss.csv; the last line is one JSON object.",
            "--checkpoint-every-steps N writes a checkpoint into --out DIR/checkpoint every N optimizer steps (in the"
                    + " middle of an epoch too: it records the stream's position) and after every epoch; --resume"
                    + " continues the run saved there (same options), ending as the uninterrupted run would, bit for"
                    + " bit."
        })
public final class OutOfCoreExample implements Callable<Integer> {

    @Mixin
    CommonOptions common = CommonOptions.defaults(2, 256, 0.3);

    @Option(names = "--rows", paramLabel = "N", description = "Training rows to generate.")
    int rows = 300_000;

    @Option(names = "--features", paramLabel = "F", description = "Features (the model's width).")
    int features = 1 << 16;

    @Option(names = "--nnz", paramLabel = "K", description = "Non-zeros per row.")
    int nnz = 20;

    @Option(names = "--test-rows", paramLabel = "N", description = "Held-out test rows (held in memory).")
    int testRows = 20_000;

    @Option(names = "--rows-per-shard", paramLabel = "N", description = "Training rows per shard file.")
    int rowsPerShard = 250_000;

    @Option(names = "--shuffle-buffer", paramLabel = "N", description = "Rows of the stream's shuffle buffer.")
    int shuffleBuffer = SparseStream.DEFAULT_SHUFFLE_BUFFER;

    @Option(
            names = "--optimizer",
            paramLabel = "NAME",
            description = "sgd or adagrad (per-feature step sizes, the classic choice for sparse features).")
    String optimizer = "adagrad";

    @Option(
            names = "--skip-bad-lines",
            description =
                    "Skip lines that do not parse (counted, the first reported) instead of stopping at the first.")
    boolean skipBadLines;

    @Option(
            names = "--checkpoint-every-steps",
            paramLabel = "N",
            description =
                    "Checkpoint into --out DIR/checkpoint every N optimizer steps and after every epoch; 0: none.")
    int checkpointEverySteps;

    @Option(
            names = "--resume",
            description = "Continue the run saved in --out DIR/checkpoint (run with the same options).")
    boolean resume;

    @Option(
            names = "--regenerate",
            description = "Write the data even when DIR/data already holds this data set (same options and seed).")
    boolean regenerate;

    /** The figures of one run. */
    public record Result(
            long rows,
            int epochs,
            long rowsTrained,
            long dataBytes,
            boolean generated,
            double generateSeconds,
            double trainSeconds,
            double peakHeapMb,
            double peakAfterGcMb,
            double testAuc,
            double trueAuc,
            double weightCosine,
            List<History.Step> steps,
            String badLines) {
        /** Rows trained by this process per second (a resumed run counts only the rows after its checkpoint). */
        double rowsPerS() {
            return rowsTrained / trainSeconds;
        }
    }

    Result result;

    @Override
    public Integer call() {
        if (rows < 1) throw new IllegalArgumentException("--rows must be >= 1, got " + rows);
        if (features < 1) throw new IllegalArgumentException("--features must be >= 1, got " + features);
        if (nnz < 1 || nnz > features)
            throw new IllegalArgumentException("--nnz must be in [1, --features = " + features + "], got " + nnz);
        if (testRows < 1) throw new IllegalArgumentException("--test-rows must be >= 1, got " + testRows);
        if (rowsPerShard < 1) throw new IllegalArgumentException("--rows-per-shard must be >= 1, got " + rowsPerShard);
        if (checkpointEverySteps < 0)
            throw new IllegalArgumentException(
                    "--checkpoint-every-steps must be >= 0 (0: no checkpoints), got " + checkpointEverySteps);
        Path dir = common.out("out-of-core");
        Path checkpoint = dir.resolve(Checkpoint.DEFAULT_NAME);
        try {
            result = compute(
                    dir.resolve("data"),
                    rows,
                    features,
                    nnz,
                    testRows,
                    rowsPerShard,
                    shuffleBuffer,
                    regenerate,
                    skipBadLines,
                    optimizer,
                    common.backend(),
                    common.epochs(),
                    common.batchSize(),
                    common.lr(),
                    common.seed(),
                    checkpointEverySteps > 0 || resume ? checkpoint : null,
                    checkpointEverySteps,
                    resume);
        } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof CheckpointConflictException c)) throw e;
            throw new IllegalArgumentException(
                    "--out " + dir + ": " + checkpoint + " holds the checkpoint of another run (" + c.run()
                            + "). To continue that run pass --resume (with its options); to keep it, write to another"
                            + " --out",
                    e);
        }

        try (CsvOut csv = CsvOut.create(dir.resolve("loss.csv"), "step", "epoch", "loss", "lr")) {
            for (History.Step s : result.steps()) csv.row(s.step(), s.epoch(), s.loss(), s.lr());
        }
        XYChart c = Plots.xy(
                String.format(Locale.ROOT, "Out-of-core logistic regression (test AUC %.4f)", result.testAuc()),
                "optimizer step",
                "training loss (BCE, per batch)");
        int n = result.steps().size(), every = Math.max(1, n / 2000);
        double[] x = new double[(n + every - 1) / every], y = new double[x.length];
        for (int i = 0, k = 0; i < n; i += every, k++) {
            x[k] = result.steps().get(i).step();
            y[k] = result.steps().get(i).loss();
        }
        Plots.line(c, "batch loss", x, y, Plots.COLORS[0]);
        Plots.save(c, dir.resolve("loss.png"));

        System.out.printf(
                Locale.ROOT,
                "out-of-core: %,d training rows × %,d features, %d non-zeros per row, in %s (%s on disk, %s); logistic regression, %s lr %s, B = %d, %d epoch(s), shuffle buffer %,d rows, %s"
                        + " backend, max heap %s%n",
                rows,
                features,
                nnz,
                dir.resolve("data"),
                mb(result.dataBytes()),
                result.generated()
                        ? String.format(Locale.ROOT, "generated in %.1f s", result.generateSeconds())
                        : "reused",
                optimizer,
                BatchSizeExample.fmt(common.lr()),
                common.batchSize(),
                common.epochs(),
                shuffleBuffer,
                common.backend().name(),
                mb(Runtime.getRuntime().maxMemory()));
        System.out.printf(
                Locale.ROOT,
                "trained in %.1f s (indexing pass included): %,.0f rows/s; peak heap %.0f MiB used, %.0f MiB live"
                        + " after a collection%n",
                result.trainSeconds(),
                result.rowsPerS(),
                result.peakHeapMb(),
                result.peakAfterGcMb());
        System.out.printf(
                Locale.ROOT,
                "test AUC %.4f (the true weights: %.4f); cosine(learned, true weights) %.4f; wrote %s and %s%n",
                result.testAuc(),
                result.trueAuc(),
                result.weightCosine(),
                dir.resolve("loss.png"),
                dir.resolve("loss.csv"));
        System.out.println(result.badLines());
        System.out.printf(
                Locale.ROOT,
                "{\"rows\": %d, \"rows_per_s\": %.1f, \"peak_heap_mb\": %.1f, \"test_auc\": %.6f,"
                        + " \"weight_cosine\": %.6f}%n",
                result.rows(),
                result.rowsPerS(),
                result.peakHeapMb(),
                result.testAuc(),
                result.weightCosine());
        return 0;
    }

    private static dev.descent.optim.Optimizer optimizer(String name, double lr) {
        return switch (name) {
            case "sgd" -> Optimizers.sgd(lr);
            case "adagrad" -> Optimizers.adagrad(lr);
            default -> throw new IllegalArgumentException("--optimizer must be sgd or adagrad, got '" + name + "'");
        };
    }

    /** Bytes in a mebibyte: heap figures are in MiB, the unit of {@code -Xmx512m}. */
    static final double MIB = 1 << 20;

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%,.0f MiB", bytes / MIB);
    }

    /**
     * Generates (unless already there), trains streaming, scores; the peak heap covers all of it.
     * With a {@code checkpoint} folder (else null) it checkpoints there after every epoch and every
     * {@code checkpointEverySteps} steps (0: epochs only), or with {@code resume} continues the run
     * saved there; {@code callbacks} are added to the run.
     */
    public static Result compute(
            Path data,
            int rows,
            int features,
            int nnz,
            int testRows,
            int rowsPerShard,
            int shuffleBuffer,
            boolean regenerate,
            boolean skipBadLines,
            String optimizer,
            Backend backend,
            int epochs,
            int batch,
            double lr,
            long seed,
            Path checkpoint,
            int checkpointEverySteps,
            boolean resume,
            Callback... callbacks) {
        try (HeapWatch watch = new HeapWatch()) {
            float[] truth = trueWeights(features, nnz, seed);
            long t0 = System.nanoTime();
            boolean generated = generate(data, truth, rows, nnz, testRows, rowsPerShard, seed, regenerate);
            double generateSeconds = (System.nanoTime() - t0) / 1e9;

            SparseStream train = SparseStream.libsvm(data.resolve("train"), Labels.classification(2), features)
                    .shuffleBuffer(shuffleBuffer)
                    .onBadLine(skipBadLines ? SparseStream.OnBadLine.SKIP : SparseStream.OnBadLine.FAIL);
            Sequential model = Models.logisticRegression(features);
            TrainingConfig config = TrainingConfig.defaults()
                    .withBatchSize(batch)
                    .withEpochs(epochs)
                    .withSeed(seed)
                    .withCallbacks(callbacks);
            long[] rowsTrained = {0};
            int b = Math.min(batch, rows), stepsPerEpoch = (rows + b - 1) / b;
            config = config.withCallbacks(
                    new Callback() { // the rows of each step this process takes
                        @Override
                        public void onStepEnd(History.Step s) {
                            rowsTrained[0] += Math.min(b, rows - (s.step() % stepsPerEpoch) * b);
                        }
                    });
            if (checkpoint != null)
                config = config.withCheckpoints(checkpoint, 1).withCheckpointEverySteps(checkpointEverySteps);
            long t1 = System.nanoTime();
            Trainer trainer = new Trainer(backend, model, Loss.bceWithLogits(), optimizer(optimizer, lr), config);
            TrainingResult fit = resume ? trainer.resume(checkpoint, train) : trainer.fit(train);
            double trainSeconds = (System.nanoTime() - t1) / 1e9;
            float[] p = fit.parameters();

            double dot = 0, nl = 0, nt = 0;
            for (int j = 0; j < features; j++) {
                dot += (double) p[j] * truth[j];
                nl += (double) p[j] * p[j];
                nt += (double) truth[j] * truth[j];
            }
            SparseDataset test = Libsvm.loadSparse(data.resolve("test.svm.gz"), Labels.classification(2), features);
            var shape = new dev.descent.metric.Metric.Shape(test.rows(), 1, 1, false);
            dev.descent.metric.Metric aucMetric = dev.descent.metric.Metrics.auc();
            double auc = SpamExample.measure(aucMetric, shape, SpamExample.score(backend, model, p, test), test.y());
            // p becomes the true model (true weights, zero bias), so no third copy of the width is held
            System.arraycopy(truth, 0, p, 0, features);
            java.util.Arrays.fill(p, features, p.length, 0f);
            double trueAuc =
                    SpamExample.measure(aucMetric, shape, SpamExample.score(backend, model, p, test), test.y());
            long bytes = 0;
            for (SparseStream.Shard s : train.shards()) bytes += s.bytes();
            return new Result(
                    rows,
                    epochs,
                    rowsTrained[0],
                    bytes,
                    generated,
                    generateSeconds,
                    trainSeconds,
                    watch.peakUsed() / MIB,
                    watch.peakAfterGc() / MIB,
                    auc,
                    trueAuc,
                    dot / Math.sqrt(nl * nt),
                    fit.history().steps(),
                    train.badLineReport());
        }
    }

    /**
     * The heap's peak while it is open: the most used (garbage included, so at most the maximum heap),
     * sampled every 5 ms, and the most left after a collection (the live data), from the collectors'
     * notifications.
     */
    static final class HeapWatch implements AutoCloseable {
        private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        private final Thread sampler;
        private final List<NotificationEmitter> emitters = new ArrayList<>();
        private final NotificationListener listener;
        private volatile boolean running = true;
        private final AtomicLong used = new AtomicLong(), afterGc = new AtomicLong();

        HeapWatch() {
            sample();
            listener = (n, handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                long live = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
                    if (pool.getType() == MemoryType.HEAP) {
                        MemoryUsage u = info.getGcInfo().getMemoryUsageAfterGc().get(pool.getName());
                        if (u != null) live += u.getUsed();
                    }
                afterGc.accumulateAndGet(live, Math::max);
            };
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
                if (gc instanceof NotificationEmitter e) {
                    e.addNotificationListener(listener, null, null);
                    emitters.add(e);
                }
            sampler = new Thread(
                    () -> {
                        while (running) {
                            sample();
                            try {
                                Thread.sleep(5);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "heap-watch");
            sampler.setDaemon(true);
            sampler.start();
        }

        private void sample() {
            used.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        }

        /** Bytes: the most heap used at any sample. */
        long peakUsed() {
            sample();
            return used.get();
        }

        /** Bytes: the most heap left after a collection (0 if none ran). */
        long peakAfterGc() {
            return afterGc.get();
        }

        @Override
        public void close() {
            running = false;
            sampler.interrupt();
            for (NotificationEmitter e : emitters)
                try {
                    e.removeNotificationListener(listener);
                } catch (javax.management.ListenerNotFoundException ignored) {
                    // not registered: nothing to remove
                }
        }
    }

    /**
     * The true weights: N(0, σ²) per feature with σ = 3 / √(nnz · E[v²]), so a row's logit has a
     * standard deviation of about 3 (values v uniform in [0.1, 1], E[v²] = 0.37).
     */
    static float[] trueWeights(int features, int nnz, long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double sigma = 3 / Math.sqrt(nnz * 0.37);
        float[] w = new float[features];
        for (int j = 0; j < features; j++) w[j] = (float) (r.nextGaussian() * sigma);
        return w;
    }

    /**
     * Writes {@code data/train/part-NNNNN.svm.gz} ({@code rowsPerShard} rows each; shards in parallel,
     * each from its own seed, so the files do not depend on the thread count) and {@code
     * data/test.svm.gz}. A row: {@code nnz} distinct features drawn uniformly, values uniform in
     * [0.1, 1] with 3 decimals, label 1 with probability sigmoid(w·x). Skipped when {@code
     * data/dataset.txt} records the same data set.
     *
     * @return false if the data was already there
     */
    static boolean generate(
            Path data, float[] w, int rows, int nnz, int testRows, int rowsPerShard, long seed, boolean regenerate) {
        String id = String.format(
                Locale.ROOT,
                "descent out-of-core data set v1: rows %d, features %d, nnz %d, test rows %d, rows per shard %d, seed"
                        + " %d%n",
                rows,
                w.length,
                nnz,
                testRows,
                rowsPerShard,
                seed);
        Path stamp = data.resolve("dataset.txt");
        try {
            if (!regenerate && Files.exists(stamp) && Files.readString(stamp).equals(id)) return false;
            Path train = data.resolve("train");
            Files.createDirectories(train);
            Files.deleteIfExists(stamp);
            try (var old = Files.list(train)) {
                for (Path f : old.toList()) if (f.getFileName().toString().startsWith("part-")) Files.delete(f);
            }
            int shards = (int) ((rows + (long) rowsPerShard - 1) / rowsPerShard);
            IntStream.rangeClosed(0, shards).parallel().forEach(s -> {
                boolean test = s == shards;
                long from = (long) s * rowsPerShard;
                int n = test ? testRows : (int) Math.min(rowsPerShard, rows - from);
                Path f = test ? data.resolve("test.svm.gz") : train.resolve(String.format("part-%05d.svm.gz", s));
                writeShard(f, w, n, nnz, seed * 0x9E3779B97F4A7C15L + s + 1);
            });
            Files.writeString(stamp, id);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the data set in " + data + ": " + e.getMessage(), e);
        }
    }

    private static void writeShard(Path file, float[] w, int n, int nnz, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] idx = new int[nnz], milli = new int[nnz];
        StringBuilder line = new StringBuilder();
        try (OutputStream raw = Files.newOutputStream(file);
                OutputStream gz = new GZIPOutputStream(raw, 1 << 16) {
                    {
                        def.setLevel(Deflater.BEST_SPEED);
                    }
                };
                Writer out = new BufferedWriter(new OutputStreamWriter(gz, StandardCharsets.US_ASCII), 1 << 16)) {
            for (int i = 0; i < n; i++) {
                distinctSorted(r, idx, w.length);
                double z = 0;
                for (int k = 0; k < nnz; k++) {
                    milli[k] = 100 + r.nextInt(901);
                    z += w[idx[k]] * (milli[k] / 1000.0);
                }
                line.setLength(0);
                line.append(r.nextDouble() < 1 / (1 + Math.exp(-z)) ? '1' : '0');
                for (int k = 0; k < nnz; k++) {
                    line.append(' ').append(idx[k] + 1).append(':');
                    if (milli[k] == 1000) line.append('1');
                    else
                        line.append("0.")
                                .append((char) ('0' + milli[k] / 100))
                                .append((char) ('0' + milli[k] / 10 % 10))
                                .append((char) ('0' + milli[k] % 10));
                }
                out.append(line).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Fills {@code out} with distinct values drawn uniformly from [0, bound), sorted. */
    private static void distinctSorted(SplittableRandom r, int[] out, int bound) {
        for (int k = 0; k < out.length; ) {
            int v = r.nextInt(bound), at = k;
            while (at > 0 && out[at - 1] > v) at--;
            if (at > 0 && out[at - 1] == v) continue; // drawn already: draw again
            System.arraycopy(out, at, out, at + 1, k - at);
            out[at] = v;
            k++;
        }
    }
}
