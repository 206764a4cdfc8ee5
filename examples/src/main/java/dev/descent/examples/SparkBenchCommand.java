package dev.descent.examples;

import dev.descent.data.Dataset;
import dev.descent.data.Split;
import dev.descent.dsl.Fit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./descent spark-bench}: Descent's MNIST MLP on Spark (sync mode, 1 and 2 partitions) against
 * Spark ML's {@code MultilayerPerceptronClassifier} (solvers gd and l-bfgs) on the same MNIST-10k rows,
 * in one Spark session; the per-step cost split into compute (the same step in-process) and Spark's
 * overhead, and the cost model {@code t(N) = c/N + o} that predicts a step on N machines.
 */
@Command(
        name = "spark-bench",
        mixinStandardHelpOptions = true,
        showDefaultValues = true,
        description = {
            "Benchmarks Descent on Spark against Spark ML's MultilayerPerceptronClassifier on MNIST-10k (8,000 train"
                    + " / 2,000 test rows): time to reach Descent's test accuracy, Descent's step time with 1 and 2"
                    + " partitions against the same step in-process, and the cost model t(N) = c/N + o.",
            "Spark ML trains 784-128-10 (sigmoid hidden layer, its only choice) with maxIter on a ladder until it"
                    + " reaches the target accuracy or --max-iter; each rung is a fresh fit, timed alone.",
            "Its last line is one JSON object with the figures."
        })
public final class SparkBenchCommand implements Callable<Integer> {

    @Option(names = "--master", paramLabel = "URL", description = "Spark master.")
    String master = "local[2]";

    @Option(names = "--epochs", paramLabel = "N", description = "Descent's epochs (batch 64, lr 0.1, momentum 0.9).")
    int epochs = 3;

    @Option(names = "--max-iter", paramLabel = "N", description = "Spark ML's largest maxIter tried per solver.")
    int maxIter = 400;

    @Option(names = "--limit", paramLabel = "N", description = "Use the first N training and N/4 test rows.")
    Integer limit;

    @Override
    public Integer call() {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
        if (maxIter < 1) throw new IllegalArgumentException("--max-iter must be >= 1, got " + maxIter);
        Split split = EmbeddedData.mnist10k();
        if (limit != null) {
            if (limit < 4) throw new IllegalArgumentException("--limit must be >= 4, got " + limit);
            split = new Split(
                    MnistExample.first(split.train(), limit), MnistExample.first(split.test(), Math.max(1, limit / 4)));
        }
        Dataset train = split.train(), test = split.test();
        int batch = 64;
        long total = epochs * ((train.rows() + batch - 1) / batch), warmup = Math.max(1, total / 10);
        SparkSession spark = SparkMnistExample.session(master);
        try {
            // compute per step: the same spec in-process
            Fit local = SparkMnistExample.spec(128, 0.1, 0.9, batch, epochs, 42, total, warmup)
                    .backend("simd")
                    .progressBar(false)
                    .fit(train, test);
            double c = SparkMnistExample.medianStep(local.history());
            double[] step = new double[3], seconds = new double[3], accuracy = new double[3];
            for (int k = 1; k <= 2; k++) {
                Fit f = SparkMnistExample.spec(128, 0.1, 0.9, batch, epochs, 42, total, warmup)
                        .backend("simd")
                        .progressBar(false)
                        .spark(spark)
                        .partitions(k)
                        .fit(train, test);
                step[k] = SparkMnistExample.medianStep(f.history());
                seconds[k] = f.seconds();
                accuracy[k] = f.accuracy(test);
                System.out.printf(
                        Locale.ROOT,
                        "descent on spark, %d partition(s): %.2f s for %d epochs, test accuracy %.4f, median step"
                                + " %.1f ms (in-process %.1f ms)%n",
                        k,
                        f.seconds(),
                        epochs,
                        accuracy[k],
                        1000 * step[k],
                        1000 * c);
            }
            double target = accuracy[2], o = step[1] - c;
            var table = table(spark, train).repartition(2).cache();
            var testTable = table(spark, test).cache();
            table.count();
            testTable.count();
            List<String> ml = new ArrayList<>();
            for (String solver : List.of("l-bfgs", "gd")) {
                double reached = Double.NaN, last = Double.NaN, best = 0;
                int at = -1;
                for (int iter = 10; iter <= maxIter; iter *= 2) {
                    var mlp = new MultilayerPerceptronClassifier()
                            .setLayers(new int[] {784, 128, 10})
                            .setSolver(solver)
                            .setMaxIter(iter)
                            .setTol(0)
                            .setSeed(42)
                            .setBlockSize(128);
                    if (solver.equals("gd")) mlp.setStepSize(0.5);
                    long t0 = System.nanoTime();
                    MultilayerPerceptronClassificationModel model = mlp.fit(table);
                    double s = (System.nanoTime() - t0) / 1e9;
                    last = new MulticlassClassificationEvaluator()
                            .setMetricName("accuracy")
                            .evaluate(model.transform(testTable));
                    System.out.printf(
                            Locale.ROOT,
                            "spark ml mlp %s, maxIter %d: %.2f s, test accuracy %.4f%n",
                            solver,
                            iter,
                            s,
                            last);
                    best = Math.max(best, last);
                    if (last >= target) {
                        reached = s;
                        at = iter;
                        break;
                    }
                }
                ml.add(String.format(
                        Locale.ROOT,
                        "\"spark_ml_%s_s\": %s, \"spark_ml_%s_iter\": %d, \"spark_ml_%s_best_accuracy\": %.4f",
                        solver.replace("-", ""),
                        Double.isNaN(reached) ? "null" : String.format(Locale.ROOT, "%.2f", reached),
                        solver.replace("-", ""),
                        at,
                        solver.replace("-", ""),
                        best));
            }
            // t(N) = w/N + o fitted to the measured steps with 1 and 2 partitions: w = 2(t1 - t2), o = 2 t2 - t1
            double w = 2 * (step[1] - step[2]), fixed = 2 * step[2] - step[1];
            System.out.printf(
                    Locale.ROOT,
                    "cost model: a Spark step = w/N + o; fitted to N = 1, 2: w = %.1f ms (the step's work in Spark"
                            + " tasks; in-process the step costs c = %.1f ms), o = %.1f ms (job, broadcast,"
                            + " treeAggregate); predicted N = 4, 8, 16: %.1f, %.1f, %.1f ms%n",
                    1000 * w,
                    1000 * c,
                    1000 * fixed,
                    1000 * (w / 4 + fixed),
                    1000 * (w / 8 + fixed),
                    1000 * (w / 16 + fixed));
            System.out.printf(
                    Locale.ROOT,
                    "{\"target_accuracy\": %.4f, \"descent_spark_s_1\": %.2f, \"descent_spark_s_2\": %.2f,"
                            + " \"step_ms_inprocess\": %.2f, \"step_ms_1\": %.2f, \"step_ms_2\": %.2f,"
                            + " \"overhead_ms\": %.2f, \"model_w_ms\": %.2f, \"model_o_ms\": %.2f, %s}%n",
                    target,
                    seconds[1],
                    seconds[2],
                    1000 * c,
                    1000 * step[1],
                    1000 * step[2],
                    1000 * o,
                    1000 * w,
                    1000 * fixed,
                    String.join(", ", ml));
            return 0;
        } finally {
            spark.stop();
        }
    }

    /** A Spark table (features: Spark ML vector, label: double) of a data set's rows. */
    private static org.apache.spark.sql.Dataset<Row> table(SparkSession spark, Dataset data) {
        int f = data.features();
        float[] x = data.x();
        List<Row> rows = new ArrayList<>(data.rows());
        for (int r = 0; r < data.rows(); r++) {
            double[] v = new double[f];
            for (int j = 0; j < f; j++) v[j] = x[r * f + j];
            rows.add(RowFactory.create(Vectors.dense(v), (double) data.label(r)));
        }
        StructType schema =
                new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
        return spark.createDataFrame(rows, schema);
    }
}
