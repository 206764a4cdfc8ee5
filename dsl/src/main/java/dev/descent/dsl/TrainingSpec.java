package dev.descent.dsl;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Dataset;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.train.Callback;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingConfig;
import dev.descent.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything a training run needs except the data: model, loss, optimizer (with its base learning
 * rate), the {@link TrainingConfig} (batch size, epochs, schedule, accumulation, clipping, seed,
 * early stopping, checkpoints...), the backend's name and whether to draw a progress bar, plus the
 * user's callbacks. Immutable; built by {@link TrainingBuilder} (Java) or {@code training { }}
 * (Kotlin), which give equal specs for equal settings.
 *
 * <p><b>Equality</b> compares model (its layers and init scheme), loss, optimizer, config, backend
 * name and progress-bar setting. Callbacks are <em>not</em> compared (they are code: two lambdas
 * doing the same thing are never equal); {@link #callbacks()} lists them. The {@link #config()} holds
 * no callbacks: they are added to it when a run starts.
 */
public final class TrainingSpec {
    private final Sequential model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final TrainingConfig config;
    private final String backend;
    private final Boolean progressBar;
    private final List<Callback> callbacks;
    private final Object spark; // a SparkSession or null; Object so that this class loads without Spark
    private final int partitions;
    private final int localSteps;

    TrainingSpec(
            Sequential model,
            Loss loss,
            Optimizer optimizer,
            TrainingConfig config,
            String backend,
            Boolean progressBar,
            List<Callback> callbacks,
            Object spark,
            int partitions,
            int localSteps) {
        this.model = Objects.requireNonNull(model, "model");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        if (!config.callbacks().isEmpty())
            throw new IllegalArgumentException("the spec keeps callbacks itself; config must hold none");
        this.config = config;
        this.backend = backend;
        this.progressBar = progressBar;
        this.callbacks = List.copyOf(callbacks);
        this.spark = spark;
        this.partitions = partitions;
        this.localSteps = localSteps;
    }

    public Sequential model() {
        return model;
    }

    public Loss loss() {
        return loss;
    }

    /** The optimizer; its {@link Optimizer#lr()} is the base rate the schedule multiplies. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** Batch size, epochs, schedule and the rest; without callbacks (see {@link #callbacks()}). */
    public TrainingConfig config() {
        return config;
    }

    /** The backend's name as set ({@code "simd"}, {@code "gpu"}...), or null for {@code -Ddescent.backend} / auto. */
    public String backendName() {
        return backend;
    }

    /** True or false as set, or null for "when a console is attached". */
    public Boolean progressBar() {
        return progressBar;
    }

    /** The user's callbacks, in order (the progress bar is not among them). */
    public List<Callback> callbacks() {
        return callbacks;
    }

    /** The Spark session this spec trains on, or null for this machine (see {@link TrainingBuilder#spark}). */
    public org.apache.spark.sql.SparkSession spark() {
        return (org.apache.spark.sql.SparkSession) spark;
    }

    /** Whether {@link #spark()} is set (asks without loading Spark's classes). */
    public boolean onSpark() {
        return spark != null;
    }

    /** Spark partitions of the training rows, or 0 for the session's default parallelism. */
    public int partitions() {
        return partitions;
    }

    /** Local steps per partition between averagings on Spark, or 0 for synchronous steps. */
    public int localSteps() {
        return localSteps;
    }

    /** The learning rate of optimizer step {@code step}: base rate × schedule (before any plateau control). */
    public double lrAt(long step) {
        return optimizer.lr() * config.schedule().at(step);
    }

    /**
     * The backend this spec runs on, created now: the name set, else {@code -Ddescent.backend}, else
     * {@code auto} (which logs one line saying what it picked).
     *
     * @throws IllegalArgumentException if that backend cannot run here (the message says why)
     */
    public Backend backend() {
        return backend == null ? Backends.fromSystemProperty() : Backends.byName(backend);
    }

    /** Trains from the seed's initial parameters, without validation. */
    public Fit fit(Dataset train) {
        return fit(train, null);
    }

    /** Trains from the seed's initial parameters; validation (may be null) is evaluated after every epoch. */
    public Fit fit(Dataset train, Dataset validation) {
        return fit(train, validation, null);
    }

    /**
     * Trains from the given parameters (not modified; null for the seed's initial parameters).
     *
     * @throws IllegalArgumentException if a data set does not fit the model (the message names the
     *     data set, the model's input width and the data's feature count) or the backend cannot run
     * @throws dev.descent.train.TrainingDivergedException if the loss or gradient diverged
     */
    public Fit fit(Dataset train, Dataset validation, float[] initialParameters) {
        checkFits(Objects.requireNonNull(train, "train"), "training");
        if (validation != null) checkFits(validation, "validation");
        if (initialParameters != null && initialParameters.length != model.parameterCount())
            throw new IllegalArgumentException("initialParameters has " + initialParameters.length
                    + " values but the model has " + model.parameterCount() + " parameters (" + model + ")");
        long start = System.nanoTime();
        if (spark != null) {
            if (initialParameters != null)
                throw new IllegalArgumentException(
                        "initialParameters: a run on Spark starts from the seed's initial parameters; give null");
            SparkRunner runner = SparkRunner.find();
            try (ProgressBarCallback bar = progressBarFor(progressBar)) {
                TrainingResult result = runner.fit(this, runConfig(bar), train, validation);
                return new Fit(this, result, (System.nanoTime() - start) / 1e9);
            }
        }
        Backend b = backend();
        try (ProgressBarCallback bar = progressBarFor(progressBar)) {
            Trainer trainer = trainer(b, bar);
            TrainingResult result = initialParameters == null
                    ? trainer.fit(train, validation)
                    : trainer.fit(train, validation, initialParameters);
            return new Fit(this, result, (System.nanoTime() - start) / 1e9);
        }
    }

    /**
     * Continues the run saved in the checkpoint folder {@code checkpoint} (written by a run whose spec
     * had {@code checkpoints(dir, everyEpochs)}) up to this spec's last epoch, exactly as if it had
     * not stopped: same parameters, optimizer state, schedule step, batch order and history. The
     * checkpoint must come from a spec with the same model, optimizer, seed, batch size,
     * accumulation and sampling; {@code epochs} may be larger. Validation may be null.
     *
     * @throws java.io.UncheckedIOException if the checkpoint is missing, corrupt or from another run
     *     (the cause names the file)
     */
    public Fit resume(Path checkpoint, Dataset train, Dataset validation) {
        checkFits(Objects.requireNonNull(train, "train"), "training");
        if (validation != null) checkFits(validation, "validation");
        long start = System.nanoTime();
        if (spark != null) {
            SparkRunner runner = SparkRunner.find();
            try (ProgressBarCallback bar = progressBarFor(progressBar)) {
                TrainingResult result = runner.resume(this, runConfig(bar), checkpoint, train, validation);
                return new Fit(this, result, (System.nanoTime() - start) / 1e9);
            }
        }
        Backend b = backend();
        try (ProgressBarCallback bar = progressBarFor(progressBar)) {
            TrainingResult result = trainer(b, bar).resume(checkpoint, train, validation);
            return new Fit(this, result, (System.nanoTime() - start) / 1e9);
        }
    }

    private static ProgressBarCallback progressBarFor(Boolean setting) {
        return ProgressBarCallback.shouldDraw(setting) ? new ProgressBarCallback() : new ProgressBarCallback(null, 0);
    }

    /** A trainer for this spec on b, with the progress bar (if it draws) before the user's callbacks. */
    private Trainer trainer(Backend b, ProgressBarCallback bar) {
        return new Trainer(b, model, loss, optimizer, runConfig(bar));
    }

    /** The config of a run: the progress bar (if it draws), then the user's callbacks. */
    private TrainingConfig runConfig(ProgressBarCallback bar) {
        List<Callback> all = new ArrayList<>();
        if (bar.draws()) all.add(bar);
        all.addAll(callbacks);
        return config.withCallbacks(all.toArray(Callback[]::new));
    }

    /** Core's data checks, before a backend (maybe a GPU) is opened. */
    private void checkFits(Dataset data, String role) {
        Trainer.checkData(model, loss, data, role);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingSpec s
                && model.layers().equals(s.model.layers())
                && model.init() == s.model.init()
                && loss.equals(s.loss)
                && optimizer.equals(s.optimizer)
                && config.equals(s.config)
                && Objects.equals(backend, s.backend)
                && Objects.equals(progressBar, s.progressBar)
                && spark == s.spark
                && partitions == s.partitions
                && localSteps == s.localSteps;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                model.layers(),
                model.init(),
                loss,
                optimizer,
                config,
                backend,
                progressBar,
                spark,
                partitions,
                localSteps);
    }

    @Override
    public String toString() {
        TrainingConfig c = config;
        return "TrainingSpec[" + model + ", init " + model.init() + ", loss " + loss + ", " + optimizer
                + ", schedule " + c.schedule() + (c.schedulePerEpoch() ? " per epoch" : "") + ", batchSize "
                + c.batchSize() + ", epochs " + c.epochs() + ", accumulation " + c.accumulation() + ", clipping "
                + c.clipping() + ", seed " + c.seed() + ", backend " + (backend == null ? "default" : backend)
                + (spark == null
                        ? ""
                        : ", on Spark" + (partitions > 0 ? " in " + partitions + " partitions" : "")
                                + (localSteps > 0 ? ", local SGD every " + localSteps + " steps" : ""))
                + (callbacks.isEmpty() ? "" : ", " + callbacks.size() + " callbacks") + "]";
    }
}
