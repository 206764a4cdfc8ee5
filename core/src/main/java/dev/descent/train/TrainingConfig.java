package dev.descent.train;

import dev.descent.data.Batches;
import dev.descent.schedule.ReduceOnPlateau;
import dev.descent.schedule.Schedule;
import dev.descent.schedule.Schedules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
        int checkpointEvery) {

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
                1);
    }

    public TrainingConfig withBatchSize(int v) {
        return new TrainingConfig(
                v,
                epochs,
                schedule,
                schedulePerEpoch,
                plateau,
                accumulation,
                clipping,
                sampling,
                dropLast,
                seed,
                earlyStopping,
                divergenceFactor,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    public TrainingConfig withEpochs(int v) {
        return new TrainingConfig(
                batchSize,
                v,
                schedule,
                schedulePerEpoch,
                plateau,
                accumulation,
                clipping,
                sampling,
                dropLast,
                seed,
                earlyStopping,
                divergenceFactor,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    /** The schedule, counted in optimizer steps. */
    public TrainingConfig withSchedule(Schedule v) {
        return new TrainingConfig(
                batchSize,
                epochs,
                v,
                false,
                plateau,
                accumulation,
                clipping,
                sampling,
                dropLast,
                seed,
                earlyStopping,
                divergenceFactor,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    /** The schedule, counted in epochs (constant within an epoch, like PyTorch's per-epoch scheduler). */
    public TrainingConfig withEpochSchedule(Schedule v) {
        return new TrainingConfig(
                batchSize,
                epochs,
                v,
                true,
                plateau,
                accumulation,
                clipping,
                sampling,
                dropLast,
                seed,
                earlyStopping,
                divergenceFactor,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    public TrainingConfig withPlateau(ReduceOnPlateau.Config v) {
        return new TrainingConfig(
                batchSize,
                epochs,
                schedule,
                schedulePerEpoch,
                v,
                accumulation,
                clipping,
                sampling,
                dropLast,
                seed,
                earlyStopping,
                divergenceFactor,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    public TrainingConfig withAccumulation(int v) {
        return new TrainingConfig(
                batchSize,
                epochs,
                schedule,
                schedulePerEpoch,
                plateau,
                v,
                clipping,
                sampling,
                dropLast,
                seed,
                earlyStopping,
                divergenceFactor,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    public TrainingConfig withClipping(Clipping v) {
        return new TrainingConfig(
                batchSize,
                epochs,
                schedule,
                schedulePerEpoch,
                plateau,
                accumulation,
                v,
                sampling,
                dropLast,
                seed,
                earlyStopping,
                divergenceFactor,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    public TrainingConfig withSampling(Batches.Sampling v, boolean dropLast) {
        return new TrainingConfig(
                batchSize,
                epochs,
                schedule,
                schedulePerEpoch,
                plateau,
                accumulation,
                clipping,
                v,
                dropLast,
                seed,
                earlyStopping,
                divergenceFactor,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    public TrainingConfig withSeed(long v) {
        return new TrainingConfig(
                batchSize,
                epochs,
                schedule,
                schedulePerEpoch,
                plateau,
                accumulation,
                clipping,
                sampling,
                dropLast,
                v,
                earlyStopping,
                divergenceFactor,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    public TrainingConfig withEarlyStopping(EarlyStopping v) {
        return new TrainingConfig(
                batchSize,
                epochs,
                schedule,
                schedulePerEpoch,
                plateau,
                accumulation,
                clipping,
                sampling,
                dropLast,
                seed,
                v,
                divergenceFactor,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    public TrainingConfig withDivergenceFactor(double v) {
        return new TrainingConfig(
                batchSize,
                epochs,
                schedule,
                schedulePerEpoch,
                plateau,
                accumulation,
                clipping,
                sampling,
                dropLast,
                seed,
                earlyStopping,
                v,
                callbacks,
                checkpointDir,
                checkpointEvery);
    }

    /** These callbacks followed by {@code more}. */
    public TrainingConfig withCallbacks(Callback... more) {
        List<Callback> all = new ArrayList<>(callbacks);
        all.addAll(List.of(more));
        return new TrainingConfig(
                batchSize,
                epochs,
                schedule,
                schedulePerEpoch,
                plateau,
                accumulation,
                clipping,
                sampling,
                dropLast,
                seed,
                earlyStopping,
                divergenceFactor,
                all,
                checkpointDir,
                checkpointEvery);
    }

    /** Checkpoints into {@code dir} every {@code everyEpochs} epochs and at the end; null dir for none. */
    public TrainingConfig withCheckpoints(Path dir, int everyEpochs) {
        return new TrainingConfig(
                batchSize,
                epochs,
                schedule,
                schedulePerEpoch,
                plateau,
                accumulation,
                clipping,
                sampling,
                dropLast,
                seed,
                earlyStopping,
                divergenceFactor,
                callbacks,
                dir,
                everyEpochs);
    }
}
