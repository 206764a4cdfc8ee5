package dev.descent.bench;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.examples.EmbeddedData;
import dev.descent.loss.Loss;
import dev.descent.model.Dense;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.Optimizers;
import dev.descent.train.TrainingSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code descent bench} step timed phase by phase IN the step: the backend calls a {@link
 * TrainingSession} makes for the MLP 784-128(ReLU)-10 (batch 64 of MNIST-10k, softmax cross-entropy,
 * SGD lr 0.1 momentum 0.9), in the step's order, on the step's own arrays, with a clock read between
 * them; then each phase again ALONE (the same call repeated on warm caches). Round-robin with the
 * session's own step and with {@link StepPartsBench}'s step and products, so all are measured under
 * the same load. The replica computes the same bits as the session (losses and parameters checked
 * over 30 steps at the start; afterwards the phases run alone move its state on, the update with lr
 * 0). "in step − alone" is what the step's own order costs each phase (caches the other phases
 * used, operands written on another core), "session − replica" what the session and model add.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp "bench/target/classes:bench/target/lib/*" \
 *     dev.descent.bench.StepPartsTimeline [backends=simd-1,simd-2] [rounds=100] [steps=100]
 * </pre>
 */
public final class StepPartsTimeline {

    static final int BATCH = 64, IN = 784, HIDDEN = 128, OUT = 10;
    static final float LR = 0.1f;

    /** The phases of one step, in the order the session runs them. */
    static final List<String> PHASES = List.of(
            "gather",
            "forward 1: X·W1ᵀ+b, ReLU (64×128×784)",
            "forward 2: A1·W2ᵀ+b (64×10×128)",
            "loss: softmax CE + grad",
            "backward 2: dW2 = dLᵀ·A1 (10×128×64)",
            "backward 2: db2",
            "backward 2: dA1 = dL·W2 (64×128×10)",
            "backward 1: ReLU'",
            "backward 1: dW1 = dZ1ᵀ·X (128×784×64)",
            "backward 1: db1",
            "update: SGD momentum");

    private final Backend be;
    private final Loss loss = Loss.softmaxCrossEntropy();
    private final Optimizer sgd = Optimizers.sgd(LR).momentum(0.9);
    private final TrainingSession session;
    private final Batches batches, sessionBatches;
    private final Batch batch, sessionBatch;
    private long epoch, sessionEpoch;
    private final float[] params, grads, z1, a1, logits, dLogits, dA1, dZ1;
    private final OptimizerState state;
    private final int w1, b1, w2, b2;
    private final long[] t = new long[PHASES.size() + 1];
    double sink;

    StepPartsTimeline(String backend) {
        be = Backs.create(backend);
        Dataset train = EmbeddedData.mnist10k().train();
        Sequential model =
                Models.mlp(IN).dense(HIDDEN, Activation.RELU).dense(OUT).build();
        float[] init = model.initialParameters(42);
        session = TrainingSession.open(be, model, loss, sgd, init);
        params = init.clone();
        grads = new float[params.length];
        state = sgd.newState(params.length);
        batches = new Batches(train, BATCH, 42);
        sessionBatches = new Batches(train, BATCH, 42);
        batch = batches.newBatch();
        sessionBatch = sessionBatches.newBatch();
        Dense first = (Dense) model.layers().get(0),
                second = (Dense) model.layers().get(1);
        w1 = first.weightOffset();
        b1 = first.biasOffset();
        w2 = second.weightOffset();
        b2 = second.biasOffset();
        z1 = new float[BATCH * HIDDEN];
        a1 = new float[BATCH * HIDDEN];
        logits = new float[BATCH * OUT];
        dLogits = new float[BATCH * OUT];
        dA1 = new float[BATCH * HIDDEN];
        dZ1 = new float[BATCH * HIDDEN];
        // the replica must be the session's step: same losses, same parameters after a few steps
        for (int s = 0; s < 30; s++) {
            double a = sessionStep(), b = timedStep();
            if (a != b) throw new IllegalStateException("replica loss " + b + " != session's " + a + " at step " + s);
        }
        float[] p = new float[params.length];
        session.readParameters(p);
        if (!java.util.Arrays.equals(p, params)) throw new IllegalStateException("replica parameters differ");
    }

    private Batch next(Batches bs, Batch b, boolean session) {
        if (!bs.next(b, be)) {
            if (session) bs.startEpoch(++sessionEpoch);
            else bs.startEpoch(++epoch);
            bs.next(b, be);
        }
        return b;
    }

    /** One step of {@code descent bench}'s loop through the session. */
    double sessionStep() {
        Batch b = next(sessionBatches, sessionBatch, true);
        double v = session.accumulate(b.x(), b.y(), b.rows(), 1f);
        session.step(LR);
        return v;
    }

    /** The same step as the session's backend calls, a clock read after each phase into {@link #t}. */
    double timedStep() {
        long[] t = this.t;
        t[0] = System.nanoTime();
        Batch b = next(batches, batch, false);
        float[] x = b.x(), y = b.y();
        t[1] = System.nanoTime();
        be.dense(Activation.RELU, x, 0, params, w1, params, b1, z1, 0, a1, 0, BATCH, HIDDEN, IN);
        t[2] = System.nanoTime();
        be.dense(Activation.IDENTITY, a1, 0, params, w2, params, b2, logits, 0, logits, 0, BATCH, OUT, HIDDEN);
        t[3] = System.nanoTime();
        double v = loss.valueAndGradient(logits, 0, y, 0, null, 0, BATCH, OUT, dLogits, 0, 1f);
        t[4] = System.nanoTime();
        be.matmulTN(dLogits, 0, a1, 0, grads, w2, OUT, HIDDEN, BATCH, false);
        t[5] = System.nanoTime();
        be.sumRows(dLogits, 0, BATCH, OUT, grads, b2, false);
        t[6] = System.nanoTime();
        be.matmul(dLogits, 0, params, w2, dA1, 0, BATCH, HIDDEN, OUT, false);
        t[7] = System.nanoTime();
        be.activationGrad(Activation.RELU, z1, 0, a1, 0, dA1, 0, dZ1, 0, BATCH * HIDDEN);
        t[8] = System.nanoTime();
        be.matmulTN(dZ1, 0, x, 0, grads, w1, HIDDEN, IN, BATCH, false);
        t[9] = System.nanoTime();
        be.sumRows(dZ1, 0, BATCH, HIDDEN, grads, b1, false);
        t[10] = System.nanoTime();
        sgd.step(be, params, grads, state, LR);
        t[11] = System.nanoTime();
        return v;
    }

    /** Phase i alone, on the replica's current buffers (the last batch). */
    void phase(int i) {
        float[] x = batch.x(), y = batch.y();
        switch (i) {
            case 0 -> next(batches, batch, false);
            case 1 -> be.dense(Activation.RELU, x, 0, params, w1, params, b1, z1, 0, a1, 0, BATCH, HIDDEN, IN);
            case 2 ->
                be.dense(Activation.IDENTITY, a1, 0, params, w2, params, b2, logits, 0, logits, 0, BATCH, OUT, HIDDEN);
            case 3 -> sink += loss.valueAndGradient(logits, 0, y, 0, null, 0, BATCH, OUT, dLogits, 0, 1f);
            case 4 -> be.matmulTN(dLogits, 0, a1, 0, grads, w2, OUT, HIDDEN, BATCH, false);
            case 5 -> be.sumRows(dLogits, 0, BATCH, OUT, grads, b2, false);
            case 6 -> be.matmul(dLogits, 0, params, w2, dA1, 0, BATCH, HIDDEN, OUT, false);
            case 7 -> be.activationGrad(Activation.RELU, z1, 0, a1, 0, dA1, 0, dZ1, 0, BATCH * HIDDEN);
            case 8 -> be.matmulTN(dZ1, 0, x, 0, grads, w1, HIDDEN, IN, BATCH, false);
            case 9 -> be.sumRows(dZ1, 0, BATCH, HIDDEN, grads, b1, false);
            case 10 -> sgd.step(be, params, grads, state, 0f); // lr 0: the parameters stay, the work is the same
            default -> throw new IllegalArgumentException("phase " + i);
        }
    }

    public static void main(String[] args) {
        String[] backends = {"simd-1", "simd-2"};
        int rounds = 100, steps = 100;
        for (String a : args) {
            if (a.startsWith("backends=")) backends = a.substring(9).split(",");
            else if (a.startsWith("rounds=")) rounds = Integer.parseInt(a.substring(7));
            else if (a.startsWith("steps=")) steps = Integer.parseInt(a.substring(6));
            else throw new IllegalArgumentException("unknown argument '" + a + "' (backends=, rounds=, steps=)");
        }
        int np = PHASES.size();
        List<StepPartsTimeline> tl = new ArrayList<>();
        for (String b : backends) tl.add(new StepPartsTimeline(b));
        // warm-up: every path compiled
        for (StepPartsTimeline s : tl)
            for (int k = 0; k < 2000; k++) {
                s.sink += s.sessionStep() + s.timedStep();
                for (int i = 0; i < np; i++) s.phase(i);
            }
        int nb = backends.length;
        List<StepPartsBench> parts = new ArrayList<>();
        for (String b : backends) {
            StepPartsBench pb = new StepPartsBench();
            pb.backend = b;
            pb.setUp();
            for (int k = 0; k < 2000; k++) tl.get(0).sink += pb.step() + pb.products()[0];
            parts.add(pb);
        }
        double[][] sessionUs = new double[nb][rounds], replicaUs = new double[nb][rounds];
        double[][] benchStepUs = new double[nb][rounds], benchProductsUs = new double[nb][rounds];
        double[][][] inStep = new double[nb][np][rounds], alone = new double[nb][np][rounds];
        for (int r = 0; r < rounds; r++)
            for (int bi = 0; bi < nb; bi++) {
                StepPartsTimeline s = tl.get(bi);
                long t0 = System.nanoTime();
                for (int k = 0; k < steps; k++) s.sink += s.sessionStep();
                sessionUs[bi][r] = (System.nanoTime() - t0) / 1e3 / steps;
                long[] sum = new long[np];
                t0 = System.nanoTime();
                for (int k = 0; k < steps; k++) {
                    s.sink += s.timedStep();
                    for (int i = 0; i < np; i++) sum[i] += s.t[i + 1] - s.t[i];
                }
                replicaUs[bi][r] = (System.nanoTime() - t0) / 1e3 / steps;
                for (int i = 0; i < np; i++) inStep[bi][i][r] = sum[i] / 1e3 / steps;
                StepPartsBench pb = parts.get(bi);
                t0 = System.nanoTime();
                for (int k = 0; k < steps; k++) s.sink += pb.step();
                benchStepUs[bi][r] = (System.nanoTime() - t0) / 1e3 / steps;
                t0 = System.nanoTime();
                for (int k = 0; k < steps; k++) s.sink += pb.products()[0];
                benchProductsUs[bi][r] = (System.nanoTime() - t0) / 1e3 / steps;
                for (int i = 0; i < np; i++) {
                    int n = i == 0 ? steps : Math.max(10, steps / 2);
                    t0 = System.nanoTime();
                    for (int k = 0; k < n; k++) s.phase(i);
                    alone[bi][i][r] = (System.nanoTime() - t0) / 1e3 / n;
                }
            }
        for (int bi = 0; bi < nb; bi++) {
            System.out.printf(
                    Locale.ROOT,
                    "%s: session step %.1f µs, replica step %.1f µs (medians of %d rounds × %d steps)%n",
                    backends[bi],
                    StepPartsReport.median(sessionUs[bi]),
                    StepPartsReport.median(replicaUs[bi]),
                    rounds,
                    steps);
            System.out.printf(
                    Locale.ROOT,
                    "  StepPartsBench in the same rounds: step %.1f µs, products %.1f µs%n",
                    StepPartsReport.median(benchStepUs[bi]),
                    StepPartsReport.median(benchProductsUs[bi]));
            System.out.printf(Locale.ROOT, "  %-40s %9s %9s %9s%n", "phase", "in step", "alone", "diff");
            double si = 0, sa = 0;
            for (int i = 0; i < np; i++) {
                double a = StepPartsReport.median(inStep[bi][i]), b = StepPartsReport.median(alone[bi][i]);
                si += a;
                sa += b;
                System.out.printf(Locale.ROOT, "  %-40s %9.2f %9.2f %9.2f%n", PHASES.get(i), a, b, a - b);
            }
            System.out.printf(Locale.ROOT, "  %-40s %9.2f %9.2f %9.2f%n", "sum", si, sa, si - sa);
        }
        System.out.println(tl.stream().mapToDouble(s -> s.sink).sum() != 0 ? "" : "(sink 0)");
    }
}
