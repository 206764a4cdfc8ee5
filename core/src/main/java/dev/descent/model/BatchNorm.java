package dev.descent.model;

import java.util.Arrays;
import java.util.List;

/**
 * Batch normalisation per channel, PyTorch's {@code nn.BatchNorm1d} ({@code dims} 1: examples of
 * shape {@code [C]} or {@code [C, L]}) and {@code nn.BatchNorm2d} ({@code dims} 2: {@code [C, H, W]},
 * NCHW rows {@code c·H·W + h·W + w}), with {@code affine=True, track_running_stats=True}.
 *
 * <p>A training pass normalises each channel with the mean and biased variance of the batch (over
 * the rows and, for {@code [C, L]} and {@code [C, H, W]}, the positions), {@code y = (x - mean)/
 * sqrt(var + eps)·weight + bias}, and updates the running statistics with {@code momentum}: {@code
 * running = (1 - momentum)·running + momentum·batch}, the variance's batch value being the unbiased
 * one ({@code ·n/(n-1)}). An evaluation pass normalises with the running statistics. Parameters
 * {@code weight [C]} (starts at 1) and {@code bias [C]} (starts at 0); {@linkplain Layer#buffers
 * buffers} {@code running_mean [C]} (0), {@code running_var [C]} (1) and {@code num_batches_tracked
 * []} (0), under PyTorch's names. Means and variances are accumulated in double.
 *
 * <p>When the model recomputes its statistics after iterate averaging ({@link
 * Sequential#recomputeStatistics}, PyTorch's {@code update_bn}) the momentum is replaced by {@code
 * 1/num_batches_tracked}: an equal-weight average over the batches.
 *
 * @param channels C, the features (1d) or channels (2d) normalised separately
 * @param dims 1 for BatchNorm1d, 2 for BatchNorm2d
 * @param eps added to the variance (PyTorch's default 1e-5)
 * @param momentum the running statistics' update factor (PyTorch's default 0.1)
 */
public record BatchNorm(int channels, int dims, double eps, double momentum) implements Layer {

    /** PyTorch's default eps. */
    public static final double DEFAULT_EPS = 1e-5;

    /** PyTorch's default momentum. */
    public static final double DEFAULT_MOMENTUM = 0.1;

    public BatchNorm {
        if (channels <= 0) throw new IllegalArgumentException("batch norm channels must be > 0, got " + channels);
        if (dims != 1 && dims != 2)
            throw new IllegalArgumentException(
                    "batch norm dims must be 1 (BatchNorm1d) or 2 (BatchNorm2d), got " + dims);
        if (!(eps > 0) || !Double.isFinite(eps))
            throw new IllegalArgumentException("batch norm eps must be > 0 and finite, got " + eps);
        if (!(momentum >= 0 && momentum <= 1))
            throw new IllegalArgumentException("batch norm momentum must be in [0, 1], got " + momentum);
    }

    /** BatchNorm1d over {@code features} with PyTorch's defaults (eps 1e-5, momentum 0.1). */
    public BatchNorm(int features) {
        this(features, 1, DEFAULT_EPS, DEFAULT_MOMENTUM);
    }

    /** PyTorch's {@code nn.BatchNorm1d(features)}: examples {@code [features]} or {@code [features, L]}. */
    public static BatchNorm batchNorm1d(int features) {
        return new BatchNorm(features, 1, DEFAULT_EPS, DEFAULT_MOMENTUM);
    }

    /** PyTorch's {@code nn.BatchNorm2d(channels)}: examples {@code [channels, H, W]}. */
    public static BatchNorm batchNorm2d(int channels) {
        return new BatchNorm(channels, 2, DEFAULT_EPS, DEFAULT_MOMENTUM);
    }

    /** This layer with another eps. */
    public BatchNorm withEps(double eps) {
        return new BatchNorm(channels, dims, eps, momentum);
    }

    /** This layer with another momentum. */
    public BatchNorm withMomentum(double momentum) {
        return new BatchNorm(channels, dims, eps, momentum);
    }

    @Override
    public String kind() {
        return "batch_norm";
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        boolean ok = inputShape.length > 0
                && inputShape[0] == channels
                && (dims == 1 ? inputShape.length <= 2 : inputShape.length == 3);
        if (!ok)
            throw new IllegalArgumentException((dims == 1
                            ? "batch_norm1d over " + channels + " features takes input shape [" + channels + "] or ["
                                    + channels + ", L]"
                            : "batch_norm2d over " + channels + " channels takes input shape [" + channels + ", H, W]")
                    + ", got " + Arrays.toString(inputShape) + " (rank " + inputShape.length + ")");
        return inputShape.clone();
    }

    @Override
    public List<Parameter> parameters(int[] inputShape) {
        return List.of(
                new Parameter("weight", new int[] {channels}, Parameter.ONES),
                new Parameter("bias", new int[] {channels}, Parameter.ZEROS));
    }

    @Override
    public List<Parameter> buffers(int[] inputShape) {
        return List.of(
                new Parameter("running_mean", new int[] {channels}, Parameter.ZEROS),
                new Parameter("running_var", new int[] {channels}, Parameter.ONES),
                new Parameter("num_batches_tracked", new int[0], Parameter.ZEROS));
    }

    /** The normalised input x̂ (one row's worth), then per channel the 1/σ used (C more per row, read once). */
    @Override
    public int scratchPerRow(int[] inputShape) {
        return Sequential.width(inputShape) + channels;
    }

    /**
     * Reads x, the parameters and (evaluation) the running statistics; overwrites y and the scratch
     * (x̂, 1/σ); a training pass also overwrites this layer's buffers.
     *
     * @throws IllegalArgumentException in training, when a channel has one value in the batch (one
     *     row of {@code [C]}), as PyTorch refuses it
     */
    @Override
    public void forward(LayerContext c, float[] x, float[] y) {
        int rows = c.rows(), width = c.inputWidth(), positions = width / channels, stats = rows * width;
        long n = (long) rows * positions;
        boolean training = c.training();
        if (training && n < 2)
            throw new IllegalArgumentException("layer " + c.name() + " (" + this + ") in training needs more than one"
                    + " value per channel, got a batch of " + rows + " row" + (rows == 1 ? "" : "s") + " of "
                    + positions + " position" + (positions == 1 ? "" : "s")
                    + " (use batches of at least 2 rows, or evaluate)");
        c.backend()
                .batchNormForward(
                        x,
                        0,
                        rows,
                        channels,
                        positions,
                        c.params(),
                        c.parameterOffset(0),
                        c.parameterOffset(1),
                        c.buffers(),
                        c.bufferOffset(0),
                        c.bufferOffset(1),
                        c.bufferOffset(2),
                        training,
                        c.cumulativeStatistics(),
                        momentum,
                        eps,
                        c.scratch(),
                        0,
                        stats,
                        y,
                        0);
    }

    /**
     * {@code dweight = Σ dy·x̂}, {@code dbias = Σ dy} per channel; in training {@code dx = (dx̂ -
     * mean(dx̂) - x̂·mean(dx̂·x̂))/σ} with {@code dx̂ = dy·weight} (the batch statistics depend on x),
     * in evaluation {@code dx = dy·weight/σ}. Reads x̂ and 1/σ from the scratch; never writes buffers.
     */
    @Override
    public void backward(LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
        int rows = c.rows(), width = c.inputWidth(), positions = width / channels;
        c.backend()
                .batchNormBackward(
                        dy,
                        0,
                        rows,
                        channels,
                        positions,
                        c.params(),
                        c.grads(),
                        c.parameterOffset(0),
                        c.parameterOffset(1),
                        c.accumulate(),
                        c.training(),
                        c.scratch(),
                        0,
                        rows * width,
                        dx,
                        0);
    }

    @Override
    public String toString() {
        return "batch_norm" + dims + "d(" + channels + (eps == DEFAULT_EPS ? "" : ", eps " + eps)
                + (momentum == DEFAULT_MOMENTUM ? "" : ", momentum " + momentum) + ")";
    }
}
