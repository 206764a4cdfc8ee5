package dev.descent.spark;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.data.Batches;
import dev.descent.data.SparseBatch;
import dev.descent.data.SparseDataset;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.OptimizerState;
import dev.descent.train.TrainingSession;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The training rows of one Spark partition: their global row numbers (ascending) with their
 * features, dense row-major or sparse (CSR: a batch then runs through {@link
 * Sequential#forwardSparse}), and their targets, row-major. A cached RDD holds one shard per
 * partition for the whole run.
 *
 * <p>Per epoch the shard lays out its rows by their position in the epoch's order (the one {@link
 * Batches} draws from (seed, epoch) on one machine), so that a batch, a contiguous range of
 * positions, is a contiguous range of the shard's layout: a step finds it by binary search and
 * scans nothing else. The layout, the model and the buffers are transient: built on the executor at
 * first use and kept while Spark keeps the cached shard (rebuilt if Spark recomputes it).
 */
final class Shard implements Serializable {
    private final int[] index;
    /** Dense features {@code [rows×features]}, or null when the rows are sparse. */
    private final float[] x;
    /** CSR features (row pointers, columns, values), or all null when the rows are dense. */
    private final long[] rowStart;

    private final int[] columns;
    private final float[] values;
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
    /** The sparse rows as a data set, and the batch buffer filled from it (sparse shards only). */
    private transient SparseDataset csr;

    private transient SparseBatch sb;
    /** Local SGD: this partition's training session and a scratch optimizer state (built at first use). */
    private transient TrainingSession session;

    private transient OptimizerState scratchState;
    private transient float[] finalParams;

    /**
     * @param index global row numbers, ascending; {@code x[index.length×features]}, {@code
     *     y[index.length×targetWidth]} (kept, not copied)
     */
    Shard(int[] index, float[] x, float[] y, int features, int targetWidth) {
        this(index, x, null, null, null, y, features, targetWidth);
        if (x.length != (long) index.length * features)
            throw new IllegalArgumentException("a shard of " + index.length + " rows needs " + index.length * features
                    + " features, got " + x.length);
    }

    /**
     * A shard of sparse rows: row i holds {@code columns/values[rowStart[i], rowStart[i+1])}, columns
     * ascending in {@code [0, features)} (kept, not copied; checked when first trained on).
     */
    static Shard sparse(int[] index, long[] rowStart, int[] columns, float[] values, float[] y, int features) {
        if (rowStart.length != index.length + 1 || columns.length != values.length)
            throw new IllegalArgumentException("a sparse shard of " + index.length + " rows needs " + (index.length + 1)
                    + " row pointers and as many columns as values, got " + rowStart.length + ", " + columns.length
                    + " and " + values.length);
        return new Shard(index, null, rowStart, columns, values, y, features, 1);
    }

    private Shard(
            int[] index,
            float[] x,
            long[] rowStart,
            int[] columns,
            float[] values,
            float[] y,
            int features,
            int targetWidth) {
        if (y.length != (long) index.length * targetWidth)
            throw new IllegalArgumentException("a shard of " + index.length + " rows needs "
                    + index.length * targetWidth + " targets, got " + y.length);
        for (int i = 1; i < index.length; i++)
            if (index[i] <= index[i - 1])
                throw new IllegalArgumentException(
                        "row numbers must ascend, got " + index[i - 1] + " then " + index[i]);
        this.index = index;
        this.x = x;
        this.rowStart = rowStart;
        this.columns = columns;
        this.values = values;
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

    /** Whether the rows are held sparse (CSR) and trained through the sparse kernels. */
    boolean sparse() {
        return x == null;
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
        gather(a, r);
        boolean mean = loss.reduction() == Loss.Reduction.MEAN;
        float share = mean ? (float) ((double) task.weight() * r / task.rows()) : task.weight();
        ws.training(task.seed(), task.epoch(), 0);
        if (sparse()) {
            float[] out = model.forwardSparse(backend, params, sb, ws);
            double value = loss.valueAndGradient(out, 0, sb.y(), 0, r, model.outputs(), dOut, 0, share);
            model.backwardSparse(backend, params, sb, ws, dOut, sum.gradient, sum.filled);
            return added(sum, value, r, task.rows(), mean);
        }
        float[] out = model.forward(backend, params, bx, r, ws);
        double value = loss.valueAndGradient(out, 0, by, 0, r, model.outputs(), dOut, 0, share);
        model.backward(backend, params, bx, r, ws, dOut, sum.gradient, sum.filled);
        return added(sum, value, r, task.rows(), mean);
    }

    /** Records a share of {@code r} of a batch's {@code rows} rows with loss {@code value} in sum. */
    private static GradientSum added(GradientSum sum, double value, int r, int rows, boolean mean) {
        sum.filled = true;
        sum.loss += mean ? value * r / rows : value;
        sum.rows += r;
        return sum;
    }

    /**
     * Local SGD: runs the round's steps on this shard's rows of each of the round's batches (a batch
     * without rows here is skipped), each step a gradient of the mean (or sum) loss over those rows,
     * clipped and applied by this partition's own optimizer, starting from {@code params} and {@code
     * state}; adds the final parameters and state weighted by the rows trained on, the steps' losses
     * (as shares of the batches' losses) and rows-weighted gradient norms to {@code sum}, and with
     * {@code keep} this partition's state under {@code partition}. Reads params and state.
     */
    synchronized RoundSum runRound(
            RoundTask round, float[] params, StateCopy state, boolean keep, int partition, RoundSum sum) {
        StepTask task = round.run();
        if (index.length == 0) return sum;
        layOut(task);
        if (session == null) {
            prepare(task, 1);
            session = TrainingSession.open(backend, model, loss, round.optimizer(), params);
            scratchState = session.readOptimizerState();
            finalParams = new float[params.length];
        }
        session.writeParameters(params);
        state.into(scratchState);
        session.writeOptimizerState(scratchState);
        boolean mean = loss.reduction() == Loss.Reduction.MEAN;
        long trained = 0;
        for (int i = 0; i < round.steps(); i++) {
            int start = round.start(i), rows = round.rows(i);
            int a = lowerBound(positions, start), r = lowerBound(positions, start + rows) - a;
            if (r == 0) continue;
            prepare(task, r);
            gather(a, r);
            session.position(task.seed(), round.firstStep() + i);
            double value = sparse() ? session.accumulate(sb, 1f) : session.accumulate(bx, by, r, 1f);
            double norm = session.clip(round.clipping());
            session.step(round.lrs()[i]);
            sum.loss[i] += mean ? value * r / rows : value;
            sum.normRows[i] += norm * r;
            sum.stepRows[i] += r;
            trained += r;
        }
        if (trained == 0) return sum;
        session.readParameters(finalParams);
        StateCopy end = StateCopy.of(session.readOptimizerState());
        sum.addWeighted(finalParams, end, trained);
        if (keep) sum.kept.put(partition, end);
        sum.rows += trained;
        return sum;
    }

    /** Copies the rows at layout places {@code [a, a + r)} into the batch buffers (dense or sparse). */
    private void gather(int a, int r) {
        if (sparse()) {
            sb.fill(csr, localRows, a, r);
            return;
        }
        for (int i = 0; i < r; i++) {
            int row = localRows[a + i];
            System.arraycopy(x, row * features, bx, i * features, features);
            System.arraycopy(y, row * targetWidth, by, i * targetWidth, targetWidth);
        }
    }

    /** Builds the model, loss, backend and buffers at first use; grows the buffers for r rows. */
    private void prepare(StepTask task, int r) {
        if (model == null) {
            model = task.model().build();
            loss = task.loss();
            backend = Backends.byName(task.backend());
            ws = model.workspace(Math.min(task.batchSize(), Math.max(1, index.length)));
        }
        if (sparse()) {
            if (csr == null) {
                csr = new SparseDataset("partition rows", rowStart, columns, values, y, features, 1, 0);
                int widest = 0;
                for (int i = 0; i < index.length; i++) widest = Math.max(widest, csr.rowLength(i));
                int capacity = Math.max(1, Math.min(task.batchSize(), index.length));
                sb = new SparseBatch(capacity, (int) Math.min(columns.length, (long) widest * capacity), features, 1);
            }
        } else if (bx == null || bx.length < r * features) {
            bx = new float[r * features];
            by = new float[r * targetWidth];
        }
        if (dOut == null || dOut.length < r * model.outputs()) dOut = new float[r * model.outputs()];
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
