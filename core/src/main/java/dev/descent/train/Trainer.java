package dev.descent.train;

import dev.descent.backend.Backend;
import dev.descent.checkpoint.AtomicFiles;
import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.CheckpointConflictException;
import dev.descent.checkpoint.CheckpointException;
import dev.descent.checkpoint.OutputLock;
import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.data.Sizes;
import dev.descent.data.SparseBatch;
import dev.descent.data.SparseBatchSource;
import dev.descent.data.SparseBatches;
import dev.descent.data.SparseDataset;
import dev.descent.data.SparseStream;
import dev.descent.data.StreamBatches;
import dev.descent.loss.Loss;
import dev.descent.metric.Metric;
import dev.descent.metric.MetricTracker;
import dev.descent.model.Sequential;
import dev.descent.optim.Averaging;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.ParamGroups;
import dev.descent.schedule.OneCycle;
import dev.descent.schedule.ReduceOnPlateau;
import dev.descent.schedule.Schedule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the training loop: for every batch, predict, loss, gradient, clip, optimizer step, zero — the
 * gradient is zeroed by {@link TrainingSession#step} itself, so there is nothing to forget.
 *
 * <p>One optimizer step takes {@link TrainingConfig#accumulation()} consecutive micro-batches of the
 * epoch's order. For a mean loss each micro-batch's gradient is weighted by its share of the step's
 * rows, so k micro-batches of b rows give the update of one batch of k·b rows (up to float
 * summation order); for a sum loss they are added. The schedule advances once per optimizer step.
 *
 * <p>The learning rate of step t is {@code optimizer.lr() × schedule.at(t)} (reduced by the
 * plateau controller when one is configured). The loop stops with a {@link
 * TrainingDivergedException} on a non-finite loss or gradient, or a loss above {@link
 * TrainingConfig#divergenceFactor()} times the first; the offending gradient is never applied.
 *
 * <p>When the schedule {@link Schedule#cyclesMomentum() cycles the momentum} (a {@link OneCycle}
 * that does, alone or inside {@code then}, {@code join}, {@code scale}, {@code clamp}), each step
 * also sets the optimizer's momentum (SGD, RMSprop) or β₁ (Adam) to {@link Schedule#momentumAt}, as
 * PyTorch's {@code OneCycleLR} does, in every parameter group; an optimizer without one (Adagrad) is
 * an error.
 *
 * <p>A trainer is immutable and can {@link #fit} many times; each fit opens its own session.
 */
public final class Trainer {
    private final Backend backend;
    private final Sequential model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final TrainingConfig config;

    public Trainer(Backend backend, Sequential model, Loss loss, Optimizer optimizer, TrainingConfig config) {
        this.backend = java.util.Objects.requireNonNull(backend, "backend");
        this.model = java.util.Objects.requireNonNull(model, "model");
        this.loss = java.util.Objects.requireNonNull(loss, "loss");
        this.optimizer = java.util.Objects.requireNonNull(optimizer, "optimizer");
        this.config = java.util.Objects.requireNonNull(config, "config");
    }

    public TrainingConfig config() {
        return config;
    }

    /** Trains from the model's initial parameters for the config's seed, without validation. */
    public TrainingResult fit(Dataset train) {
        return fit(train, null);
    }

    /** Trains from the model's initial parameters for the config's seed; validation may be null. */
    public TrainingResult fit(Dataset train, Dataset validation) {
        checkMemory(model, optimizer, config.batchSize(), train); // before the parameters are allocated
        return fit(train, validation, model.initialParameters(config.seed()));
    }

    /**
     * Trains from the given parameters (not modified); validation may be null.
     *
     * <p>With checkpoints ({@link TrainingConfig#withCheckpoints}) the checkpoint folder is locked
     * for the run ({@link OutputLock}: a second run writing it at the same time is refused), and a
     * checkpoint already there is refused before training unless {@link
     * TrainingConfig#checkpointOverwrite()}: it is another run's, and this run would replace it.
     *
     * @throws UncheckedIOException (caused by a {@link CheckpointException}) if the checkpoint folder
     *     is locked by another run or holds another run's checkpoint; nothing is written then
     */
    public TrainingResult fit(Dataset train, Dataset validation, float[] initialParameters) {
        checkData(train, "training");
        if (validation != null) checkData(validation, "validation");
        checkMemory(model, optimizer, config.batchSize(), train);
        try (OutputLock lock = lockCheckpoints(null)) {
            try (Run run = new Run(train, null, null, validation, initialParameters)) {
                return run.train();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Trains on rows this process does not hold: {@code source} computes each batch's gradient (e.g.
     * summed over a cluster), and this trainer applies clipping, optimizer, schedule, divergence
     * guard, validation, early stopping and checkpoints exactly as {@link #fit(Dataset, Dataset,
     * float[])} does (not modified: {@code initialParameters}; validation may be null). The source
     * checks that its data fits the model.
     */
    public TrainingResult fit(GradientSource source, Dataset validation, float[] initialParameters) {
        java.util.Objects.requireNonNull(source, "source");
        if (validation != null) checkData(validation, "validation");
        try (OutputLock lock = lockCheckpoints(null)) {
            try (Run run = new Run(null, null, source, validation, initialParameters)) {
                return run.train();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Trains from the model's initial parameters on sparse (CSR) rows, without validation: the first
     * layer must be dense ({@link Sequential#forwardSparse}); batches are drawn in the order a dense
     * data set of as many rows gets for the same seed, and every parameter is updated from a dense
     * gradient (PyTorch's semantics), so the result equals training on {@link SparseDataset#densify()}
     * up to float summation order. Checkpoints and resume work as for dense data.
     *
     * @throws IllegalArgumentException if the data does not fit the model or loss, or the backend
     *     does not take sparse input (the message names it)
     */
    public TrainingResult fit(SparseDataset train) {
        return fit(train, SparseUpdate.DENSE);
    }

    /**
     * {@link #fit(SparseDataset)} with the given update: {@link SparseUpdate#DENSE} (PyTorch's) or
     * {@link SparseUpdate#LAZY} (only the first layer's weight columns a step's batch used; see
     * there for its semantics, weight decay included, and the optimizers it supports).
     *
     * @throws IllegalArgumentException as {@link #fit(SparseDataset)}, or naming the optimizer when
     *     the lazy update does not support it, or the backend (gpu) when it has no lazy update
     */
    public TrainingResult fit(SparseDataset train, SparseUpdate update) {
        return fit(train, update, null);
    }

    /**
     * {@link #fit(SparseDataset, SparseUpdate)} from the given parameters (not modified; null: the
     * model's initial parameters for the config's seed), e.g. zeros for a linear model, as
     * scikit-learn's SGDClassifier starts.
     *
     * @throws IllegalArgumentException as {@link #fit(SparseDataset, SparseUpdate)}, or when {@code
     *     initialParameters} does not have the model's parameter count
     */
    public TrainingResult fit(SparseDataset train, SparseUpdate update, float[] initialParameters) {
        java.util.Objects.requireNonNull(update, "update");
        checkSparse(train.name(), train.rows(), train.features(), train.targetWidth(), train.classes());
        float[] start = initialParameters != null ? initialParameters : model.initialParameters(config.seed());
        try (OutputLock lock = lockCheckpoints(null)) {
            try (Run run = new Run(null, sparseBatches(train), null, null, start)) {
                run.use(update);
                return run.train();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Trains from the model's initial parameters on rows streamed from disk ({@link SparseStream}),
     * without validation, as {@link #fit(SparseDataset)} does with rows in memory: the stream's
     * batches ({@link StreamBatches}) come in an order fixed by (seed, epoch), so checkpoints record
     * the stream (its shards and rows, the shuffle buffer) and {@link #resume(Path, SparseStream)}
     * continues bit-identically. Sampling SEQUENTIAL reads shards by name and rows in file order;
     * WITH_REPLACEMENT is refused.
     *
     * @throws IllegalArgumentException if the data does not fit the model or loss, the stream is
     *     empty, or a line is bad (file:line) and the stream does not skip bad lines
     */
    public TrainingResult fit(SparseStream train) {
        return fit(train, SparseUpdate.DENSE);
    }

    /**
     * {@link #fit(SparseStream)} with the given update ({@link SparseUpdate#DENSE} or {@link
     * SparseUpdate#LAZY}), as {@link #fit(SparseDataset, SparseUpdate)} does for rows in memory.
     */
    public TrainingResult fit(SparseStream train, SparseUpdate update) {
        java.util.Objects.requireNonNull(update, "update");
        checkSparse(train.name(), train.rows(), train.features(), train.targetWidth(), train.classes());
        try (OutputLock lock = lockCheckpoints(null)) {
            try (Run run = new Run(null, streamBatches(train), null, null, model.initialParameters(config.seed()))) {
                run.use(update);
                return run.train();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Continues the streamed run saved in {@code checkpoint}, as {@link #resume(Path, Dataset,
     * Dataset)} does for rows in memory; the checkpoint must record this stream (same shards with the
     * same rows and sizes, same shuffle buffer), or it is refused before anything is trained.
     */
    public TrainingResult resume(Path checkpoint, SparseStream train) {
        return resume(checkpoint, train, SparseUpdate.DENSE);
    }

    /**
     * {@link #resume(Path, SparseStream)} of a run trained with {@code update} (the checkpoint
     * records it; another update is refused). A lazy run's checkpoint holds every column brought up to
     * date (its missed weight decay applied when the parameters were read), so the resumed run starts
     * with no decay owed.
     */
    public TrainingResult resume(Path checkpoint, SparseStream train, SparseUpdate update) {
        java.util.Objects.requireNonNull(update, "update");
        checkSparse(train.name(), train.rows(), train.features(), train.targetWidth(), train.classes());
        return resume(checkpoint, p -> new Run(null, streamBatches(train), null, null, p).use(update));
    }

    /**
     * Continues the run on sparse rows in memory saved in {@code checkpoint}, as {@link #resume(Path,
     * Dataset, Dataset)} does for dense rows (bit for bit; the same checks).
     */
    public TrainingResult resume(Path checkpoint, SparseDataset train) {
        return resume(checkpoint, train, SparseUpdate.DENSE);
    }

    /**
     * {@link #resume(Path, SparseDataset)} of a run trained with {@code update}, as {@link
     * #resume(Path, SparseStream, SparseUpdate)} does for a stream.
     */
    public TrainingResult resume(Path checkpoint, SparseDataset train, SparseUpdate update) {
        java.util.Objects.requireNonNull(update, "update");
        checkSparse(train.name(), train.rows(), train.features(), train.targetWidth(), train.classes());
        return resume(checkpoint, p -> new Run(null, sparseBatches(train), null, null, p).use(update));
    }

    /** Refuses sparse input on a backend without sparse kernels, and data that does not fit the model. */
    private void checkSparse(String name, int rows, int features, int targetWidth, int classes) {
        if (backend instanceof TrainingSession.SessionFactory f && !f.takesSparseInput())
            throw new IllegalArgumentException(
                    TrainingSession.sparseUnsupported(backend).getMessage());
        checkShape(model, loss, name, rows, features, targetWidth, classes, "training");
    }

    private SparseBatches sparseBatches(SparseDataset train) {
        return new SparseBatches(train, config.batchSize(), config.seed(), config.sampling(), config.dropLast());
    }

    private StreamBatches streamBatches(SparseStream train) {
        if (config.sampling() == Batches.Sampling.WITH_REPLACEMENT)
            throw new IllegalArgumentException("a streamed training set ('" + train.name()
                    + "') is read once per epoch: sampling WITH_REPLACEMENT needs rows in memory; use SHUFFLE"
                    + " (shard order and shuffle buffer) or SEQUENTIAL");
        return train.batches(
                config.batchSize(), config.seed(), config.sampling() == Batches.Sampling.SHUFFLE, config.dropLast());
    }

    /**
     * Locks the checkpoint folder (null without checkpoints) and refuses a checkpoint there that is
     * not {@code resumedFrom} (the folder of the checkpoint being resumed, or null), unless the config
     * allows overwriting. The lock is released if the refusal is thrown.
     */
    private OutputLock lockCheckpoints(Path resumedFrom) throws IOException {
        Path dir = config.checkpointDir();
        if (dir == null) return null;
        OutputLock lock = OutputLock.acquire(dir);
        try {
            Checkpoint.requireReplaceable(dir);
            Optional<Path> existing = Checkpoint.find(dir);
            if (!config.checkpointOverwrite()
                    && Checkpoint.exists(dir)
                    && !(resumedFrom != null && sameFile(existing.get(), resumedFrom))) {
                Path at = existing.get();
                throw new CheckpointConflictException(
                        dir,
                        at,
                        TrainingCheckpoint.describe(at),
                        "resume that run, checkpoint into another folder, or allow replacing it"
                                + " (TrainingConfig.withCheckpointOverwrite)");
            }
            return lock;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    private static boolean sameFile(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /**
     * Continues the run saved in {@code checkpoint} (see {@link TrainingConfig#withCheckpoints}) up to
     * this trainer's last epoch: parameters, optimizer state, schedule step, batch order, early
     * stopping, plateau control and history carry on exactly, so the result is bit-identical to an
     * uninterrupted run. A step checkpoint ({@link TrainingConfig#withCheckpointEverySteps}) taken in
     * the middle of an epoch continues that epoch at its recorded batch (the batches before it are
     * drawn again and skipped). The checkpoint must come from the same model shape, seed, batch size,
     * accumulation, sampling and number of training rows. {@code checkpoint} is a checkpoint folder or
     * a folder holding one named {@value Checkpoint#DEFAULT_NAME} ({@link Checkpoint#locate}, which
     * also finds a checkpoint that a crash left as {@code NAME.old-*}). The checkpoint folder of this
     * trainer's config may be the one resumed from (it is replaced after the next epoch); any other
     * checkpoint there is refused as in {@link #fit(Dataset, Dataset, float[])}.
     *
     * @throws UncheckedIOException (caused by a {@link dev.descent.checkpoint.CheckpointException}
     *     naming the file) if the checkpoint is missing, corrupt or from another model or run;
     *     nothing is written then
     */
    public TrainingResult resume(Path checkpoint, Dataset train, Dataset validation) {
        checkData(train, "training");
        if (validation != null) checkData(validation, "validation");
        checkMemory(model, optimizer, config.batchSize(), train);
        return resume(checkpoint, p -> new Run(train, null, null, validation, p));
    }

    /**
     * {@link #resume(Path, Dataset, Dataset)} on rows this process does not hold: continues the saved
     * run with {@code source} computing the batch gradients, as {@link #fit(GradientSource, Dataset,
     * float[])} does. The source must hold the same training rows as the run that wrote the checkpoint.
     */
    public TrainingResult resume(Path checkpoint, GradientSource source, Dataset validation) {
        java.util.Objects.requireNonNull(source, "source");
        if (validation != null) checkData(validation, "validation");
        return resume(checkpoint, p -> new Run(null, null, source, validation, p));
    }

    /** Resumes {@code checkpoint} in the run {@code open} makes from the saved parameters. */
    private TrainingResult resume(Path checkpoint, java.util.function.Function<float[], Run> open) {
        try {
            Path at = Checkpoint.locate(checkpoint)
                    .orElseThrow(() -> new CheckpointException(
                            checkpoint,
                            "no checkpoint there (neither " + Checkpoint.STATE_FILE + " nor a "
                                    + Checkpoint.DEFAULT_NAME + "/ folder)"));
            try (OutputLock lock = lockCheckpoints(at)) {
                Checkpoint c = Checkpoint.read(at);
                float[] buffers = TrainingCheckpoint.buffers(c, model);
                try (Run run = open.apply(TrainingCheckpoint.parameters(c, model))) {
                    TrainingCheckpoint.restore(c, run, config);
                    if (buffers.length > 0) run.session.writeBuffers(buffers);
                    return run.train();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume from " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** Checks that a data set fits this trainer's model and loss (see the static form). */
    void checkData(Dataset data, String role) {
        checkData(model, loss, data, role);
    }

    /**
     * Checks that {@code data} (its {@code role}: "training", "validation") fits the model and the
     * loss: rows, feature count, class labels or target columns. Reads only shapes.
     *
     * @throws IllegalArgumentException naming the data set, the field and both values
     */
    public static void checkData(Sequential model, Loss loss, Dataset data, String role) {
        checkShape(model, loss, data.name(), data.rows(), data.features(), data.targetWidth(), data.classes(), role);
    }

    /** {@link #checkData} from the data set's name and shape (dense or sparse). */
    static void checkShape(
            Sequential model,
            Loss loss,
            String dataName,
            int rows,
            int features,
            int targetWidth,
            int classes,
            String role) {
        String name = role + " set '" + dataName + "'";
        if (rows == 0) throw new IllegalArgumentException(name + " is empty");
        if (features != model.inputs())
            throw new IllegalArgumentException(name + " has " + features
                    + " features but the model's input width is " + model.inputs() + ": the first layer must take "
                    + features + " inputs (" + model + ")");
        loss.checkColumns(model.outputs());
        if (loss.classIndexTargets()) {
            if (classes == 0)
                throw new IllegalArgumentException(name + " has real-valued targets; " + loss + " needs class labels");
            if (classes > model.outputs())
                throw new IllegalArgumentException(
                        name + " has " + classes + " classes but the model has only " + model.outputs() + " outputs");
        } else if (targetWidth != model.outputs()) {
            throw new IllegalArgumentException(name + " has " + targetWidth + " target columns but the model has "
                    + model.outputs() + " outputs (" + loss + " compares them one to one)");
        }
    }

    /**
     * Checks, before anything is allocated, that training {@code model} with {@code optimizer} on
     * batches of {@code batchSize} rows of {@code train} fits in the heap ({@link Sizes}): the
     * parameters about five times over (initial, the session's, the gradient, the epoch start, the
     * best epoch's), the optimizer's state buffers, and one batch with its activations and deltas.
     *
     * @throws IllegalArgumentException naming the model, the batch size, what it needs and the limit
     */
    public static void checkMemory(Sequential model, Optimizer optimizer, int batchSize, Dataset train) {
        long rows = Math.min(batchSize, train.rows());
        long perRow = train.features() + (long) train.targetWidth() + model.outputs(); // batch x, y, dL/dout
        long widest = model.inputs();
        for (int i = 1; i <= model.layers().size(); i++) {
            long w = 1;
            for (int d : model.shapeBefore(i)) w *= d;
            widest = Math.max(widest, w);
        }
        perRow += model.workspaceFloatsPerRow(); // each layer's output and scratch, the two delta buffers
        String why = Sizes.arrayProblem(rows * widest);
        if (why == null) {
            long copies = 5
                    + (optimizer instanceof ParamGroups g
                            ? g.stateCopies()
                            : optimizer.newState(1).buffers().size());
            long floats = Math.addExact(Math.multiplyExact(copies, model.parameterCount()), rows * perRow);
            why = Sizes.heapProblem(Sizes.saturatedMultiply(floats, Float.BYTES));
        }
        if (why != null)
            throw new IllegalArgumentException(
                    String.format(Locale.ROOT, "training %s with batches of %d rows %s", model, rows, why));
    }

    /** The state of one fit: everything a checkpoint must hold to continue it exactly. */
    final class Run implements AutoCloseable {
        /**
         * The training rows: dense ({@link #batches}), sparse ({@link #sparseBatches}) or held by a
         * {@link GradientSource} (only the order comes from {@link #batches}); the others are null.
         */
        final Dataset train;

        /** Where batch gradients come from when the rows are elsewhere; null: from the rows here. */
        final GradientSource source;
        /** The source when it runs rounds of local steps itself (local SGD), else null. */
        final RoundSource rounds;
        /** Whether {@link #close} has run (it runs once). */
        private boolean closed;
        /** A round's learning rates, losses and gradient norms (one per step) and its starting parameters. */
        private final double[] roundLr, roundLoss, roundNorm;

        private final float[] roundStart, roundEnd;

        final Dataset validation;
        final TrainingSession session;
        final Batches batches;
        final Batch batch;
        /** Sparse rows in memory or streamed ({@link StreamBatches}, closed with the run). */
        final SparseBatchSource sparseBatches;

        final SparseBatch sparseBatch;
        final Schedule schedule;
        final ReduceOnPlateau plateau;
        /** The configured schedule when it sets the momentum (a one-cycle policy, nested or not), else null. */
        final Schedule cycle;

        final History history = new History();
        final int stepsPerEpoch;
        final long samplesPerEpoch;
        final float[] epochStart;
        /** The run's first step loss, the yardstick of the divergence check (NaN before it). */
        double firstLoss = Double.NaN;

        long step;
        int epochsDone;
        /** Early stopping's best monitored value so far (the mode's worst before the first epoch). */
        double best;

        int badEpochs;
        float[] bestParameters;
        /** The configured metrics' state on the training and the validation set; null without metrics. */
        final MetricTracker trainMetrics, valMetrics;
        /** What early stopping and the plateau controller watch, and early stopping's direction. */
        final String stoppingQuantity, plateauQuantity;

        final ReduceOnPlateau.Mode stoppingMode;
        /** The best epoch's buffers (running statistics) beside {@link #bestParameters}, when the model has any. */
        float[] bestBuffers;
        /** The iterate average and the buffer the parameters are read into for it; null without averaging. */
        final Averaging.State averaged;

        private final float[] current;
        double secondsBefore;
        int savedEpoch;
        /** A callback stopped the run inside an epoch; its mid-epoch checkpoint is the run's last. */
        boolean stoppedInEpoch;

        long startNanos;
        /**
         * Where epoch {@code epochsDone + 1} stands: batches taken (0: at its start; more only while a
         * mid-epoch checkpoint is written, or in a run resumed from one), their loss × rows and rows.
         */
        int batchInEpoch;

        double epochLossRows;
        long epochRowsSeen;
        /** How the first layer's weights are updated on sparse rows ({@link SparseUpdate#DENSE} otherwise). */
        SparseUpdate update = SparseUpdate.DENSE;

        Run(
                Dataset train,
                SparseBatchSource sparseBatches,
                GradientSource source,
                Dataset validation,
                float[] initialParameters) {
            this.train = train;
            this.source = source;
            this.validation = validation;
            if (sparseBatches == null) {
                this.batches = source == null
                        ? new Batches(train, config.batchSize(), config.seed(), config.sampling(), config.dropLast())
                        : Batches.orderOnly(
                                source.rows(), config.batchSize(), config.seed(), config.sampling(), config.dropLast());
                this.batch = source == null ? batches.newBatch() : null;
                this.sparseBatches = null;
                this.sparseBatch = null;
            } else {
                this.batches = null;
                this.batch = null;
                this.sparseBatches = sparseBatches;
                this.sparseBatch = sparseBatches.newBatch();
            }
            if (batchesPerEpoch() == 0)
                throw new IllegalArgumentException("dropLast with batchSize " + config.batchSize()
                        + " leaves no batch of " + trainRows() + " rows in training set '"
                        + (train != null ? train.name() : sparseBatches != null ? sparseBatches.name() : source.name())
                        + "'");
            long samples = 0;
            for (int i = 0; i < batchesPerEpoch(); i++) samples += rowsOf(i);
            this.samplesPerEpoch = samples;
            this.stepsPerEpoch = (batchesPerEpoch() + config.accumulation() - 1) / config.accumulation();
            Schedule s = config.schedulePerEpoch() ? config.schedule().perEpoch(stepsPerEpoch) : config.schedule();
            Monitor.check(config, validation != null);
            String lossName = validation == null ? "loss" : "val_loss"; // the default monitor
            EarlyStopping es = config.earlyStopping();
            Monitor stopOn = es == null || es.monitor() == null ? Monitor.of(lossName) : es.monitor();
            this.stoppingQuantity = stopOn.quantity();
            this.stoppingMode = stopOn.resolve("early stopping", config.metrics(), validation != null);
            this.best = stoppingMode == ReduceOnPlateau.Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            ReduceOnPlateau.Config plateauConfig = config.plateau();
            Monitor plateauOn = config.plateauMonitor();
            this.plateauQuantity = plateauOn == null ? lossName : plateauOn.quantity();
            if (plateauConfig != null && plateauOn != null)
                plateauConfig = plateauConfig.withMode(
                        plateauOn.resolve("reduce-on-plateau", config.metrics(), validation != null));
            this.plateau = plateauConfig == null ? null : new ReduceOnPlateau(s, plateauConfig);
            this.trainMetrics = train == null ? null : tracker(train, "training"); // sparse or remote rows: none yet
            if (train == null)
                for (var m : config.metrics())
                    if (m.name().equals(stoppingQuantity) || m.name().equals(plateauQuantity))
                        throw new IllegalArgumentException("cannot monitor the training metric '" + m.name()
                                + "': training metrics are computed on dense in-memory training rows, and this run's"
                                + " rows are sparse or held elsewhere; monitor 'val_" + m.name() + "' or the loss");
            if (train == null && config.averaging() != null && model.bufferCount() > 0)
                throw new IllegalArgumentException("averaging a model with running statistics (" + model
                        + ") recomputes them over dense in-memory training rows; this run's rows are sparse or held"
                        + " elsewhere");
            this.valMetrics = validation == null ? null : tracker(validation, "validation");
            this.schedule = plateau == null ? s : plateau::at;
            this.cycle = config.schedule().cyclesMomentum() ? config.schedule() : null;
            // like PyTorch's OneCycleLR: the optimizer starts at the cycle's first momentum
            Optimizer opening = cycle == null ? optimizer : optimizer.withMomentum(cycle.momentumAt(0));
            this.session = TrainingSession.open(backend, model, loss, opening, initialParameters);
            this.epochStart = new float[model.parameterCount()];
            this.averaged =
                    config.averaging() == null ? null : config.averaging().newState(model.parameterCount());
            this.current = averaged == null ? null : new float[model.parameterCount()];
            this.rounds = source instanceof RoundSource r ? r : null;
            int h = rounds == null ? 0 : rounds.stepsPerRound();
            if (rounds != null) {
                String what = "'" + source.name() + "' runs rounds of " + h + " local steps";
                if (h < 1) throw new IllegalArgumentException(what + "; a round needs at least 1 step");
                if (config.accumulation() != 1)
                    throw new IllegalArgumentException(
                            what + " of one batch each; accumulation must be 1, got " + config.accumulation());
                if (cycle != null)
                    throw new IllegalArgumentException(
                            what + ", which do not cycle the momentum; use a schedule without one-cycle momentum");
                if (config.averaging() != null)
                    throw new IllegalArgumentException(what + "; iterate averaging is not supported with them");
            }
            this.roundLr = new double[h];
            this.roundLoss = new double[h];
            this.roundNorm = new double[h];
            this.roundStart = rounds == null ? null : new float[model.parameterCount()];
            this.roundEnd = rounds == null ? null : new float[model.parameterCount()];
        }

        /**
         * Switches a sparse run to {@code update} before its first step; returns this run, or closes it
         * and throws when the update is refused (the optimizer, or a backend without a lazy update).
         */
        Run use(SparseUpdate update) {
            try {
                if (update == SparseUpdate.LAZY) {
                    if (!(session instanceof CpuTrainingSession cpu))
                        throw new IllegalArgumentException("the lazy sparse update (SparseUpdate.LAZY) runs on the CPU"
                                + " backends (simd, scalar) only; the " + backend.name() + " backend trains sparse"
                                + " data with SparseUpdate.DENSE (PyTorch's update)");
                    cpu.useLazySparseUpdate();
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
            this.update = update;
            return this;
        }

        /** The learning rate of step {@code t}: the optimizer's times the schedule's (checked finite, >= 0). */
        private double lrAt(long t) {
            double lr = optimizer.lr() * schedule.at(t);
            if (!(lr >= 0) || Double.isInfinite(lr))
                throw new IllegalArgumentException("learning rate of step " + t + " must be finite and >= 0, got " + lr
                        + " (optimizer lr " + optimizer.lr() + " × schedule value " + schedule.at(t) + ")");
            return lr;
        }

        /** The configured metrics' accumulators for {@code data}, or null without metrics. */
        private MetricTracker tracker(Dataset data, String role) {
            if (config.metrics().isEmpty()) return null;
            try {
                return new MetricTracker(
                        config.metrics(),
                        new Metric.Shape(data.rows(), model.outputs(), data.targetWidth(), loss.classIndexTargets()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        role + " set '" + data.name() + "' with " + loss + ": " + e.getMessage(), e);
            }
        }

        /** Rows of the training set, dense, sparse or the source's. */
        int trainRows() {
            return train != null ? train.rows() : sparseBatches != null ? sparseBatches.rows() : source.rows();
        }

        int batchesPerEpoch() {
            return batches != null ? batches.batchesPerEpoch() : sparseBatches.batchesPerEpoch();
        }

        /**
         * Accumulates the epoch's batch {@code b} (the next one), dense, sparse or from the source,
         * with {@code weight}; returns its loss.
         */
        private double accumulateNext(int b, float weight) {
            if (source != null) return source.accumulate(session, b * batches.batchSize(), rowsOf(b), weight);
            if (batches != null) {
                batches.next(batch, session.backend());
                return session.accumulate(batch.x(), batch.y(), batch.sampleWeights(), batch.rows(), weight);
            }
            sparseBatches.next(sparseBatch);
            return session.accumulate(sparseBatch, weight);
        }

        /** Whether there is an average to use (averaging on, and past its first update). */
        boolean hasAverage() {
            return averaged != null && averaged.count() > 0;
        }

        TrainingResult train() {
            int first = epochsDone + 1;
            Callback.Plan plan = new Callback.Plan(first, config.epochs(), stepsPerEpoch, samplesPerEpoch);
            Callback.View view = new Callback.View() {
                @Override
                public void readParameters(float[] dst) {
                    session.readParameters(dst);
                }

                @Override
                public OptimizerState optimizerState() {
                    return session.readOptimizerState();
                }

                @Override
                public float[] averagedParameters() {
                    return hasAverage() ? averaged.average().clone() : null;
                }
            };
            for (Callback c : config.callbacks()) c.onTrainStart(plan, view);
            startNanos = System.nanoTime();
            TrainingResult.StopReason reason = TrainingResult.StopReason.COMPLETED;
            String detail = "completed " + config.epochs() + " epochs";
            for (int epoch = first; epoch <= config.epochs(); epoch++) {
                try {
                    if (!runEpoch(epoch)) {
                        reason = TrainingResult.StopReason.EARLY_STOPPED;
                        detail = String.format(
                                Locale.ROOT,
                                "early stopping after epoch %d: no improvement of %s on %.6g for %d epochs",
                                epoch,
                                stoppingQuantity,
                                best,
                                badEpochs);
                        break;
                    }
                } catch (StopTraining stop) {
                    reason = TrainingResult.StopReason.STOPPED_BY_CALLBACK;
                    detail = "stopped by a callback in epoch " + epoch + ": " + stop.getMessage();
                    break;
                }
            }
            if (config.checkpointDir() != null && savedEpoch != epochsDone && !stoppedInEpoch) save();
            EarlyStopping es = config.earlyStopping();
            if (es != null && es.restoreBest() && bestParameters != null) {
                session.writeParameters(bestParameters);
                if (bestBuffers != null) session.writeBuffers(bestBuffers);
            } else if (hasAverage()) { // the averaged model is the result, with its own running statistics
                session.writeParameters(averaged.average());
                float[] stats = averagedBuffers();
                if (stats != null) session.writeBuffers(stats);
            }
            for (Callback c : config.callbacks()) c.onTrainEnd(history);
            return result(reason, detail);
        }

        /** One epoch; false when early stopping ends training. */
        private boolean runEpoch(int epoch) {
            int from = batchInEpoch; // > 0 only in the epoch a mid-epoch checkpoint resumes
            if (from == 0) session.readParameters(epochStart); // else restored from the checkpoint
            if (batches != null) batches.startEpoch(epoch - 1);
            else sparseBatches.startEpoch(epoch - 1);
            if (source != null) source.startEpoch(epoch - 1);
            else skipBatches(from);
            int perEpoch = batchesPerEpoch(), k = config.accumulation();
            boolean mean = loss.reduction() != Loss.Reduction.SUM; // mean and batchmean average rows
            double lossRows = epochLossRows;
            long rowsSeen = epochRowsSeen;
            batchInEpoch = 0;
            epochLossRows = 0;
            epochRowsSeen = 0;
            double lr = Double.NaN;
            StopTraining stop = null;
            boolean stepCheckpointAtEnd = false;
            int b = from;
            while (b < perEpoch && stop == null) {
                long stepsBefore = step;
                if (rounds != null) { // local steps elsewhere: a round of up to H batches, each one step
                    int count = Math.min(roundLr.length, perEpoch - b);
                    for (int i = 0; i < count; i++) roundLr[i] = lrAt(step + i);
                    session.readParameters(roundStart);
                    rounds.runRound(session, step, b, count, roundLr, roundLoss, roundNorm);
                    for (int i = 0; i < count; i++, b++) { // every step the round applied is recorded
                        int rows = rowsOf(b);
                        lr = roundLr[i];
                        guard(epoch, roundLoss[i], roundNorm[i], lr);
                        lossRows += roundLoss[i] * rows;
                        rowsSeen += rows;
                        History.Step s = new History.Step(step, epoch, roundLoss[i], lr, roundNorm[i], secondsSoFar());
                        step++;
                        history.add(s);
                        try {
                            for (Callback c : config.callbacks()) c.onStepEnd(s);
                        } catch (StopTraining st) {
                            if (stop == null) stop = st;
                        }
                    }
                    session.readParameters(roundEnd); // a worker's last local step may overflow unseen
                    for (float v : roundEnd)
                        if (!Float.isFinite(v)) {
                            diverge(epoch, "the parameters after the round hold " + v, roundLoss[count - 1], lr);
                        }
                    if (stop == null && stepCheckpointDue(stepsBefore)) { // at the end of the round
                        if (b < perEpoch) saveInEpoch(b, lossRows, rowsSeen);
                        else stepCheckpointAtEnd = true;
                    }
                    continue;
                }
                int end = Math.min(perEpoch, b + k), groupRows = 0;
                for (int i = b; i < end; i++) groupRows += rowsOf(i);
                double stepLoss = 0;
                session.position(config.seed(), step); // dropout masks derive from (seed, step)
                for (; b < end; b++) {
                    int rows = rowsOf(b); // the rows next gives
                    float w = mean ? (float) rows / groupRows : 1f;
                    double v = accumulateNext(b, w);
                    stepLoss += mean ? v * rows / groupRows : v;
                }
                lr = lrAt(step);
                double norm = session.clip(config.clipping());
                guard(epoch, stepLoss, norm, lr);
                if (cycle == null) session.step(lr);
                else session.step(lr, cycle.momentumAt(config.schedulePerEpoch() ? step / stepsPerEpoch : step));
                if (averaged != null) {
                    session.readParameters(current);
                    config.averaging().update(session.backend(), current, averaged, step);
                }
                lossRows += stepLoss * groupRows;
                rowsSeen += groupRows;
                History.Step s = new History.Step(step, epoch, stepLoss, lr, norm, secondsSoFar());
                step++;
                history.add(s);
                try {
                    for (Callback c : config.callbacks()) c.onStepEnd(s);
                } catch (StopTraining st) {
                    stop = st;
                }
                if (stop == null && stepCheckpointDue(stepsBefore)) { // never between micro-batches
                    if (b < perEpoch) saveInEpoch(b, lossRows, rowsSeen);
                    else stepCheckpointAtEnd = true; // written after the epoch's end, with its record
                }
            }
            if (stop != null && b < perEpoch && config.checkpointDir() != null) {
                // stopped inside the epoch: the last checkpoint (written before the
                // partial epoch's record and the schedules see it) resumes at its next batch, not the next epoch
                saveInEpoch(b, lossRows, rowsSeen);
                stoppedInEpoch = true;
            }
            if (valMetrics != null) valMetrics.reset();
            Evaluation val = validation == null ? null : evaluate(validation, valMetrics);
            double trainLoss = lossRows / rowsSeen;
            Map<String, Double> metrics = new LinkedHashMap<>();
            if (trainMetrics != null) {
                trainMetrics.reset();
                evaluate(train, trainMetrics); // a separate pass with the epoch's final parameters
                trainMetrics.putValues("", metrics);
            }
            if (valMetrics != null) valMetrics.putValues("val_", metrics);
            History.Epoch e = new History.Epoch(
                    epoch,
                    step,
                    samplesPerEpoch * epoch,
                    trainLoss,
                    val == null ? Double.NaN : val.loss(),
                    val == null ? Double.NaN : val.accuracy(),
                    val == null ? Double.NaN : val.rmse(),
                    lr,
                    secondsSoFar(),
                    metrics);
            if (plateau != null) plateau.report(e.get(plateauQuantity));
            boolean carryOn = earlyStoppingAllows(e.get(stoppingQuantity));
            history.add(e);
            epochsDone = epoch;
            if (stop != null) throw stop;
            if (config.checkpointDir() != null && (epoch % config.checkpointEvery() == 0 || stepCheckpointAtEnd))
                save();
            for (Callback c : config.callbacks()) c.onEpochEnd(e);
            return carryOn;
        }

        /** Takes the epoch's first {@code count} batches unused (a run resumed from a mid-epoch checkpoint). */
        private void skipBatches(int count) {
            for (int i = 0; i < count; i++)
                if (batches != null) batches.next(batch);
                else sparseBatches.next(sparseBatch);
        }

        /** Whether a step checkpoint falls due among the steps after {@code stepsBefore}, up to {@link #step}. */
        private boolean stepCheckpointDue(long stepsBefore) {
            int n = config.checkpointEverySteps();
            return n > 0 && step / n > stepsBefore / n;
        }

        /**
         * Writes a checkpoint in the middle of epoch {@code epochsDone + 1}: {@code batch} batches of it
         * taken, with their loss × rows and rows so far.
         */
        private void saveInEpoch(int batch, double lossRows, long rowsSeen) {
            batchInEpoch = batch;
            epochLossRows = lossRows;
            epochRowsSeen = rowsSeen;
            try {
                save();
            } finally {
                batchInEpoch = 0;
                epochLossRows = 0;
                epochRowsSeen = 0;
            }
        }

        /**
         * The loss and metrics on {@code data}: of the averaged parameters when there is an average
         * (with running statistics recomputed for them, when the model has any).
         */
        private Evaluation evaluate(Dataset data, MetricTracker metrics) {
            if (!hasAverage()) return Evaluation.of(session, data, metrics);
            session.readParameters(current);
            float[] stats = averagedBuffers(), trained = null;
            if (stats != null) {
                trained = new float[stats.length];
                session.readBuffers(trained);
                session.writeBuffers(stats);
            }
            session.writeParameters(averaged.average());
            try {
                return Evaluation.of(session, data, metrics);
            } finally {
                session.writeParameters(current);
                if (trained != null) session.writeBuffers(trained);
            }
        }

        /**
         * The running statistics of the averaged parameters, PyTorch's {@code update_bn}: one pass over
         * the training rows in order, in batches of the configured size ({@link
         * Sequential#recomputeStatistics}); null when the model has no buffers.
         */
        private float[] averagedBuffers() {
            if (model.bufferCount() == 0) return null;
            float[] stats = new float[model.bufferCount()];
            model.recomputeStatistics(backend, averaged.average(), stats, train.x(), train.rows(), config.batchSize());
            return stats;
        }

        /** Rows of the epoch's batch {@code i}: full except possibly the last. */
        int rowsOf(int i) {
            int size = batches != null ? batches.batchSize() : sparseBatches.batchSize();
            return Math.min(size, trainRows() - i * size);
        }

        private boolean earlyStoppingAllows(double monitored) {
            EarlyStopping es = config.earlyStopping();
            if (es == null) return true;
            boolean improves = stoppingMode == ReduceOnPlateau.Mode.MIN
                    ? monitored < best - es.minDelta()
                    : monitored > best + es.minDelta(); // NaN never improves
            if (improves) {
                best = monitored;
                badEpochs = 0;
                if (es.restoreBest()) {
                    if (bestParameters == null) bestParameters = new float[model.parameterCount()];
                    // the parameters the monitored loss measured: the average when there is one
                    if (hasAverage()) System.arraycopy(averaged.average(), 0, bestParameters, 0, bestParameters.length);
                    else session.readParameters(bestParameters);
                    if (model.bufferCount() > 0) {
                        if (hasAverage()) bestBuffers = averagedBuffers();
                        else {
                            if (bestBuffers == null) bestBuffers = new float[model.bufferCount()];
                            session.readBuffers(bestBuffers);
                        }
                    }
                }
                return true;
            }
            return ++badEpochs < es.patience();
        }

        /** Throws if the step's loss or gradient diverged; nothing has been applied yet. */
        private void guard(int epoch, double stepLoss, double norm, double lr) {
            if (Double.isNaN(firstLoss)) firstLoss = stepLoss;
            String what = null;
            if (!Double.isFinite(stepLoss)) what = "the loss is " + stepLoss;
            else if (!Double.isFinite(norm)) what = "the gradient norm is " + norm + " (loss " + stepLoss + ")";
            else if (firstLoss > 0 && stepLoss > config.divergenceFactor() * firstLoss)
                what = String.format(
                        Locale.ROOT,
                        "the loss exploded to %.6g, more than %s × the first step's %.6g",
                        stepLoss,
                        config.divergenceFactor(),
                        firstLoss);
            if (what != null) diverge(epoch, what, stepLoss, lr);
        }

        /** Throws the divergence of this step ({@code what} went wrong), restoring parameters as the guard says. */
        private void diverge(int epoch, String what, double stepLoss, double lr) {
            float[] p = new float[model.parameterCount()];
            session.readParameters(p);
            String kept = "parameters are left at their last finite values";
            if (rounds != null) { // the round is applied already: undo it
                session.writeParameters(roundStart);
                kept = "parameters are left where the round of local steps started";
            } else
                for (float v : p)
                    if (!Float.isFinite(v)) {
                        session.writeParameters(epochStart);
                        kept = "parameters had overflowed and were restored to the start of epoch " + epoch;
                        break;
                    }
            String message = String.format(
                    Locale.ROOT,
                    "training diverged at step %d (epoch %d): %s at learning rate %s; %s. Hint: lower the"
                            + " learning rate (e.g. to %s) or clip the gradient norm",
                    step,
                    epoch,
                    what,
                    lr,
                    kept,
                    lr / 10);
            throw new TrainingDivergedException(
                    message, step, lr, stepLoss, result(TrainingResult.StopReason.DIVERGED, message));
        }

        /** Writes the checkpoint of this run as it is now; an I/O failure leaves the previous one. */
        private void save() {
            try {
                TrainingCheckpoint.save(config.checkpointDir(), this, config);
                if (batchInEpoch == 0) savedEpoch = epochsDone;
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "cannot write checkpoint " + config.checkpointDir() + " after "
                                + (batchInEpoch > 0
                                        ? "step " + step + " (in epoch " + (epochsDone + 1) + ")"
                                        : "epoch " + epochsDone)
                                + ": "
                                + (AtomicFiles.isDiskFull(e) ? "no space left on device" : e.getMessage())
                                + "; the previous checkpoint is unchanged",
                        e);
            }
        }

        double secondsSoFar() {
            return secondsBefore + (System.nanoTime() - startNanos) / 1e9;
        }

        private TrainingResult result(TrainingResult.StopReason reason, String detail) {
            float[] p = new float[model.parameterCount()];
            session.readParameters(p);
            float[] buffers = new float[model.bufferCount()];
            if (buffers.length > 0) session.readBuffers(buffers);
            return new TrainingResult(model, loss, p, buffers, history, reason, detail, backend);
        }

        @Override
        public void close() {
            if (closed) return; // use(...) closes a refused run before its try-with-resources does
            closed = true;
            try {
                session.close();
            } finally {
                if (sparseBatches instanceof StreamBatches s) s.close();
            }
        }
    }
}
