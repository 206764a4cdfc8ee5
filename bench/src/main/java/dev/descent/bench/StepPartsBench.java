package dev.descent.bench;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.examples.EmbeddedData;
import dev.descent.loss.Loss;
import dev.descent.model.Dense;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;
import dev.descent.train.Callback;
import dev.descent.train.Clipping;
import dev.descent.train.History;
import dev.descent.train.TrainingSession;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * The {@code descent bench} step taken apart: the MLP 784-128(ReLU)-10 on MNIST-10k's training
 * rows, batch 64 of a shuffled epoch, softmax cross-entropy, SGD lr 0.1 momentum 0.9. {@link #step}
 * is one whole iteration of that loop (gather the batch, forward, loss, backward, update, add the
 * loss up); every other benchmark is one part of it at the same sizes, on the same backend:
 *
 * <ul>
 *   <li>{@link #products}: the five matrix products alone (forward X·W₁ᵀ and A₁·W₂ᵀ, weight
 *       gradients dZᵀ·X, input gradient dL·W₂);
 *   <li>the parts that are not a product: {@link #gather} (64 shuffled rows into the batch),
 *       {@link #biasRelu} (bias rows and ReLU as separate passes; the step runs them in the
 *       product's epilogue, so this is an upper bound), {@link #softmaxCrossEntropy} (value and
 *       gradient), {@link #reluBackward}, {@link #biasGradients} (column sums), {@link #update}
 *       (the SGD step over all 101,770 parameters) and {@link #bookkeeping} (what the trainer adds
 *       per step beyond {@code descent bench}'s loop: gradient L2 norm, schedule, history entry,
 *       a callback).
 * </ul>
 *
 * <p>{@link #main} runs them on {@code simd-1} and {@code simd-2} (JMH options as usual) and prints
 * each part's median µs and its share of the step:
 *
 * <pre>
 * mvn -B -pl bench -am -DskipTests package
 * java --add-modules=jdk.incubator.vector -cp "bench/target/classes:bench/target/lib/*" \
 *     dev.descent.bench.StepPartsBench
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class StepPartsBench {

    /** {@code simd-N}: the SIMD backend on N threads (or {@code scalar}). */
    @Param({"simd-1", "simd-2"})
    public String backend;

    static final int BATCH = 64, IN = 784, HIDDEN = 128, OUT = 10;
    static final float LR = 0.1f;

    private Backend be;
    private Loss loss;
    private TrainingSession session;
    private Batches batches;
    private Batch batch;
    private long epoch;
    private double lossSum;

    /** The parts' own buffers: parameters, gradients and activations of one step at the step's sizes. */
    private float[] params, grads, x, y, z1, a1, logits, dLogits, dA1, dZ1;
    /**
     * The parameters {@link #update} changes: its own copy. Updating {@link #params} itself, which
     * the other parts read, let them drift over a run: in one run of {@link StepPartsReport} the
     * update took 636 µs, against 20 µs for the update alone.
     */
    private float[] updated;

    private int w1, b1, w2, b2;
    private Optimizer sgd;
    private OptimizerState state;
    private Schedule schedule;
    private List<Callback> callbacks;
    private List<History.Step> history;
    private long step;
    private long start;
    private double firstLoss;

    @Setup
    public void setUp() {
        be = Backs.create(backend);
        Dataset train = EmbeddedData.mnist10k().train();
        Sequential model =
                Models.mlp(IN).dense(HIDDEN, Activation.RELU).dense(OUT).build();
        loss = Loss.softmaxCrossEntropy();
        sgd = Optimizers.sgd(LR).momentum(0.9);
        params = model.initialParameters(42);
        session = TrainingSession.open(be, model, loss, sgd, params);
        batches = new Batches(train, BATCH, 42);
        batch = batches.newBatch();

        Dense first = (Dense) model.layers().get(0),
                second = (Dense) model.layers().get(1);
        w1 = first.weightOffset();
        b1 = first.biasOffset();
        w2 = second.weightOffset();
        b2 = second.biasOffset();
        grads = new float[params.length];
        updated = params.clone();
        state = sgd.newState(params.length);
        gather(); // a real batch of MNIST rows for the parts
        x = batch.x().clone();
        y = batch.y().clone();
        z1 = new float[BATCH * HIDDEN];
        a1 = new float[BATCH * HIDDEN];
        logits = new float[BATCH * OUT];
        dLogits = new float[BATCH * OUT];
        dA1 = new float[BATCH * HIDDEN];
        dZ1 = new float[BATCH * HIDDEN];
        // one real forward and backward, so every part reads the values it reads in a step
        be.dense(Activation.RELU, x, 0, params, w1, params, b1, z1, 0, a1, 0, BATCH, HIDDEN, IN);
        be.dense(Activation.IDENTITY, a1, 0, params, w2, params, b2, logits, 0, logits, 0, BATCH, OUT, HIDDEN);
        softmaxCrossEntropy();
        products();
        reluBackward();
        biasGradients();

        schedule = Schedules.constant(1);
        callbacks = List.of(new Callback() {
            @Override
            public void onStepEnd(History.Step s) {
                if (s.loss() < 0) throw new IllegalStateException("negative loss " + s.loss());
            }
        });
        history = new ArrayList<>();
        start = System.nanoTime();
        firstLoss = Double.NaN;
    }

    @TearDown
    public void tearDown() {
        session.close();
    }

    /** The next batch of the shuffled epoch into {@link #batch}, starting the next epoch at the end. */
    @Benchmark
    public Batch gather() {
        if (!batches.next(batch, be)) {
            batches.startEpoch(++epoch);
            batches.next(batch, be);
        }
        return batch;
    }

    /** One iteration of {@code descent bench}'s loop: gather, forward, loss, backward, update, loss sum. */
    @Benchmark
    public double step() {
        Batch b = gather();
        lossSum += session.accumulate(b.x(), b.y(), b.rows(), 1f) * b.rows();
        session.step(LR);
        return lossSum;
    }

    /** The step's five matrix products, nothing else (no bias, activation or gradient of either). */
    @Benchmark
    public float[] products() {
        be.matmulNT(x, 0, params, w1, z1, 0, BATCH, HIDDEN, IN, false);
        be.matmulNT(a1, 0, params, w2, logits, 0, BATCH, OUT, HIDDEN, false);
        be.matmulTN(dLogits, 0, a1, 0, grads, w2, OUT, HIDDEN, BATCH, false);
        be.matmul(dLogits, 0, params, w2, dA1, 0, BATCH, HIDDEN, OUT, false);
        be.matmulTN(dZ1, 0, x, 0, grads, w1, HIDDEN, IN, BATCH, false);
        return grads;
    }

    /**
     * The forward pass's element-wise work as separate passes: bias rows into both layers' outputs,
     * ReLU of the hidden one (the step runs these in the products' epilogue).
     */
    @Benchmark
    public float[] biasRelu() {
        be.addRowVector(z1, 0, BATCH, HIDDEN, params, b1);
        be.activate(Activation.RELU, z1, 0, a1, 0, BATCH * HIDDEN);
        be.addRowVector(logits, 0, BATCH, OUT, params, b2);
        return a1;
    }

    /** Softmax cross-entropy of the 64×10 logits: the mean loss and its gradient. */
    @Benchmark
    public double softmaxCrossEntropy() {
        return loss.valueAndGradient(logits, 0, y, 0, BATCH, OUT, dLogits, 0, 1f);
    }

    /** dZ₁ = dA₁ where z₁ > 0, else 0 (64×128). */
    @Benchmark
    public float[] reluBackward() {
        be.activationGrad(Activation.RELU, z1, 0, a1, 0, dA1, 0, dZ1, 0, BATCH * HIDDEN);
        return dZ1;
    }

    /** The bias gradients: column sums of dL (64×10) and dZ₁ (64×128). */
    @Benchmark
    public float[] biasGradients() {
        be.sumRows(dLogits, 0, BATCH, OUT, grads, b2, false);
        be.sumRows(dZ1, 0, BATCH, HIDDEN, grads, b1, false);
        return grads;
    }

    /**
     * SGD with momentum 0.9 over the flat buffer of all 101,770 parameters (a copy of them, {@link
     * #updated}, with the step's gradient).
     */
    @Benchmark
    public float[] update() {
        sgd.step(be, updated, grads, state, LR);
        return updated;
    }

    /**
     * What the trainer does per step outside the session: the gradient's L2 norm ({@link
     * Clipping#NONE} measures it), the learning rate from the schedule, the divergence checks, the
     * loss sum, a history entry with the time so far, and one callback.
     */
    @Benchmark
    public double bookkeeping() {
        double norm = Clipping.NONE.apply(be, grads, grads.length);
        double lr = sgd.lr() * schedule.at(step);
        double stepLoss = 2.3;
        if (Double.isNaN(firstLoss)) firstLoss = stepLoss;
        if (!Double.isFinite(stepLoss) || !Double.isFinite(norm) || !(lr >= 0) || stepLoss > 1e6 * firstLoss)
            throw new IllegalStateException("diverged");
        lossSum += stepLoss * BATCH;
        History.Step s = new History.Step(step, 1, stepLoss, lr, norm, (System.nanoTime() - start) / 1e9);
        step++;
        if (history.size() == 100_000) history.clear();
        history.add(s);
        for (Callback c : callbacks) c.onStepEnd(s);
        return lossSum;
    }

    /** The parts {@link #main} reports, in the order of a step; {@code products} is not one of them. */
    static final List<String> PARTS = List.of(
            "gather", "biasRelu", "softmaxCrossEntropy", "reluBackward", "biasGradients", "update", "bookkeeping");

    /**
     * Runs this benchmark (JMH's command-line options apply, e.g. {@code -p backend=simd-1 -f 1}) and
     * prints per backend each part's median µs and its share of the step.
     */
    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli);
        if (cli.getIncludes().isEmpty()) builder.include(StepPartsBench.class.getName() + ".");
        Collection<RunResult> results = new Runner(builder.build()).run();
        Map<String, Map<String, Double>> byBackend = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark().replaceFirst("^.*\\.", "");
            double median = r.getPrimaryResult().getStatistics().getPercentile(50);
            byBackend
                    .computeIfAbsent(r.getParams().getParam("backend"), k -> new LinkedHashMap<>())
                    .put(name, median);
        }
        System.out.println();
        byBackend.forEach((b, m) -> summary(b, m).forEach(System.out::println));
    }

    /** The summary lines of one backend: each part's µs and share of the step, then the totals. */
    static List<String> summary(String backend, Map<String, Double> us) {
        List<String> lines = new ArrayList<>();
        double step = us.getOrDefault("step", Double.NaN);
        lines.add(String.format(Locale.ROOT, "%s: step %.1f µs (%.0f samples/s)", backend, step, BATCH / step * 1e6));
        double parts = 0;
        for (String p : PARTS) {
            Double v = us.get(p);
            if (v == null) continue;
            parts += v;
            lines.add(String.format(Locale.ROOT, "  %-22s %8.2f µs %6.1f %%", p, v, 100 * v / step));
        }
        Double products = us.get("products");
        lines.add(String.format(
                Locale.ROOT, "  %-22s %8.2f µs %6.1f %%", "non-product parts", parts, 100 * parts / step));
        if (products != null) {
            lines.add(String.format(
                    Locale.ROOT, "  %-22s %8.2f µs %6.1f %%", "products alone", products, 100 * products / step));
            lines.add(String.format(
                    Locale.ROOT,
                    "  %-22s %8.2f µs %6.1f %%",
                    "step - products",
                    step - products,
                    100 * (step - products) / step));
        }
        return lines;
    }
}
