package dev.descent.train;

/**
 * How a sparse run ({@link Trainer#fit(dev.descent.data.SparseDataset, SparseUpdate)}) updates the
 * first layer's weights.
 */
public enum SparseUpdate {
    /**
     * PyTorch's update: every parameter from a dense gradient (zero in the columns a batch did not
     * use), so the run equals the densified one. Each step costs O(parameters).
     */
    DENSE,
    /**
     * Only the first layer's weight columns (input features) the step's batch used are updated, as
     * PyTorch's sparse embeddings with {@code SparseAdam}: the parameters and the optimizer state of
     * the other columns do not change that step; biases and later layers update densely, and the
     * step count (Adam's bias correction) advances every step. The optimizer's own rule runs on the
     * touched coordinates gathered into compact buffers, so a step costs O(touched columns × outputs
     * + other parameters), not O(parameters).
     *
     * <p>Weight decay λ: a column's missed decay is caught up when the column is next used (and for
     * all columns whenever the parameters are read: at each epoch's start, for validation, checkpoints
     * and the result): its weights are multiplied by {@code ∏(1 − lr_s·λ)} over the steps s it missed,
     * then the step's own rule (with its decay) runs. That is exactly what plain SGD without momentum
     * does to an unused column, so lazy plain SGD equals the dense run with or without decay. With
     * momentum or an adaptive rule the dense update also moves unused columns through their state
     * (momentum, moments); the lazy one does not, so the two differ (as PyTorch's SparseAdam differs
     * from Adam). A step with {@code lr·λ >= 1} is refused.
     *
     * <p>Supported: SGD (with momentum, dampening, Nesterov), Adam/AdamW/AMSGrad, Adagrad, RMSprop,
     * Adamax, Adadelta, Lion and RAdam, whose update of a coordinate reads only that coordinate and
     * the step count. With momentum and dampening d, a column used for the first time after step 1
     * starts its buffer at {@code (1 − d)·g} (PyTorch's first step, {@code g}, is the run's first
     * step). Refused with an error naming the rule: LARS and LAMB (per-tensor trust ratios over all
     * columns), NAdam and ASGD (running products and averages of the step), parameter groups, and
     * rules of one's own.
     */
    LAZY
}
