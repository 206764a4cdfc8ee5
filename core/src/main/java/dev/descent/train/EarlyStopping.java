package dev.descent.train;

/**
 * Stops training when the monitored loss (the validation loss when there is a validation set, else
 * the training loss) has not improved by more than {@code minDelta} for {@code patience} epochs.
 *
 * @param patience epochs without improvement that are tolerated, {@code >= 1}
 * @param minDelta how much lower than the best so far a loss must be to count as an improvement,
 *     {@code >= 0}
 * @param restoreBest whether training ends with the parameters of the best epoch rather than the last
 */
public record EarlyStopping(int patience, double minDelta, boolean restoreBest) {

    public EarlyStopping {
        if (patience < 1) throw new IllegalArgumentException("early stopping patience must be >= 1, got " + patience);
        if (!(minDelta >= 0) || Double.isInfinite(minDelta))
            throw new IllegalArgumentException("early stopping minDelta must be finite and >= 0, got " + minDelta);
    }

    /** Patience epochs, no minimum delta, restoring the best parameters. */
    public static EarlyStopping patience(int patience) {
        return new EarlyStopping(patience, 0, true);
    }

    public EarlyStopping withMinDelta(double minDelta) {
        return new EarlyStopping(patience, minDelta, restoreBest);
    }

    public EarlyStopping withRestoreBest(boolean restoreBest) {
        return new EarlyStopping(patience, minDelta, restoreBest);
    }
}
