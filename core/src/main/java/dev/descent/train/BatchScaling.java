package dev.descent.train;

/**
 * Learning rates for a new batch size. The linear scaling rule (Goyal et al., 2017) keeps lr/B
 * constant, so that after the same number of samples SGD has moved about as far; the square-root
 * rule keeps lr/√B constant, which suits adaptive optimizers better. Both hold only
 * while B is well below the critical batch size; pair large B with a warmup.
 */
public final class BatchScaling {
    private BatchScaling() {}

    /** {@code lr · newBatch / batch}: the linear scaling rule. */
    public static double linear(double lr, int batch, int newBatch) {
        check(lr, batch, newBatch);
        return lr * newBatch / batch;
    }

    /** {@code lr · sqrt(newBatch / batch)}: the square-root rule. */
    public static double sqrt(double lr, int batch, int newBatch) {
        check(lr, batch, newBatch);
        return lr * Math.sqrt((double) newBatch / batch);
    }

    private static void check(double lr, int batch, int newBatch) {
        if (!(lr >= 0) || Double.isInfinite(lr))
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        if (batch <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batch);
        if (newBatch <= 0) throw new IllegalArgumentException("new batch size must be > 0, got " + newBatch);
    }
}
