package dev.descent.spark;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Batches;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The training rows of one Spark partition: their global row numbers (ascending) with their
 * features and targets, row-major. A cached RDD holds one shard per partition for the whole run.
 *
 * <p>Per epoch the shard lays out its rows by their position in the epoch's order (the one {@link
 * Batches} draws from (seed, epoch) on one machine), so that a batch, a contiguous range of
 * positions, is a contiguous range of the shard's layout: a step finds it by binary search and
 * scans nothing else. The layout, the model and the buffers are transient: built on the executor at
 * first use and kept while Spark keeps the cached shard (rebuilt if Spark recomputes it).
 */
final class Shard implements Serializable {
    private final int[] index;
    private final float[] x;
    private final float[] y;
    private final int features;
    private final int targetWidth;

    private transient long laidOutEpoch = -1;
    /** Positions in the epoch's order that fall on this shard, ascending, and the local row of each. */
    private transient int[] positions, localRows;

    private transient Sequential model;
    private transient Backend backend;
    private transient Loss loss;
    private transient Sequential.Workspace ws;
    private transient float[] bx, by, dOut;

    /**
     * @param index global row numbers, ascending; {@code x[index.length×features]}, {@code
     *     y[index.length×targetWidth]} (kept, not copied)
     */
    Shard(int[] index, float[] x, float[] y, int features, int targetWidth) {
        if (x.length != (long) index.length * features || y.length != (long) index.length * targetWidth)
            throw new IllegalArgumentException("a shard of " + index.length + " rows needs " + index.length * features
                    + " features and " + index.length * targetWidth + " targets, got " + x.length + " and " + y.length);
        for (int i = 1; i < index.length; i++)
            if (index[i] <= index[i - 1])
                throw new IllegalArgumentException(
                        "row numbers must ascend, got " + index[i - 1] + " then " + index[i]);
        this.index = index;
        this.x = x;
        this.y = y;
        this.features = features;
        this.targetWidth = targetWidth;
    }

    int rows() {
        return index.length;
    }

    int features() {
        return features;
    }

    /** The largest global row number, or -1 for an empty shard. */
    int lastRow() {
        return index.length == 0 ? -1 : index[index.length - 1];
    }

    /**
     * Adds this shard's share of the task's batch to {@code sum}: the gradient of the loss over the
     * batch's rows that live here, at {@code params}, weighted so that the shares of all partitions
     * add up to {@code task.weight() ×} the gradient of the whole batch (for a mean loss each share
     * counts by its rows). Reads params; overwrites or adds into {@code sum}; returns sum.
     */
    synchronized GradientSum addGradient(StepTask task, float[] params, GradientSum sum) {
        layOut(task);
        int a = lowerBound(positions, task.start()), b = lowerBound(positions, task.start() + task.rows());
        int r = b - a;
        if (r == 0) return sum;
        prepare(task, r);
        if (model.parameterCount() != params.length)
            throw new IllegalStateException("the model factory built " + model + " with " + model.parameterCount()
                    + " parameters on this executor, the driver's model has " + params.length);
        for (int i = 0; i < r; i++) {
            int row = localRows[a + i];
            System.arraycopy(x, row * features, bx, i * features, features);
            System.arraycopy(y, row * targetWidth, by, i * targetWidth, targetWidth);
        }
        boolean mean = loss.reduction() == Loss.Reduction.MEAN;
        float share = mean ? (float) ((double) task.weight() * r / task.rows()) : task.weight();
        ws.training(task.seed(), task.epoch(), 0);
        float[] out = model.forward(backend, params, bx, r, ws);
        double value = loss.valueAndGradient(out, 0, by, 0, r, model.outputs(), dOut, 0, share);
        model.backward(backend, params, bx, r, ws, dOut, sum.gradient, sum.filled);
        sum.filled = true;
        sum.loss += mean ? value * r / task.rows() : value;
        sum.rows += r;
        return sum;
    }

    /** Builds the model, loss, backend and buffers at first use; grows the buffers for r rows. */
    private void prepare(StepTask task, int r) {
        if (model == null) {
            model = task.model().build();
            loss = task.loss();
            backend = Backends.byName(task.backend());
            ws = model.workspace(Math.min(task.batchSize(), Math.max(1, index.length)));
        }
        if (bx == null || bx.length < r * features) {
            bx = new float[r * features];
            by = new float[r * targetWidth];
            dOut = new float[r * model.outputs()];
        }
    }

    /** Lays out this shard's rows in the order of the task's epoch, unless it is laid out already. */
    private void layOut(StepTask task) {
        if (laidOutEpoch == task.epoch() && positions != null) return;
        int n = task.totalRows();
        int[] order = Batches.orderOnly(n, task.batchSize(), task.seed(), task.sampling(), task.dropLast())
                .order(task.epoch());
        int[] localOf = new int[n];
        Arrays.fill(localOf, -1);
        for (int i = 0; i < index.length; i++) localOf[index[i]] = i;
        int count = 0;
        for (int row : order) if (localOf[row] >= 0) count++;
        positions = new int[count];
        localRows = new int[count];
        for (int p = 0, k = 0; p < order.length; p++) {
            int local = localOf[order[p]];
            if (local < 0) continue;
            positions[k] = p;
            localRows[k++] = local;
        }
        laidOutEpoch = task.epoch();
    }

    /** The first i with a[i] >= key (a ascending), a.length if none. */
    private static int lowerBound(int[] a, int key) {
        int lo = 0, hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < key) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
