package dev.descent.dsl;

import dev.descent.backend.BackendProvider;
import dev.descent.backend.Backends;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.metric.Metric;
import dev.descent.model.Sequential;
import dev.descent.optim.Averaging;
import dev.descent.optim.Optimizer;
import dev.descent.schedule.ReduceOnPlateau;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;
import dev.descent.train.Callback;
import dev.descent.train.Clipping;
import dev.descent.train.EarlyStopping;
import dev.descent.train.History;
import dev.descent.train.Monitor;
import dev.descent.train.TrainingConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A fluent builder of a {@link TrainingSpec}. Setters only record their value; {@link #build()} checks
 * everything at once and fails with an {@link IllegalArgumentException} whose message names the field
 * and its value (batch size 0, a negative learning rate, a missing loss, an unknown backend...).
 * {@link #fit} is {@code build().fit(...)}.
 *
 * <h2>Learning rate: a number or a schedule</h2>
 *
 * The optimizer carries a base learning rate ({@code Optimizers.sgd(0.1)}); {@link #schedule} sets a
 * <em>multiplier</em> of it per optimizer step, as everywhere in Descent ({@code warmup(500)} rises
 * to 1, so to the base rate). {@link #lr(double)} replaces the optimizer's base rate; {@link
 * #lr(Schedule)} gives <em>absolute</em> learning rates, and is exactly the optimizer at lr 1 with
 * that schedule as the multiplier. So these two specs are equal:
 *
 * <pre>{@code
 * .optimizer(sgd(0.1)).schedule(warmup(500).then(cosine(20_000)))
 * .optimizer(sgd(0.5)).lr(0.1).schedule(warmup(500).then(cosine(20_000)))   // lr(number) replaces 0.5
 * }</pre>
 *
 * and these two are equal to each other and give the learning rates of the two above (up to rounding:
 * {@code 0.1 × s(t)} against {@code 1 × (s(t) × 0.1)}):
 *
 * <pre>{@code
 * .optimizer(sgd(1)).schedule(warmup(500).then(cosine(20_000)).scale(0.1))
 * .optimizer(sgd(0.1)).lr(warmup(500).then(cosine(20_000)).scale(0.1))      // absolute rates
 * }</pre>
 *
 * Giving both {@code lr(Schedule)} and {@code schedule(...)} is an error (which would multiply
 * which?).
 *
 * <p>A builder is not thread-safe; the specs it builds are immutable and independent of it.
 */
public final class TrainingBuilder {
    private static final TrainingConfig DEFAULTS = TrainingConfig.defaults();

    private Object model; // Sequential or Sequential.Builder
    private Loss loss;
    private Optimizer optimizer;
    private Double lr;
    private Schedule lrSchedule;
    private Schedule schedule;
    private boolean scheduleInEpochs;
    private ReduceOnPlateau.Config plateau;
    private Monitor plateauMonitor;
    private List<Metric> metrics = List.of();
    private int batchSize = DEFAULTS.batchSize();
    private int epochs = DEFAULTS.epochs();
    private int accumulation = DEFAULTS.accumulation();
    private Clipping clipping = DEFAULTS.clipping();
    private Batches.Sampling sampling = DEFAULTS.sampling();
    private boolean dropLast = DEFAULTS.dropLast();
    private long seed = DEFAULTS.seed();
    private EarlyStopping earlyStopping;
    private Averaging averaging;
    private double divergenceFactor = DEFAULTS.divergenceFactor();
    private Path checkpointDir;
    private int checkpointEvery = DEFAULTS.checkpointEvery();
    private int checkpointEverySteps = DEFAULTS.checkpointEverySteps();
    private boolean checkpointOverwrite = DEFAULTS.checkpointOverwrite();
    private final List<Callback> callbacks = new ArrayList<>();
    private String backend;
    private Boolean progressBar;
    private Object spark; // a SparkSession; Object so that this class loads without Spark
    private Integer partitions;
    private int localSteps;

    /** Use {@link Descent#train}. */
    TrainingBuilder() {}

    /** The model to train. */
    public TrainingBuilder model(Sequential model) {
        this.model = model;
        return this;
    }

    /** The model to train, built from this builder when the spec is built. */
    public TrainingBuilder model(Sequential.Builder model) {
        this.model = model;
        return this;
    }

    /** The loss ({@code Loss.softmaxCrossEntropy()}, {@code Loss.mse()}...); required. */
    public TrainingBuilder loss(Loss loss) {
        this.loss = loss;
        return this;
    }

    /** The optimizer, with its base learning rate ({@code Optimizers.sgd(0.1).momentum(0.9)}); required. */
    public TrainingBuilder optimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
        return this;
    }

    /** Replaces the optimizer's base learning rate. */
    public TrainingBuilder lr(double lr) {
        this.lr = lr;
        this.lrSchedule = null;
        return this;
    }

    /**
     * Absolute learning rates per optimizer step: the optimizer's base rate becomes 1 and this is
     * the multiplier. Cannot be combined with {@link #schedule}.
     */
    public TrainingBuilder lr(Schedule absolute) {
        this.lrSchedule = Objects.requireNonNull(absolute, "lr");
        this.lr = null;
        return this;
    }

    /** A multiplier of the optimizer's base learning rate, counted in optimizer steps. */
    public TrainingBuilder schedule(Schedule multiplier) {
        this.schedule = multiplier;
        this.scheduleInEpochs = false;
        return this;
    }

    /** A multiplier of the base learning rate counted in epochs (constant within an epoch). */
    public TrainingBuilder epochSchedule(Schedule multiplier) {
        this.schedule = multiplier;
        this.scheduleInEpochs = true;
        return this;
    }

    /** Reduce-on-plateau control over the schedule, driven by the monitored loss once per epoch. */
    public TrainingBuilder plateau(ReduceOnPlateau.Config plateau) {
        this.plateau = plateau;
        return this;
    }

    /**
     * Reduce-on-plateau driven by a recorded quantity ({@code "val_auc"}, {@code "val_loss"}...; see
     * {@link #metrics}) in its own direction (AUC: higher is better), which replaces the config's mode.
     */
    public TrainingBuilder plateau(ReduceOnPlateau.Config plateau, String monitor) {
        return plateau(plateau, monitor, null);
    }

    /** {@link #plateau(ReduceOnPlateau.Config, String)} with the direction given (null: the quantity's own). */
    public TrainingBuilder plateau(ReduceOnPlateau.Config plateau, String monitor, ReduceOnPlateau.Mode mode) {
        this.plateau = plateau;
        this.plateauMonitor = monitor == null ? null : Monitor.of(monitor, mode);
        return this;
    }

    /**
     * The metrics measured after every epoch on the training set (an evaluation pass with the
     * epoch's final parameters) and on the validation set: {@code Metrics.topK(5)}, {@code
     * Metrics.f1Macro()}, {@code Metrics.auc()}... Recorded in the history (and its CSV) as {@code
     * top5_accuracy} and {@code val_top5_accuracy}, where early stopping and reduce-on-plateau can
     * monitor them. Replaces the metrics set before; default none.
     */
    public TrainingBuilder metrics(Metric... metrics) {
        this.metrics = java.util.Arrays.asList(metrics.clone());
        return this;
    }

    /** Rows per (micro-)batch, {@code > 0}; default 32. */
    public TrainingBuilder batchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
    }

    /** Passes over the training set, {@code > 0}; default 10. */
    public TrainingBuilder epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    /** Micro-batches per optimizer step (gradient accumulation), {@code >= 1}; default 1. */
    public TrainingBuilder accumulation(int microBatches) {
        this.accumulation = microBatches;
        return this;
    }

    /** Gradient clipping ({@code Clipping.byNorm(1)}); default none. */
    public TrainingBuilder clipping(Clipping clipping) {
        this.clipping = clipping;
        return this;
    }

    /** How batches are drawn, and whether an epoch's last smaller batch is skipped. */
    public TrainingBuilder sampling(Batches.Sampling sampling, boolean dropLast) {
        this.sampling = sampling;
        this.dropLast = dropLast;
        return this;
    }

    /** Drives initialisation and every epoch's batch order; default 42. */
    public TrainingBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Early stopping on the monitored loss; default none. */
    public TrainingBuilder earlyStopping(EarlyStopping earlyStopping) {
        this.earlyStopping = earlyStopping;
        return this;
    }

    /**
     * Early stopping on a recorded quantity ({@code "val_auc"}, {@code "val_f1_macro"}, {@code
     * "val_loss"}...): stops after {@code patience} epochs without improvement and restores the best
     * epoch's parameters. {@code mode} null: the quantity's own direction (losses and errors lower,
     * the other metrics higher). Unknown names fail at {@link #build()}, listing the known ones.
     */
    public TrainingBuilder earlyStopping(String monitor, ReduceOnPlateau.Mode mode, int patience) {
        this.earlyStopping = EarlyStopping.patience(patience).monitoring(monitor, mode);
        return this;
    }

    /**
     * Iterate averaging ({@code Averaging.ema(0.999)}, {@code Averaging.swa(startStep)}, {@code
     * Averaging.polyak()}); null (default) for none. Validation, checkpoints and the result use the
     * average once there is one.
     */
    public TrainingBuilder averaging(Averaging averaging) {
        this.averaging = averaging;
        return this;
    }

    /** A step loss above this many times the first stops training as diverged; default 100. */
    public TrainingBuilder divergenceFactor(double factor) {
        this.divergenceFactor = factor;
        return this;
    }

    /**
     * Checkpoints into the folder {@code dir} every {@code everyEpochs} epochs and at the end (null
     * dir: none); {@link TrainingSpec#resume} continues from one.
     */
    public TrainingBuilder checkpoints(Path dir, int everyEpochs) {
        this.checkpointDir = dir;
        this.checkpointEvery = everyEpochs;
        return this;
    }

    /**
     * Also checkpoints every {@code steps} optimizer steps (0, the default: only at epoch ends), in
     * the middle of an epoch too; {@link TrainingSpec#resume} continues at the recorded batch. Needs
     * {@link #checkpoints}.
     */
    public TrainingBuilder checkpointEverySteps(int steps) {
        this.checkpointEverySteps = steps;
        return this;
    }

    /**
     * Whether this run may replace another run's checkpoint found in the {@link #checkpoints} folder
     * (default false: refused before training, naming it); see {@code
     * TrainingConfig.checkpointOverwrite}. A run always replaces its own and the one it resumes from.
     */
    public TrainingBuilder overwriteCheckpoint(boolean overwrite) {
        this.checkpointOverwrite = overwrite;
        return this;
    }

    /** Adds callbacks, called in the order added (after the progress bar, if any). */
    public TrainingBuilder callbacks(Callback... more) {
        for (Callback c : more) callbacks.add(Objects.requireNonNull(c, "callback"));
        return this;
    }

    /** Calls {@code action} after every epoch. */
    public TrainingBuilder onEpochEnd(Consumer<History.Epoch> action) {
        Objects.requireNonNull(action, "onEpochEnd");
        return callbacks(new Callback() {
            @Override
            public void onEpochEnd(History.Epoch epoch) {
                action.accept(epoch);
            }
        });
    }

    /** Calls {@code action} after every optimizer step. */
    public TrainingBuilder onStepEnd(Consumer<History.Step> action) {
        Objects.requireNonNull(action, "onStepEnd");
        return callbacks(new Callback() {
            @Override
            public void onStepEnd(History.Step step) {
                action.accept(step);
            }
        });
    }

    /**
     * The backend by name: {@code "scalar"}, {@code "simd"}, {@code "gpu"} (needs descent-gpu on the
     * class path) or {@code "auto"} (the best available, named in one log line). Unset (or null),
     * the spec uses {@code -Ddescent.backend} when the run starts, else {@code auto}; a name set here
     * wins over the property.
     */
    public TrainingBuilder backend(String name) {
        this.backend = name;
        return this;
    }

    /**
     * Whether to draw a progress bar (epochs, steps, loss, samples/s, ETA) on the terminal. Default:
     * on when a console is attached. It never draws when there is no console ({@code
     * System.console() == null}: output redirected, CI, tests).
     */
    public TrainingBuilder progressBar(boolean on) {
        this.progressBar = on;
        return this;
    }

    /**
     * Trains on Apache Spark, data-parallel and synchronous: the training rows are split over {@link
     * #partitions} Spark partitions, each computes its share of every batch's gradient, and the
     * driver steps the optimizer; the run equals the one on this machine up to float summation order.
     * Needs descent-spark (and Spark) on the class path; the rest of the spec is unchanged. Null
     * (default): train on this machine.
     */
    public TrainingBuilder spark(org.apache.spark.sql.SparkSession session) {
        this.spark = session;
        return this;
    }

    /** Spark partitions the training rows are split into, {@code >= 1}; default: the session's default parallelism. */
    public TrainingBuilder partitions(int partitions) {
        this.partitions = partitions;
        return this;
    }

    /**
     * On Spark, local SGD instead of synchronous steps: every partition takes {@code localSteps}
     * steps on its own rows, then parameters and optimizer state are averaged (weighted by rows); 0
     * (default): synchronous. 1 with plain SGD equals synchronous.
     */
    public TrainingBuilder localSgd(int localSteps) {
        this.localSteps = localSteps;
        return this;
    }

    /**
     * The spec, checked.
     *
     * @throws IllegalArgumentException naming the first field that makes no sense and its value
     */
    public TrainingSpec build() {
        if (model == null)
            throw new IllegalArgumentException(
                    "model is missing (null): give one to Descent.train(...) or .model(...), e.g. Models.mlp(784).dense(10)");
        Sequential m;
        try {
            m = model instanceof Sequential.Builder b ? b.build() : (Sequential) model;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model: " + e.getMessage(), e);
        }
        if (loss == null)
            throw new IllegalArgumentException(
                    "loss is missing (null): call .loss(...), e.g. Loss.softmaxCrossEntropy() or Loss.mse()");
        if (optimizer == null)
            throw new IllegalArgumentException(
                    "optimizer is missing (null): call .optimizer(...), e.g. Optimizers.sgd(0.1)");
        Optimizer opt = optimizer;
        Schedule multiplier = schedule == null ? Schedules.constant(1) : schedule;
        if (lr != null) {
            checkLr("lr", lr);
            opt = opt.withLr(lr);
        } else if (lrSchedule != null) {
            if (schedule != null)
                throw new IllegalArgumentException("lr is an absolute schedule (" + lrSchedule
                        + ") and schedule is also set (" + schedule
                        + "): give one of them (lr(s) is the optimizer at lr 1 with schedule s)");
            opt = opt.withLr(1);
            multiplier = lrSchedule;
        }
        checkLr("optimizer lr", opt.lr());
        double first = multiplier.at(0);
        if (!(first >= 0) || Double.isInfinite(first))
            throw new IllegalArgumentException(
                    "schedule must give a finite value >= 0, got " + first + " at step 0 (" + multiplier + ")");
        TrainingConfig config = DEFAULTS.withBatchSize(batchSize)
                .withEpochs(epochs)
                .withAccumulation(accumulation)
                .withClipping(required(clipping, "clipping"))
                .withSampling(required(sampling, "sampling"), dropLast)
                .withSeed(seed)
                .withEarlyStopping(earlyStopping)
                .withAveraging(averaging)
                .withDivergenceFactor(divergenceFactor)
                .withPlateau(plateau, plateauMonitor)
                .withMetrics(metrics.toArray(Metric[]::new))
                .withCheckpoints(checkpointDir, checkpointEvery)
                .withCheckpointEverySteps(checkpointEverySteps)
                .withCheckpointOverwrite(checkpointOverwrite);
        config = scheduleInEpochs ? config.withEpochSchedule(multiplier) : config.withSchedule(multiplier);
        Monitor.check(config, true); // an unknown name fails now; a val_ one without validation data at fit
        String backendName = checkBackend(backend);
        if (partitions != null) {
            if (spark == null)
                throw new IllegalArgumentException(
                        "partitions is " + partitions + " but spark is not set: call .spark(session) too");
            if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        if (localSteps != 0 && spark == null)
            throw new IllegalArgumentException(
                    "localSgd is " + localSteps + " but spark is not set: call .spark(session) too");
        if (localSteps < 0) throw new IllegalArgumentException("localSgd must be >= 0, got " + localSteps);
        return new TrainingSpec(
                m,
                loss,
                opt,
                config,
                backendName,
                progressBar,
                callbacks,
                spark,
                partitions == null ? 0 : partitions,
                localSteps);
    }

    /** {@code build().fit(train)}. */
    public Fit fit(Dataset train) {
        return build().fit(train);
    }

    /** {@code build().fit(train, validation)}. */
    public Fit fit(Dataset train, Dataset validation) {
        return build().fit(train, validation);
    }

    private static void checkLr(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value))
            throw new IllegalArgumentException(field + " must be finite and >= 0, got " + value);
    }

    private static <T> T required(T value, String field) {
        if (value == null) throw new IllegalArgumentException(field + " must not be null");
        return value;
    }

    /** The backend name normalised (lower case), or null; unknown names fail here, not at fit. */
    static String checkBackend(String name) {
        if (name == null) return null;
        String n = name.trim().toLowerCase(Locale.ROOT);
        List<String> known = new ArrayList<>(List.of("auto", "scalar", "simd"));
        if (known.contains(n)) return n;
        for (BackendProvider p : Backends.providers()) {
            if (p.name().equalsIgnoreCase(n)) return n;
            known.add(p.name());
        }
        // descent-gpu missing: Backends.byName says what to add, at fit
        if (n.equals("gpu") || n.equals("gpu-or-simd")) return n;
        throw new IllegalArgumentException(
                "backend must be one of " + known + ", gpu or gpu-or-simd, got '" + name + "'");
    }
}
