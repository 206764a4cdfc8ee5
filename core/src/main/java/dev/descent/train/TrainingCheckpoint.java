package dev.descent.train;

import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.CheckpointException;
import dev.descent.checkpoint.Json;
import dev.descent.checkpoint.ModelTensors;
import dev.descent.checkpoint.SafeTensors.Tensor;
import dev.descent.data.StreamBatches;
import dev.descent.model.Sequential;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.ParamGroups;
import dev.descent.schedule.ReduceOnPlateau;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps a {@link Trainer} run to a {@link Checkpoint} and back. Tensors: the model's parameters named
 * like a PyTorch state_dict ({@code layers.0.weight} [out, in], {@code layers.0.bias} [out], …), the
 * optimizer's buffers ({@code optimizer.momentum_buffer} [n], …), with early stopping the best
 * epoch's parameters ({@code best.parameters} [n]) and with averaging the average ({@code
 * averaged.parameters} [n]); the model's buffers (BatchNorm's running statistics) under PyTorch's
 * names ({@code layers.1.running_mean}, …), with early stopping also the best epoch's ({@code
 * best.buffers}). With parameter groups the state records their layout ({@code
 * param_groups}: names, flat ranges, frozen), and resuming with other groups (or none) is refused.
 * State: the step and epoch counters (and, for a checkpoint taken in the middle of an epoch, {@code
 * in_epoch}: the epoch in progress, the batches of it taken, their loss × rows and rows, with the
 * parameters at its start as the tensor {@code epoch_start.parameters}), the sparse update when it is
 * not the dense one, the seed and
 * batching that fix every later epoch's order, the optimizer's step, the divergence yardstick, the
 * early-stopping and plateau state, the elapsed time and the history. Everything a resumed run needs
 * to continue bit for bit.
 *
 * <p>Restoring checks every value's type and range (naming the field, e.g. {@code state
 * 'plateau.factor' must be a number in (0, 1], found "half"}) and the consistency of the fields with
 * each other and with the run: the step is where {@code epochs_done} epochs end, the history has one
 * row per step and per epoch, {@code first_loss} (the divergence guard's yardstick) is the history's
 * first step loss, the optimizer's step is the run's step, the parameters are finite. A checkpoint
 * that fails any check is refused before anything is trained or written.
 */
final class TrainingCheckpoint {
    private TrainingCheckpoint() {}

    /** The iterate average's tensor, with {@code averaged_count} (its number of iterates) in the state. */
    static final String AVERAGED = "averaged.parameters";

    /** The best epoch's buffers, beside {@code best.parameters}, when the model has buffers. */
    static final String BEST_BUFFERS = "best.buffers";

    /** The parameters at the start of the epoch in progress, in a mid-epoch checkpoint. */
    static final String EPOCH_START = "epoch_start.parameters";

    /**
     * The version of the state's content this class writes and the highest it reads: 1 (no {@code
     * state_version} key) only at epoch ends; 2 also in the middle of an epoch ({@code in_epoch}).
     */
    static final int STATE_VERSION = 2;

    static void save(Path dir, Trainer.Run run, TrainingConfig config) throws IOException {
        Sequential model = run.session.model();
        float[] p = new float[model.parameterCount()];
        run.session.readParameters(p);
        List<Tensor> tensors = new ArrayList<>(ModelTensors.parameters(model, p));
        if (model.bufferCount() > 0) {
            float[] buffers = new float[model.bufferCount()];
            run.session.readBuffers(buffers);
            tensors.addAll(ModelTensors.buffers(model, buffers));
            if (run.bestBuffers != null) tensors.add(Tensor.of(BEST_BUFFERS, run.bestBuffers, buffers.length));
        }
        OptimizerState opt = run.session.readOptimizerState();
        tensors.addAll(ModelTensors.optimizer(opt));
        if (run.bestParameters != null)
            tensors.add(Tensor.of("best.parameters", run.bestParameters, run.bestParameters.length));
        if (run.hasAverage())
            tensors.add(Tensor.of(AVERAGED, run.averaged.average().clone(), p.length));
        if (run.batchInEpoch > 0) tensors.add(Tensor.of(EPOCH_START, run.epochStart.clone(), p.length));

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("state_version", STATE_VERSION);
        s.put("model", model.toString());
        s.put("loss", run.session.loss().toString());
        s.put("optimizer", run.session.optimizer().toString());
        Object groups = groupLayout(run);
        if (groups != null) s.put("param_groups", groups);
        s.put("epochs", config.epochs());
        s.put("epochs_done", run.epochsDone);
        if (run.batchInEpoch > 0) {
            Map<String, Object> in = new LinkedHashMap<>();
            in.put("epoch", run.epochsDone + 1);
            in.put("batch", run.batchInEpoch);
            in.put("loss_rows", run.epochLossRows);
            in.put("rows", run.epochRowsSeen);
            s.put("in_epoch", in);
        }
        if (run.update != SparseUpdate.DENSE) s.put("sparse_update", run.update.name());
        s.put("step", run.step);
        s.put("optimizer_step", opt.step());
        s.put("seed", config.seed());
        s.put("batch_size", config.batchSize());
        s.put("accumulation", config.accumulation());
        s.put("sampling", config.sampling().name());
        s.put("drop_last", config.dropLast());
        s.put("training_rows", run.trainRows());
        if (run.sparseBatches instanceof StreamBatches sb) { // the stream, and where the next epoch starts
            Map<String, Object> stream = new LinkedHashMap<>(sb.stream().describe());
            stream.put("next_epoch", run.epochsDone);
            s.put("stream", stream);
        }
        s.put("first_loss", finiteOrNull(run.firstLoss));
        s.put("best", finiteOrNull(run.best));
        s.put("bad_epochs", run.badEpochs);
        s.put("seconds", run.secondsSoFar());
        if (run.averaged != null) s.put("averaged_count", run.averaged.count());
        if (run.plateau != null) {
            ReduceOnPlateau.State ps = run.plateau.state();
            Map<String, Object> plateau = new LinkedHashMap<>();
            plateau.put("factor", ps.factor());
            plateau.put("best", finiteOrNull(ps.best()));
            plateau.put("bad_reports", ps.badReports());
            plateau.put("cooldown_left", ps.cooldownLeft());
            s.put("plateau", plateau);
        }
        List<Object> steps = new ArrayList<>(), epochs = new ArrayList<>();
        for (History.Step h : run.history.steps())
            steps.add(Arrays.asList(h.step(), h.epoch(), h.loss(), h.lr(), h.gradNorm(), h.seconds()));
        for (History.Epoch h : run.history.epochs())
            epochs.add(Arrays.asList(
                    h.epoch(),
                    h.steps(),
                    h.samples(),
                    h.loss(),
                    finiteOrNull(h.valLoss()),
                    finiteOrNull(h.valAccuracy()),
                    finiteOrNull(h.valRmse()),
                    h.lr(),
                    h.seconds()));
        Map<String, Object> history = new LinkedHashMap<>(Map.of("steps", steps, "epochs", epochs));
        if (!config.metrics().isEmpty()) { // per epoch: {name: value or null}
            List<Object> metrics = new ArrayList<>();
            for (History.Epoch h : run.history.epochs()) {
                Map<String, Object> m = new LinkedHashMap<>();
                h.metrics().forEach((k, v) -> m.put(k, finiteOrNull(v)));
                metrics.add(m);
            }
            history.put("metrics", metrics);
        }
        s.put("history", history);
        Checkpoint.write(dir, tensors, s);
    }

    /** The parameters stored in a checkpoint, checked against the model's layer shapes. */
    static float[] parameters(Checkpoint c, Sequential model) throws CheckpointException {
        float[] p = new float[model.parameterCount()];
        ModelTensors.loadParameters(c.model(), model, p); // checks the layers' tensors are finite
        for (Tensor t : c.tensors().values()) {
            float[] d = t.data();
            for (int i = 0; i < d.length; i++)
                if (!Float.isFinite(d[i])) {
                    // a flat tensor over all parameters (optimizer state, best, average) or all buffers
                    List<Sequential.Slot> slots = d.length == model.parameterCount()
                            ? model.parameters()
                            : d.length == model.bufferCount() ? model.buffers() : List.of();
                    String where = "";
                    for (Sequential.Slot s : slots)
                        if (i >= s.offset() && i < s.end())
                            where = " (" + s.name() + "[" + (i - s.offset()) + "], layer "
                                    + s.name().substring(0, s.name().lastIndexOf('.')) + ")";
                    throw new CheckpointException(
                            c.model().file(),
                            "tensor '" + t.name() + "' holds " + d[i] + " at element " + i + where
                                    + "; a run never saves non-finite values, so the file is damaged; nothing was"
                                    + " loaded");
                }
        }
        return p;
    }

    /** The model's buffers stored in a checkpoint (checked shapes, finite); empty for a model without. */
    static float[] buffers(Checkpoint c, Sequential model) throws CheckpointException {
        float[] b = new float[model.bufferCount()];
        if (b.length > 0) ModelTensors.loadBuffers(c.model(), model, b);
        return b;
    }

    /**
     * What run a checkpoint is, for messages: {@code "MLP 64-32-10 …, SGD …, 2 of 4 epochs done, 1437
     * training rows, seed 11, batch size 40"}, or why it cannot be read.
     */
    static String describe(Path dir) {
        try {
            Checkpoint c = Checkpoint.read(dir);
            Map<String, Object> s = c.state();
            Object epochs = s.get("epochs");
            Object in = s.get("in_epoch") instanceof Map<?, ?> m ? m.get("batch") : null;
            return s.get("model") + ", " + s.get("optimizer") + ", " + s.get("epochs_done")
                    + (epochs == null ? "" : " of " + epochs) + " epochs done"
                    + (in == null ? "" : " and " + in + " batches of the next") + ", " + s.get("training_rows")
                    + " training rows, seed " + s.get("seed") + ", batch size " + s.get("batch_size");
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    /** Restores everything but the parameters (already in the session) into a fresh run. */
    static void restore(Checkpoint c, Trainer.Run run, TrainingConfig config) throws CheckpointException {
        Path state = c.dir().resolve(Checkpoint.STATE_FILE);
        same(state, "seed", c.stateLong("seed"), config.seed());
        same(state, "batch_size", c.stateLong("batch_size"), config.batchSize());
        same(state, "accumulation", c.stateLong("accumulation"), config.accumulation());
        same(state, "training_rows", c.stateLong("training_rows"), run.trainRows());
        sameStream(c, state, run);
        if (!c.stateString("sampling").equals(config.sampling().name()))
            throw new CheckpointException(
                    state,
                    "was written with sampling " + c.stateString("sampling") + ", this trainer uses "
                            + config.sampling() + "; resuming would not continue the same run");

        long version = c.state().containsKey("state_version") ? c.stateLong("state_version") : 1;
        if (version < 1 || version > STATE_VERSION)
            throw new CheckpointException(
                    state,
                    "has state_version " + version + "; this Descent reads versions 1 to " + STATE_VERSION
                            + " (a newer Descent wrote it)");
        requireSame(state, "sparse update", c.state().get("sparse_update"), updateName(run), "DENSE");
        int n = run.session.model().parameterCount();
        long epochsDone = c.stateLong("epochs_done");
        InEpoch in = inEpoch(c, state, run, config, epochsDone);
        long resumesAt = in == null ? epochsDone : epochsDone + 1; // the last epoch the checkpoint has begun
        if (epochsDone < (in == null ? 1 : 0) || resumesAt > config.epochs())
            throw new CheckpointException(
                    state,
                    "epochs_done is " + epochsDone + (in == null ? "" : " (and epoch " + resumesAt + " begun)")
                            + ", this trainer runs epochs 1.." + config.epochs() + "; raise epochs to continue");
        long perEpoch = run.stepsPerEpoch, end = epochsDone * perEpoch;
        long step = c.stateLong("step");
        long epochEnd = in == null ? step : step - in.steps(); // the step at which epoch epochs_done ended
        // a run stopped by a callback saves after a partial epoch: the step lies within the last epoch
        if (epochsDone == 0 ? epochEnd != 0 : epochEnd > end || epochEnd <= end - perEpoch)
            throw new CheckpointException(
                    state,
                    "state 'step' is " + step + (in == null ? "" : " with " + in.steps() + " in epoch " + resumesAt)
                            + ", but " + epochsDone + " epochs of " + perEpoch + " steps end at step " + end
                            + "; the checkpoint is inconsistent");
        long optimizerStep = c.stateLong("optimizer_step");
        if (optimizerStep != step)
            throw new CheckpointException(
                    state,
                    "state 'optimizer_step' is " + optimizerStep + ", but the run's step is " + step
                            + "; the checkpoint is inconsistent");

        requireSame(state, "parameter groups", c.state().get("param_groups"), groupLayout(run), "none");
        OptimizerState opt = run.session.readOptimizerState();
        ModelTensors.loadOptimizer(c.model(), opt);
        opt.setStep(optimizerStep);
        float[] bestParameters = null, bestBuffers = null;
        if (c.tensors().containsKey("best.parameters")) {
            bestParameters = c.requireShape("best.parameters", n);
            int nb = run.session.model().bufferCount();
            if (nb > 0) bestBuffers = c.requireShape(BEST_BUFFERS, nb);
        }
        float[] average = null;
        long averagedCount = 0;
        if (run.averaged != null && c.state().containsKey("averaged_count")) {
            averagedCount = c.stateLong("averaged_count", 0, step);
            if (averagedCount > 0) average = c.requireShape(AVERAGED, n);
        } // a checkpoint without an average (older, or of a run without averaging) starts it afresh

        EarlyStopping es = config.earlyStopping();
        int patience = es == null ? config.epochs() : es.patience();
        int badEpochs = (int) c.stateLong("bad_epochs", 0, patience);
        double seconds = c.requireDouble("seconds", c.stateValue("seconds"), 0, false, Double.MAX_VALUE);
        Object first = c.stateValue("first_loss");
        double firstLoss = first == null
                ? Double.NaN
                : c.requireDouble("first_loss", first, -Double.MAX_VALUE, false, Double.MAX_VALUE);
        Object bestValue = c.stateValue("best");
        double best = bestValue == null
                ? run.best // the mode's worst
                : c.requireDouble("best", bestValue, -Double.MAX_VALUE, false, Double.MAX_VALUE);
        ReduceOnPlateau.State plateauState = null;
        if (run.plateau != null) {
            Map<String, Object> ps = c.stateObject("plateau");
            Object pb = ps.get("best");
            plateauState = new ReduceOnPlateau.State(
                    c.requireDouble("plateau.factor", ps.get("factor"), 0, true, 1),
                    pb == null
                            ? run.plateau.state().best() // the mode's worst
                            : c.requireDouble("plateau.best", pb, -Double.MAX_VALUE, false, Double.MAX_VALUE),
                    (int) c.requireLong("plateau.bad_reports", ps.get("bad_reports"), 0, Integer.MAX_VALUE),
                    (int) c.requireLong("plateau.cooldown_left", ps.get("cooldown_left"), 0, Integer.MAX_VALUE));
        }
        History history = history(c, step, epochsDone, resumesAt, epochEnd);
        float[] epochStart = in == null ? null : c.requireShape(EPOCH_START, n);
        if (step > 0 && Double.compare(firstLoss, history.steps().get(0).loss()) != 0)
            throw new CheckpointException(
                    state,
                    "state 'first_loss' is " + Json.write(first) + ", but the history's first step loss is "
                            + history.steps().get(0).loss()
                            + "; the divergence guard would measure against the wrong loss");

        run.session.writeOptimizerState(opt);
        run.bestParameters = bestParameters;
        run.bestBuffers = bestBuffers;
        if (average != null) run.averaged.restore(average, averagedCount);
        run.epochsDone = (int) epochsDone;
        run.step = step;
        run.firstLoss = firstLoss;
        run.best = best;
        run.badEpochs = badEpochs;
        run.secondsBefore = seconds;
        if (plateauState != null) run.plateau.restore(plateauState);
        if (in != null) {
            run.batchInEpoch = in.batch();
            run.epochLossRows = in.lossRows();
            run.epochRowsSeen = in.rows();
            System.arraycopy(epochStart, 0, run.epochStart, 0, n);
        }
        for (History.Step h : history.steps()) run.history.add(h);
        for (History.Epoch h : history.epochs()) run.history.add(h);
    }

    /** Where a mid-epoch checkpoint stands in epoch {@code epochs_done + 1}: batches taken, the steps they made, their loss × rows and rows. */
    private record InEpoch(int batch, long steps, double lossRows, long rows) {}

    /**
     * The checked {@code in_epoch} of a mid-epoch checkpoint, or null for one written at an epoch's
     * end: the epoch after {@code epochs_done}, a batch inside it that starts an optimizer step
     * (never between the micro-batches of one), and the rows of the batches before it.
     */
    private static InEpoch inEpoch(Checkpoint c, Path state, Trainer.Run run, TrainingConfig config, long epochsDone)
            throws CheckpointException {
        if (!c.state().containsKey("in_epoch")) return null;
        Map<String, Object> in = c.stateObject("in_epoch");
        c.requireLong("in_epoch.epoch", in.get("epoch"), epochsDone + 1, epochsDone + 1);
        int k = config.accumulation(); // checked equal to the checkpoint's
        int batch = (int) c.requireLong("in_epoch.batch", in.get("batch"), 1, run.batchesPerEpoch() - 1);
        if (batch % k != 0)
            throw new CheckpointException(
                    state,
                    "state 'in_epoch.batch' is " + batch + ", inside an optimizer step of " + k
                            + " micro-batches; a checkpoint is only ever taken between steps, so it is inconsistent");
        long rows = 0;
        for (int i = 0; i < batch; i++) rows += run.rowsOf(i);
        c.requireLong("in_epoch.rows", in.get("rows"), rows, rows);
        double lossRows =
                c.requireDouble("in_epoch.loss_rows", in.get("loss_rows"), -Double.MAX_VALUE, false, Double.MAX_VALUE);
        return new InEpoch(batch, batch / k, lossRows, rows);
    }

    private static String updateName(Trainer.Run run) {
        return run.update == SparseUpdate.DENSE ? null : run.update.name();
    }

    /**
     * The history in the checkpoint, checked field by field and against the step and epoch counters:
     * {@code step} steps in epochs 1 to {@code lastEpoch}, {@code epochsDone} epoch rows, the last
     * of which ends at {@code epochEnd}.
     */
    private static History history(Checkpoint c, long step, long epochsDone, long lastEpoch, long epochEnd)
            throws CheckpointException {
        Map<String, Object> h = c.stateObject("history");
        List<?> steps = list(c, "history.steps", h.get("steps"), step);
        List<?> epochs = list(c, "history.epochs", h.get("epochs"), epochsDone);
        History out = new History();
        double any = Double.MAX_VALUE;
        for (int i = 0; i < steps.size(); i++) {
            String f = "history.steps[" + i + "]";
            List<?> r = list(c, f, steps.get(i), 6);
            out.add(new History.Step(
                    c.requireLong(f + "[0]", r.get(0), i, i),
                    (int) c.requireLong(f + "[1]", r.get(1), 1, lastEpoch),
                    c.requireDouble(f + "[2]", r.get(2), -any, false, any),
                    c.requireDouble(f + "[3]", r.get(3), 0, false, any),
                    dbl(c, f + "[4]", r.get(4), 0),
                    dbl(c, f + "[5]", r.get(5), 0)));
        }
        List<?> metrics = h.get("metrics") == null ? null : list(c, "history.metrics", h.get("metrics"), epochsDone);
        for (int i = 0; i < epochs.size(); i++) {
            String f = "history.epochs[" + i + "]";
            List<?> r = list(c, f, epochs.get(i), 9);
            Map<String, Double> m = new LinkedHashMap<>();
            if (metrics != null) {
                String fm = "history.metrics[" + i + "]";
                if (!(metrics.get(i) instanceof Map<?, ?> values)) throw c.invalid(fm, "an object", metrics.get(i));
                for (Map.Entry<?, ?> v : values.entrySet())
                    m.put((String) v.getKey(), dbl(c, fm + "." + v.getKey(), v.getValue(), -any));
            }
            out.add(new History.Epoch(
                    (int) c.requireLong(f + "[0]", r.get(0), i + 1, i + 1),
                    c.requireLong(f + "[1]", r.get(1), 0, step),
                    c.requireLong(f + "[2]", r.get(2), 0, Long.MAX_VALUE),
                    c.requireDouble(f + "[3]", r.get(3), -any, false, any),
                    dbl(c, f + "[4]", r.get(4), -any),
                    dbl(c, f + "[5]", r.get(5), 0),
                    dbl(c, f + "[6]", r.get(6), 0),
                    dbl(c, f + "[7]", r.get(7), 0),
                    dbl(c, f + "[8]", r.get(8), 0),
                    m));
        }
        if (!out.epochs().isEmpty() && out.lastEpoch().steps() != epochEnd)
            throw c.invalid(
                    "history.epochs[" + (epochsDone - 1) + "][1]",
                    "the step " + epochEnd,
                    out.lastEpoch().steps());
        return out;
    }

    /** A list of exactly {@code size} elements at {@code field}. */
    private static List<?> list(Checkpoint c, String field, Object v, long size) throws CheckpointException {
        if (v instanceof List<?> l && l.size() == size) return l;
        throw c.invalid(field, "an array of " + size + " elements", v instanceof List<?> l ? "one of " + l.size() : v);
    }

    /** A number >= min or null (NaN: no value, e.g. no validation). */
    private static double dbl(Checkpoint c, String field, Object v, double min) throws CheckpointException {
        return v == null ? Double.NaN : c.requireDouble(field, v, min, false, Double.MAX_VALUE);
    }

    /**
     * Refuses a checkpoint of a streamed run resumed on another stream (other shards, rows, sizes or
     * shuffle buffer), of an in-memory run resumed on a stream, or the reverse.
     */
    private static void sameStream(Checkpoint c, Path state, Trainer.Run run) throws CheckpointException {
        Object stored = c.state().get("stream");
        Map<String, Object> current = null;
        if (run.sparseBatches instanceof StreamBatches sb) {
            current = new LinkedHashMap<>(sb.stream().describe());
            current.put("next_epoch", c.state().get("epochs_done"));
        }
        requireSame(state, "training rows", stored, current, "in memory");
    }

    /** Refuses to resume when {@code stored} and {@code current} (JSON values, null: {@code none}) differ. */
    private static void requireSame(Path state, String what, Object stored, Object current, String none)
            throws CheckpointException {
        String was = stored == null ? none : Json.write(stored);
        String now = current == null ? none : Json.write(current);
        if (!was.equals(now))
            throw new CheckpointException(
                    state,
                    "was written with " + what + " " + was + ", this trainer has " + now
                            + "; resuming would not continue the same run");
    }

    private static void same(Path file, String key, long stored, long configured) throws CheckpointException {
        if (stored != configured)
            throw new CheckpointException(
                    file,
                    "was written with " + key + " " + stored + ", this trainer has " + configured
                            + "; resuming would not continue the same run");
    }

    /** The optimizer's parameter groups (names, flat ranges, frozen), or null without groups. */
    private static Object groupLayout(Trainer.Run run) {
        return run.session.optimizer() instanceof ParamGroups.Resolved r ? r.layout() : null;
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
