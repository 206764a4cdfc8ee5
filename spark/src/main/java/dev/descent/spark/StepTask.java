package dev.descent.spark;

import dev.descent.data.Batches;
import dev.descent.loss.Loss;
import java.io.Serializable;

/**
 * What one Spark job of a training step asks every partition: the run's settings that fix the
 * epoch's row order (rows, batch size, seed, sampling, dropLast), the model and loss to build, and
 * which positions of the epoch's order form the batch. Small: sent with every job.
 */
record StepTask(
        ModelFactory model,
        Loss loss,
        String backend,
        int totalRows,
        int batchSize,
        long seed,
        Batches.Sampling sampling,
        boolean dropLast,
        long epoch,
        int start,
        int rows,
        float weight)
        implements Serializable {

    /** The same task for another batch of the same run. */
    StepTask batch(long epoch, int start, int rows, float weight) {
        return new StepTask(
                model, loss, backend, totalRows, batchSize, seed, sampling, dropLast, epoch, start, rows, weight);
    }
}
