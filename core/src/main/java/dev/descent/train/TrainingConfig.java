package dev.descent.train;

import dev.descent.data.Batches;
import dev.descent.metric.Metric;
import dev.descent.optim.Averaging;
import dev.descent.schedule.ReduceOnPlateau;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How the {@link Trainer} trains: everything except the model, loss, optimizer and data. Immutable;
 * start from {@link #defaults()} and change fields with the {@code with…} methods, each of which
 * checks its value and names it in the error.
 *
 * @param batchSize rows per (micro-)batch; B = rows gives full-batch gradient descent, 1 pure SGD
 * @param epochs passes over the training set
 * @param schedule multiplier of the optimizer's learning rate at each optimizer step (a schedule
 *     that was {@link Schedule#scale scaled} by the base rate together with an optimizer of lr 1
 *     gives absolute rates)
 * @param schedulePerEpoch whether the schedule counts epochs rather than optimizer steps
 * @param plateau reduce-on-plateau control over the schedule, driven by the monitored loss once per
 *     epoch, or null for none
 * @param accumulation micro-batches of {@code batchSize} per optimizer step: k micro-batches give the
 *     update of one batch of k·batchSize rows
 * @param clipping applied to the (accumulated) gradient before every step
 * @param sampling how batches are drawn
 * @param dropLast whether an epoch's last, smaller batch is skipped
 * @param seed drives initialisation and the batch order of every epoch
 * @param earlyStopping or null for none
 * @param divergenceFactor a step loss above this many times the run's first step loss stops training
 *     as diverged (non-finite losses and gradients always do); infinity disables the check
 * @param callbacks called in order
 * @param checkpointDir where a checkpoint is written after every {@code checkpointEvery} epochs and
 *     at the end, or null for none
 * @param checkpointEvery epochs between checkpoints
 * @param checkpointEverySteps optimizer steps between checkpoints (0: none), in addition to the
 *     epoch ones: a checkpoint is also written after every step whose count is a multiple of it,
 *     in the middle of an epoch too (never between the micro-batches of one step), recording the
 *     batch the epoch continues at; needs {@code checkpointDir}
 * @param checkpointOverwrite whether a run may replace a checkpoint in {@code checkpointDir} that it
 *     did not write or resume from (another run's). By default it may not: {@link Trainer#fit} and
 *     {@link Trainer#resume} refuse before training, naming the checkpoint. Within a run the
 *     checkpoint is always replaced by the run's newer one; a resumed run replaces the checkpoint it
 *     resumed from. Overwriting still replaces atomically after the first checkpointed epoch (the old
 *     checkpoint stays until then), never through a symbolic link, and never a folder that holds
 *     anything but a checkpoint.
 * @param averaging iterate averaging ({@link Averaging#ema}, {@link Averaging#swa}, {@link
 *     Averaging#polyak}), or null for none: once it holds an average, validation evaluates the
 *     averaged parameters, checkpoints carry it ({@code averaged.parameters}) and the result's
 *     parameters are the average (early stopping keeps and restores the best epoch's average)
 * @param metrics measured after every epoch on the training set (by an evaluation pass with the
 *     epoch's final parameters) and on the validation set, recorded in the {@link History} as
 *     {@code name} and {@code val_name}; names are unique
 * @param plateauMonitor the quantity that drives {@code plateau}, or null for the loss (validation
 *     loss with a validation set) in {@code plateau}'s mode; with a monitor, its mode (or the
 *     quantity's own direction) replaces {@code plateau}'s
 */
public record TrainingConfig(
        int batchSize,
        int epochs,
        Schedule schedule,
        boolean schedulePerEpoch,
        ReduceOnPlateau.Config plateau,
        int accumulation,
        Clipping clipping,
        Batches.Sampling sampling,
        boolean dropLast,
        long seed,
        EarlyStopping earlyStopping,
        double divergenceFactor,
        List<Callback> callbacks,
        Path checkpointDir,
        int checkpointEvery,
        int checkpointEverySteps,
        boolean checkpointOverwrite,
        Averaging averaging,
        List<Metric> metrics,
        Monitor plateauMonitor) {

    public TrainingConfig {
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be > 0, got " + batchSize);
        if (epochs <= 0) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
        Objects.requireNonNull(schedule, "schedule");
        if (accumulation < 1)
            throw new IllegalArgumentException("accumulation steps must be >= 1, got " + accumulation);
        Objects.requireNonNull(clipping, "clipping");
        Objects.requireNonNull(sampling, "sampling");
        if (!(divergenceFactor > 1))
            throw new IllegalArgumentException("divergenceFactor must be > 1, got " + divergenceFactor);
        callbacks = List.copyOf(callbacks);
        if (checkpointEvery < 1)
            throw new IllegalArgumentException("checkpointEvery must be >= 1, got " + checkpointEvery);
        if (checkpointEverySteps < 0)
            throw new IllegalArgumentException(
                    "checkpointEverySteps must be >= 0 (0: no step checkpoints), got " + checkpointEverySteps);
        if (checkpointEverySteps > 0 && checkpointDir == null)
            throw new IllegalArgumentException("checkpointEverySteps " + checkpointEverySteps
                    + " needs a checkpoint folder: set it with withCheckpoints(dir, everyEpochs) first");
        metrics = checkMetrics(metrics);
    }

    /** An unmodifiable copy; no nulls, no two metrics of one name, no name the history has already. */
    private static List<Metric> checkMetrics(List<Metric> metrics) {
        Objects.requireNonNull(metrics, "metrics");
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Metric m : metrics) {
            if (m == null) throw new IllegalArgumentException("metrics must not contain null: " + metrics);
            String n = m.name();
            if (n == null || n.isEmpty() || n.contains(",") || n.startsWith("val_") || History.FIXED.contains(n))
                throw new IllegalArgumentException("metric name '" + n + "' of " + m
                        + " is not allowed: it must be non-empty, without commas, not start with val_, and not"
                        + " be one of " + History.FIXED);
            if (!names.add(n)) throw new IllegalArgumentException("metric '" + n + "' is listed twice: " + metrics);
        }
        return List.copyOf(metrics);
    }

    /**
     * Batch size 32, 10 epochs, constant learning rate, no accumulation or clipping, shuffled every
     * epoch, seed 42, no early stopping, divergence at 100× the first loss, no checkpoints.
     */
    public static TrainingConfig defaults() {
        return new TrainingConfig(
                32,
                10,
                Schedules.constant(1),
                false,
                null,
                1,
                Clipping.NONE,
                Batches.Sampling.SHUFFLE,
                false,
                42,
                null,
                100,
                List.of(),
                null,
                1,
                0,
                false,
                null,
                List.of(),
                null);
    }

    public TrainingConfig withBatchSize(int v) {
        return with(f -> f.batchSize = v);
    }

    public TrainingConfig withEpochs(int v) {
        return with(f -> f.epochs = v);
    }

    /** The schedule, counted in optimizer steps. */
    public TrainingConfig withSchedule(Schedule v) {
        return with(f -> {
            f.schedule = v;
            f.schedulePerEpoch = false;
        });
    }

    /** The schedule, counted in epochs (constant within an epoch, like PyTorch's per-epoch scheduler). */
    public TrainingConfig withEpochSchedule(Schedule v) {
        return with(f -> {
            f.schedule = v;
            f.schedulePerEpoch = true;
        });
    }

    public TrainingConfig withPlateau(ReduceOnPlateau.Config v) {
        return with(f -> f.plateau = v);
    }

    public TrainingConfig withAccumulation(int v) {
        return with(f -> f.accumulation = v);
    }

    public TrainingConfig withClipping(Clipping v) {
        return with(f -> f.clipping = v);
    }

    public TrainingConfig withSampling(Batches.Sampling v, boolean dropLast) {
        return with(f -> {
            f.sampling = v;
            f.dropLast = dropLast;
        });
    }

    public TrainingConfig withSeed(long v) {
        return with(f -> f.seed = v);
    }

    public TrainingConfig withEarlyStopping(EarlyStopping v) {
        return with(f -> f.earlyStopping = v);
    }

    public TrainingConfig withDivergenceFactor(double v) {
        return with(f -> f.divergenceFactor = v);
    }

    /** These callbacks followed by {@code more}. */
    public TrainingConfig withCallbacks(Callback... more) {
        return with(f -> {
            f.callbacks = new ArrayList<>(f.callbacks);
            f.callbacks.addAll(List.of(more));
        });
    }

    /** Checkpoints into {@code dir} every {@code everyEpochs} epochs and at the end; null dir for none. */
    public TrainingConfig withCheckpoints(Path dir, int everyEpochs) {
        return with(f -> {
            f.checkpointDir = dir;
            f.checkpointEvery = everyEpochs;
        });
    }

    /**
     * Also checkpoints every {@code steps} optimizer steps (0: only the epoch checkpoints), in the
     * middle of an epoch too, so a long epoch (a large stream) loses at most {@code steps} steps to a
     * crash; {@link Trainer#resume} continues at the recorded batch bit for bit. Needs the folder of
     * {@link #withCheckpoints} (set it first).
     */
    public TrainingConfig withCheckpointEverySteps(int steps) {
        return with(f -> f.checkpointEverySteps = steps);
    }

    /**
     * Whether a run may replace another run's checkpoint in the checkpoint folder (default false:
     * refused before training); see {@link #checkpointOverwrite()}.
     */
    public TrainingConfig withCheckpointOverwrite(boolean overwrite) {
        return with(f -> f.checkpointOverwrite = overwrite);
    }

    /** Iterate averaging (null for none); see {@link #averaging()}. */
    public TrainingConfig withAveraging(Averaging v) {
        return with(f -> f.averaging = v);
    }

    /** The metrics measured every epoch (replacing any set before); see {@link #metrics()}. */
    public TrainingConfig withMetrics(Metric... v) {
        return with(f -> f.metrics = List.of(v));
    }

    /** Reduce-on-plateau driven by {@code monitor} (null: the loss); see {@link #plateauMonitor()}. */
    public TrainingConfig withPlateau(ReduceOnPlateau.Config v, Monitor monitor) {
        return with(f -> {
            f.plateau = v;
            f.plateauMonitor = monitor;
        });
    }

    /** A copy of this config with some fields changed; the constructor checks the result. */
    private TrainingConfig with(Consumer<Fields> change) {
        Fields f = new Fields(this);
        change.accept(f);
        return new TrainingConfig(
                f.batchSize,
                f.epochs,
                f.schedule,
                f.schedulePerEpoch,
                f.plateau,
                f.accumulation,
                f.clipping,
                f.sampling,
                f.dropLast,
                f.seed,
                f.earlyStopping,
                f.divergenceFactor,
                f.callbacks,
                f.checkpointDir,
                f.checkpointEvery,
                f.checkpointEverySteps,
                f.checkpointOverwrite,
                f.averaging,
                f.metrics,
                f.plateauMonitor);
    }

    /** The components as mutable fields, for {@link #with}. */
    private static final class Fields {
        int batchSize, epochs, accumulation, checkpointEvery, checkpointEverySteps;
        Schedule schedule;
        boolean schedulePerEpoch, dropLast, checkpointOverwrite;
        ReduceOnPlateau.Config plateau;
        Clipping clipping;
        Batches.Sampling sampling;
        long seed;
        EarlyStopping earlyStopping;
        double divergenceFactor;
        List<Callback> callbacks;
        Path checkpointDir;
        Averaging averaging;
        List<Metric> metrics;
        Monitor plateauMonitor;

        Fields(TrainingConfig c) {
            batchSize = c.batchSize;
            epochs = c.epochs;
            schedule = c.schedule;
            schedulePerEpoch = c.schedulePerEpoch;
            plateau = c.plateau;
            accumulation = c.accumulation;
            clipping = c.clipping;
            sampling = c.sampling;
            dropLast = c.dropLast;
            seed = c.seed;
            earlyStopping = c.earlyStopping;
            divergenceFactor = c.divergenceFactor;
            callbacks = c.callbacks;
            checkpointDir = c.checkpointDir;
            checkpointEvery = c.checkpointEvery;
            checkpointEverySteps = c.checkpointEverySteps;
            checkpointOverwrite = c.checkpointOverwrite;
            averaging = c.averaging;
            metrics = c.metrics;
            plateauMonitor = c.plateauMonitor;
        }
    }
}
