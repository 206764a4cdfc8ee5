package dev.descent.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.data.Idx;
import dev.descent.examples.EmbeddedData;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.train.TrainingSession;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
 * Options ({@code --help}): {@code --data DIR} (an MNIST IDX folder; default: the examples' embedded
 * MNIST-10k), {@code --hidden 128}, {@code --batch 64}, {@code --rows N} (default: all training
 * rows), {@code --warmup 2}, {@code --epochs 5}, {@code --backends simd,gpu}.
 */
@Command(
        name = "GpuEpochBench",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = "Times training epochs of an MLP 784-H-10 on MNIST-10k on each backend; prints one JSON object.")
public final class GpuEpochBench implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--data", paramLabel = "DIR", description = "MNIST IDX folder (default: the embedded MNIST-10k).")
    Path data;

    @Option(names = "--hidden", paramLabel = "H", description = "Width of the hidden ReLU layer.")
    int hidden = 128;

    @Option(names = "--batch", paramLabel = "B", description = "Rows per minibatch.")
    int batch = 64;

    @Option(names = "--rows", paramLabel = "N", description = "Train on the first N rows (default: all).")
    int rows = -1;

    @Option(names = "--warmup", paramLabel = "E", description = "Untimed epochs first.")
    int warmup = 2;

    @Option(names = "--epochs", paramLabel = "E", description = "Timed epochs.")
    int epochs = 5;

    @Option(names = "--backends", paramLabel = "NAMES", split = ",", description = "Backends to time.")
    List<String> backends = List.of("simd", "gpu");

    public static void main(String[] args) {
        System.exit(new CommandLine(new GpuEpochBench()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Dataset train =
                data == null ? EmbeddedData.mnist10k().train() : Idx.mnist(data).train();
        if (rows > 0 && rows < train.rows())
            train = train.select(IntStream.range(0, rows).toArray(), train.name() + "-" + rows);
        Sequential model =
                Sequential.input(784).dense(hidden, Activation.RELU).dense(10).build();
        Optimizer opt = Optimizers.sgd(0.05).momentum(0.9);

        ObjectNode report = JSON.createObjectNode()
                .put("benchmark", "train_epoch")
                .put("model", "mlp 784-" + hidden + "-10 relu, softmax cross-entropy, sgd momentum")
                .put("rows", train.rows())
                .put("batch", batch)
                .put("warmup_epochs", warmup)
                .put("timed_epochs", epochs)
                .put("java", System.getProperty("java.version"))
                .put("cores", Runtime.getRuntime().availableProcessors());
        ObjectNode results = report.putObject("results");
        Map<String, Double> medians = new HashMap<>();
        for (String name : backends) {
            Backend backend = Backends.byName(name.trim());
            double[] seconds = time(backend, model, opt, train, batch, warmup, epochs);
            double[] sorted = seconds.clone();
            Arrays.sort(sorted);
            double median = sorted[sorted.length / 2];
            medians.put(backend.name(), median);
            ObjectNode r = results.putObject(backend.name()).put("device", backend.device());
            ArrayNode times = r.putArray("epoch_seconds");
            for (double s : seconds) times.add(rounded(s));
            r.put("median_epoch_seconds", rounded(median)).put("rows_per_second", rounded(train.rows() / median));
        }
        if (medians.containsKey("simd") && medians.containsKey("gpu"))
            report.put("gpu_speedup_over_simd", rounded(medians.get("simd") / medians.get("gpu")));
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        return 0;
    }

    /** Seconds of each timed epoch, after the warm-up epochs (same data order on every backend). */
    static double[] time(
            Backend backend, Sequential model, Optimizer opt, Dataset train, int batchSize, int warmup, int epochs) {
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

    /** 4 decimals, as the report prints them. */
    private static BigDecimal rounded(double v) {
        return BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_EVEN);
    }
}
