package dev.descent.train;

import dev.descent.checkpoint.Checkpoint;
import dev.descent.checkpoint.CheckpointException;
import dev.descent.checkpoint.SafeTensors.Tensor;
import dev.descent.model.Dense;
import dev.descent.model.Mlp;
import dev.descent.optim.OptimizerState;
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
 * optimizer's buffers ({@code optimizer.momentum_buffer} [n], …) and, with early stopping, the best
 * epoch's parameters ({@code best.parameters} [n]). State: the step and epoch counters, the seed and
 * batching that fix every later epoch's order, the optimizer's step, the divergence yardstick, the
 * early-stopping and plateau state, the elapsed time and the history. Everything a resumed run needs
 * to continue bit for bit.
 */
final class TrainingCheckpoint {
    private TrainingCheckpoint() {}

    static void save(Path dir, Trainer.Run run, TrainingConfig config) throws IOException {
        Mlp model = run.session.model();
        float[] p = new float[model.parameterCount()];
        run.session.readParameters(p);
        List<Tensor> tensors = new ArrayList<>(parameterTensors(model, p));
        OptimizerState opt = run.session.readOptimizerState();
        for (Map.Entry<String, float[]> b : opt.buffers().entrySet())
            tensors.add(Tensor.of("optimizer." + b.getKey(), b.getValue(), b.getValue().length));
        if (run.bestParameters != null)
            tensors.add(Tensor.of("best.parameters", run.bestParameters, run.bestParameters.length));

        Map<String, Object> s = new LinkedHashMap<>();
        s.put("model", model.toString());
        s.put("loss", run.session.loss().toString());
        s.put("optimizer", run.session.optimizer().toString());
        s.put("epochs_done", run.epochsDone);
        s.put("step", run.step);
        s.put("optimizer_step", opt.step());
        s.put("seed", config.seed());
        s.put("batch_size", config.batchSize());
        s.put("accumulation", config.accumulation());
        s.put("sampling", config.sampling().name());
        s.put("drop_last", config.dropLast());
        s.put("training_rows", run.train.rows());
        s.put("first_loss", finiteOrNull(run.firstLoss));
        s.put("best", finiteOrNull(run.best));
        s.put("bad_epochs", run.badEpochs);
        s.put("seconds", run.secondsSoFar());
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
        s.put("history", Map.of("steps", steps, "epochs", epochs));
        Checkpoint.write(dir, tensors, s);
    }

    /** The parameters stored in a checkpoint, checked against the model's layer shapes. */
    static float[] parameters(Checkpoint c, Mlp model) throws CheckpointException {
        float[] p = new float[model.parameterCount()];
        List<Dense> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            Dense d = layers.get(i);
            float[] w = c.requireShape("layers." + i + ".weight", d.outputs(), d.inputs());
            float[] b = c.requireShape("layers." + i + ".bias", d.outputs());
            System.arraycopy(w, 0, p, d.weightOffset(), w.length);
            System.arraycopy(b, 0, p, d.biasOffset(), b.length);
        }
        if (c.tensors().containsKey("layers." + layers.size() + ".weight"))
            throw new CheckpointException(
                    c.dir().resolve(Checkpoint.MODEL_FILE), "has more layers than the model " + model);
        return p;
    }

    /** Restores everything but the parameters (already in the session) into a fresh run. */
    static void restore(Checkpoint c, Trainer.Run run, TrainingConfig config) throws CheckpointException {
        Path state = c.dir().resolve(Checkpoint.STATE_FILE);
        same(state, "seed", c.stateLong("seed"), config.seed());
        same(state, "batch_size", c.stateLong("batch_size"), config.batchSize());
        same(state, "accumulation", c.stateLong("accumulation"), config.accumulation());
        same(state, "training_rows", c.stateLong("training_rows"), run.train.rows());
        if (!c.stateString("sampling").equals(config.sampling().name()))
            throw new CheckpointException(
                    state,
                    "was written with sampling " + c.stateString("sampling") + ", this trainer uses "
                            + config.sampling() + "; resuming would not continue the same run");

        int n = run.session.model().parameterCount();
        OptimizerState opt = run.session.readOptimizerState();
        for (String name : opt.buffers().keySet()) {
            float[] b = c.requireShape("optimizer." + name, n);
            System.arraycopy(b, 0, opt.buffer(name), 0, n);
        }
        opt.setStep(c.stateLong("optimizer_step"));
        run.session.writeOptimizerState(opt);
        if (c.tensors().containsKey("best.parameters")) run.bestParameters = c.requireShape("best.parameters", n);

        long epochsDone = c.stateLong("epochs_done");
        if (epochsDone < 1 || epochsDone > config.epochs())
            throw new CheckpointException(
                    state,
                    "epochs_done is " + epochsDone + ", this trainer runs epochs 1.." + config.epochs()
                            + "; raise epochs to continue");
        run.epochsDone = (int) epochsDone;
        run.step = c.stateLong("step");
        run.firstLoss = doubleOrNaN(c.stateValue("first_loss"), Double.NaN);
        run.best = doubleOrNaN(c.stateValue("best"), Double.POSITIVE_INFINITY);
        run.badEpochs = (int) c.stateLong("bad_epochs");
        run.secondsBefore = c.stateDouble("seconds");
        if (run.plateau != null) {
            Map<String, Object> ps = c.stateObject("plateau");
            run.plateau.restore(new ReduceOnPlateau.State(
                    ((Number) ps.get("factor")).doubleValue(),
                    doubleOrNaN(ps.get("best"), Double.POSITIVE_INFINITY),
                    ((Number) ps.get("bad_reports")).intValue(),
                    ((Number) ps.get("cooldown_left")).intValue()));
        }
        Map<String, Object> h = c.stateObject("history");
        try {
            for (Object o : (List<?>) h.get("steps")) {
                List<?> r = (List<?>) o;
                run.history.add(
                        new History.Step(lng(r, 0), (int) lng(r, 1), dbl(r, 2), dbl(r, 3), dbl(r, 4), dbl(r, 5)));
            }
            for (Object o : (List<?>) h.get("epochs")) {
                List<?> r = (List<?>) o;
                run.history.add(new History.Epoch(
                        (int) lng(r, 0),
                        lng(r, 1),
                        lng(r, 2),
                        dbl(r, 3),
                        dbl(r, 4),
                        dbl(r, 5),
                        dbl(r, 6),
                        dbl(r, 7),
                        dbl(r, 8)));
            }
        } catch (RuntimeException e) {
            throw new CheckpointException(state, "has a malformed history: " + e, e);
        }
    }

    private static List<Tensor> parameterTensors(Mlp model, float[] p) {
        List<Tensor> out = new ArrayList<>();
        List<Dense> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            Dense d = layers.get(i);
            out.add(Tensor.of(
                    "layers." + i + ".weight",
                    Arrays.copyOfRange(p, d.weightOffset(), d.weightOffset() + d.weightCount()),
                    d.outputs(),
                    d.inputs()));
            out.add(Tensor.of(
                    "layers." + i + ".bias",
                    Arrays.copyOfRange(p, d.biasOffset(), d.biasOffset() + d.outputs()),
                    d.outputs()));
        }
        return out;
    }

    private static void same(Path file, String key, long stored, long configured) throws CheckpointException {
        if (stored != configured)
            throw new CheckpointException(
                    file,
                    "was written with " + key + " " + stored + ", this trainer has " + configured
                            + "; resuming would not continue the same run");
    }

    private static Object finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static double doubleOrNaN(Object v, double ifNull) {
        return v == null ? ifNull : ((Number) v).doubleValue();
    }

    private static long lng(List<?> row, int i) {
        return ((Number) row.get(i)).longValue();
    }

    private static double dbl(List<?> row, int i) {
        Object v = row.get(i);
        return v == null ? Double.NaN : ((Number) v).doubleValue();
    }
}
