package dev.descent.bench;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.data.Idx;
import dev.descent.loss.Loss;
import dev.descent.model.Mlp;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.train.TrainingSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times one training epoch on {@code gpu} against {@code simd}: an MLP on MNIST-10k's training set,
 * the same model, data order and optimizer on both, each run through {@link TrainingSession} (the
 * device-resident session on gpu). Prints one JSON object with the device names, every timed epoch
 * and the median, so results from different machines can be compared.
 *
 * <p>This is an end-to-end timing with warm-up epochs, not a JMH benchmark: one epoch takes seconds,
 * JIT and kernel compilation are paid in the warm-up, and the median of the timed epochs is
 * reported. Run (libjsig for PoCL, the Vector API for simd):
 *
 * <pre>
 * mvn -B -pl bench -am -DskipTests package
 * LD_PRELOAD=$JAVA_HOME/lib/libjsig.so java --add-modules=jdk.incubator.vector \
 *     -cp "bench/target/classes:bench/target/lib/*" dev.descent.bench.GpuEpochBench [options]
 * </pre>
 *
 * Options: {@code --data DIR} (default: the nearest {@code shared/data/mnist10k}), {@code --hidden
 * 128}, {@code --batch 64}, {@code --rows N} (default: all training rows), {@code --warmup 2},
 * {@code --epochs 5}, {@code --backends simd,gpu}.
 */
public final class GpuEpochBench {

    private GpuEpochBench() {}

    public static void main(String[] args) {
        Path data = null;
        int hidden = 128, batch = 64, rows = -1, warmup = 2, epochs = 5;
        List<String> backends = List.of("simd", "gpu");
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--data" -> data = Path.of(need(args[i], v));
                case "--hidden" -> hidden = Integer.parseInt(need(args[i], v));
                case "--batch" -> batch = Integer.parseInt(need(args[i], v));
                case "--rows" -> rows = Integer.parseInt(need(args[i], v));
                case "--warmup" -> warmup = Integer.parseInt(need(args[i], v));
                case "--epochs" -> epochs = Integer.parseInt(need(args[i], v));
                case "--backends" -> backends = List.of(need(args[i], v).split(","));
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + " (expected --data, --hidden, --batch, --rows, --warmup, --epochs, --backends)");
            }
            i++;
        }
        if (data == null) data = findMnist();
        Dataset train = Idx.mnist(data).train();
        if (rows > 0 && rows < train.rows())
            train = train.select(java.util.stream.IntStream.range(0, rows).toArray(), train.name() + "-" + rows);
        Mlp model = Mlp.input(784).dense(hidden, Activation.RELU).dense(10).build();
        Optimizer opt = Optimizers.sgd(0.05).momentum(0.9);

        StringBuilder json = new StringBuilder();
        json.append("{\n  \"benchmark\": \"train_epoch\",\n");
        json.append("  \"model\": \"mlp 784-")
                .append(hidden)
                .append("-10 relu, softmax cross-entropy, sgd momentum\",\n");
        json.append("  \"rows\": ").append(train.rows()).append(", \"batch\": ").append(batch);
        json.append(", \"warmup_epochs\": ")
                .append(warmup)
                .append(", \"timed_epochs\": ")
                .append(epochs)
                .append(",\n");
        json.append("  \"java\": \"").append(System.getProperty("java.version")).append("\", \"cores\": ");
        json.append(Runtime.getRuntime().availableProcessors()).append(",\n  \"results\": {");
        double[] medians = new double[backends.size()];
        for (int b = 0; b < backends.size(); b++) {
            Backend backend = Backends.byName(backends.get(b).trim());
            double[] seconds = time(backend, model, opt, train, batch, warmup, epochs);
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            medians[b] = sorted[sorted.length / 2];
            json.append(b == 0 ? "\n" : ",\n");
            json.append("    \"")
                    .append(backend.name())
                    .append("\": {\"device\": \"")
                    .append(escape(backend.device()));
            json.append("\", \"epoch_seconds\": [");
            for (int e = 0; e < seconds.length; e++)
                json.append(e == 0 ? "" : ", ").append(fmt(seconds[e]));
            json.append("], \"median_epoch_seconds\": ").append(fmt(medians[b]));
            json.append(", \"rows_per_second\": ")
                    .append(fmt(train.rows() / medians[b]))
                    .append('}');
        }
        json.append("\n  }");
        int simd = backends.indexOf("simd"), gpu = backends.indexOf("gpu");
        if (simd >= 0 && gpu >= 0)
            json.append(",\n  \"gpu_speedup_over_simd\": ").append(fmt(medians[simd] / medians[gpu]));
        json.append("\n}");
        System.out.println(json);
    }

    /** Seconds of each timed epoch, after the warm-up epochs (same data order on every backend). */
    static double[] time(
            Backend backend, Mlp model, Optimizer opt, Dataset train, int batchSize, int warmup, int epochs) {
        Batches batches = new Batches(train, batchSize, 42);
        Batch batch = batches.newBatch();
        double[] seconds = new double[epochs];
        try (TrainingSession s =
                TrainingSession.open(backend, model, Loss.softmaxCrossEntropy(), opt, model.initialParameters(42))) {
            for (int e = 0; e < warmup + epochs; e++) {
                long t0 = System.nanoTime();
                batches.startEpoch(e);
                double loss = 0;
                while (batches.next(batch)) {
                    loss += s.accumulate(batch.x(), batch.y(), batch.rows(), 1f);
                    s.step(opt.lr());
                }
                float[] p = new float[model.parameterCount()];
                s.readParameters(p); // an epoch ends with the parameters on the host (a checkpoint)
                if (!Double.isFinite(loss)) throw new IllegalStateException("training diverged on " + backend.name());
                if (e >= warmup) seconds[e - warmup] = (System.nanoTime() - t0) / 1e9;
            }
        }
        return seconds;
    }

    private static Path findMnist() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("data").resolve("mnist10k");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new IllegalArgumentException("no shared/data/mnist10k above "
                + Path.of("").toAbsolutePath() + "; pass --data <folder with the MNIST IDX files>");
    }

    private static String need(String option, String value) {
        if (value == null) throw new IllegalArgumentException(option + " needs a value");
        return value;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
