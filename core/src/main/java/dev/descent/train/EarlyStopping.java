package dev.descent.train;

import dev.descent.schedule.ReduceOnPlateau.Mode;

/**
 * Stops training when the monitored quantity has not improved by more than {@code minDelta} for
 * {@code patience} epochs. By default it monitors the loss (the validation loss when there is a
 * validation set, else the training loss), lower being better; {@link #monitoring} picks any
 * recorded quantity ({@code "val_auc"}, {@code "val_f1_macro"}, {@code "accuracy"}; see {@link
 * Monitor}) and its direction.
 *
 * @param patience epochs without improvement that are tolerated, {@code >= 1}
 * @param minDelta how much better than the best so far a value must be to count as an improvement,
 *     {@code >= 0}
 * @param restoreBest whether training ends with the parameters of the best epoch rather than the last
 * @param monitor the quantity watched, or null for the loss (as above)
 */
public record EarlyStopping(int patience, double minDelta, boolean restoreBest, Monitor monitor) {

    public EarlyStopping {
        if (patience < 1) throw new IllegalArgumentException("early stopping patience must be >= 1, got " + patience);
        if (!(minDelta >= 0) || Double.isInfinite(minDelta))
            throw new IllegalArgumentException("early stopping minDelta must be finite and >= 0, got " + minDelta);
    }

    /** Monitoring the loss. */
    public EarlyStopping(int patience, double minDelta, boolean restoreBest) {
        this(patience, minDelta, restoreBest, null);
    }

    /** Patience epochs, no minimum delta, restoring the best parameters. */
    public static EarlyStopping patience(int patience) {
        return new EarlyStopping(patience, 0, true);
    }

    public EarlyStopping withMinDelta(double minDelta) {
        return new EarlyStopping(patience, minDelta, restoreBest, monitor);
    }

    public EarlyStopping withRestoreBest(boolean restoreBest) {
        return new EarlyStopping(patience, minDelta, restoreBest, monitor);
    }

    /** Monitors {@code quantity} in its own direction (null: the loss). */
    public EarlyStopping monitoring(String quantity) {
        return new EarlyStopping(patience, minDelta, restoreBest, quantity == null ? null : Monitor.of(quantity));
    }

    /** Monitors {@code quantity}, better when lower ({@code MIN}) or higher ({@code MAX}; null: its own direction). */
    public EarlyStopping monitoring(String quantity, Mode mode) {
        return new EarlyStopping(patience, minDelta, restoreBest, Monitor.of(quantity, mode));
    }
}
