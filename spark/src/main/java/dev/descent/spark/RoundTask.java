package dev.descent.spark;

import dev.descent.optim.Optimizer;
import dev.descent.train.Clipping;
import java.io.Serializable;

/**
 * What one Spark job of a local-SGD round asks every partition: the run's settings ({@code run}:
 * model, loss, backend and the epoch's order), the optimizer and clipping each partition applies
 * itself, and the round's batches {@code firstBatch .. firstBatch + lrs.length − 1} of the epoch,
 * which are the run's steps from {@code firstStep}, at learning rates {@code lrs}.
 */
record RoundTask(StepTask run, Optimizer optimizer, Clipping clipping, long firstStep, int firstBatch, double[] lrs)
        implements Serializable {

    int steps() {
        return lrs.length;
    }

    /** The first order position of the round's batch {@code i}. */
    int start(int i) {
        return (firstBatch + i) * run.batchSize();
    }

    /** Rows of the round's batch {@code i}: the batch size, or fewer for an epoch's last batch. */
    int rows(int i) {
        return Math.min(run.batchSize(), run.totalRows() - start(i));
    }
}
