package dev.descent.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.backend.ScalarBackend;
import dev.descent.loss.BceWithLogits;
import dev.descent.loss.Hinge;
import dev.descent.loss.KlDivergence;
import dev.descent.loss.Loss;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.ParamGroup.Selector;
import dev.descent.train.Clipping;
import dev.descent.train.TrainingSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The device-resident session against the CPU reference session ({@code CpuTrainingSession} on
 * {@link ScalarBackend}): the same sequence of accumulate (whole batches, weighted micro-batches,
 * batches that grow the arena), clip and step must give the same losses, clipping norms,
 * gradients, parameters and optimizer state, for every optimizer variant × every loss, with the
 * activations and clipping kinds cycled through.
 *
 * <p>Tolerance: {@code |gpu - cpu| <= TOL · max(1, |cpu|)} with {@code TOL = 5e-5}. The device
 * computes in float what the CPU computes partly in double (loss terms, softmax, Huber), uses the
 * device's {@code exp}/{@code tanh}/{@code log}, and may fuse multiply-adds in matrix products. That
 * is a few float ulps in losses and gradients; the adaptive optimizers divide small gradients by the
 * root of their small running squares, which turns a tiny absolute difference of a near-zero
 * gradient into a relative one of the update. Measured on PoCL: max 1.4e-5 (centered RMSprop with
 * momentum), every other optimizer below 2.5e-6; the test prints the maximum.
 */
@RequiresOpenCl
class OpenClTrainingSessionTest {

    static final double TOL = 5e-5;
    static final Activation[] ACTIVATIONS = {
        Activation.RELU, Activation.TANH, Activation.SIGMOID, Activation.leakyRelu(0.1f), Activation.IDENTITY
    };
    static final Clipping[] CLIPPINGS = {
        Clipping.NONE,
        Clipping.byNorm(0.05),
        Clipping.byNorm(0.1, Clipping.NormType.L1),
        Clipping.byNorm(0.01, Clipping.NormType.INF),
        Clipping.byValue(0.005)
    };

    static List<Optimizer> optimizers() {
        return List.of(
                Optimizers.sgd(0.1),
                Optimizers.sgd(0.05).momentum(0.9).nesterov().weightDecay(0.01),
                Optimizers.sgd(0.05).momentum(0.8).dampening(0.3).maximize(),
                Optimizers.adam(0.01),
                Optimizers.adamW(0.01).amsgrad(),
                Optimizers.adam(0.01).weightDecay(0.1).maximize(),
                Optimizers.rmsprop(0.01),
                Optimizers.rmsprop(0.005).momentum(0.9).centered().weightDecay(0.01),
                Optimizers.adagrad(0.1).lrDecay(0.01).weightDecay(0.01));
    }

    static List<Loss> losses() {
        return List.of(
                Loss.mse(),
                Loss.softmaxCrossEntropy(),
                Loss.softmaxCrossEntropy().sum(),
                Loss.bceWithLogits(),
                Loss.huber(0.5),
                Loss.hinge());
    }

    static Stream<Arguments> combinations() {
        List<Arguments> all = new ArrayList<>();
        int i = 0;
        for (Optimizer o : optimizers())
            for (Loss l : losses()) {
                all.add(Arguments.of(o, l, ACTIVATIONS[i % ACTIVATIONS.length], CLIPPINGS[(i / 2) % CLIPPINGS.length]));
                i++;
            }
        return all.stream();
    }

    static Sequential model(Activation hidden) {
        return Sequential.input(5).dense(7, hidden).dense(6, hidden).dense(3).build();
    }

    static float[] inputs(SplittableRandom r, int rows) {
        float[] x = new float[rows * 5];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    static float[] targets(SplittableRandom r, Loss loss, int rows) {
        if (loss.classIndexTargets()) {
            float[] y = new float[rows];
            for (int i = 0; i < rows; i++) y[i] = r.nextInt(3);
            return y;
        }
        float[] y = new float[rows * 3];
        for (int i = 0; i < y.length; i++)
            y[i] = loss instanceof BceWithLogits
                    ? r.nextInt(2)
                    : loss instanceof Hinge
                            ? (r.nextBoolean() ? 1f : -1f)
                            : loss instanceof KlDivergence kl && !kl.logTarget()
                                    ? (float) r.nextDouble() // probabilities: KL takes log of the target
                                    : (float) r.nextGaussian();
        return y;
    }

    @ParameterizedTest(name = "{0} | {1} | {2} | {3}")
    @MethodSource("combinations")
    void matchesTheCpuSession(Optimizer opt, Loss loss, Activation hidden, Clipping clipping) {
        Sequential model = model(hidden);
        float[] p0 = model.initialParameters(11);
        OpenClBackend gpu = OpenClBackend.create();
        SplittableRandom data = new SplittableRandom(5);
        try (TrainingSession cpu = TrainingSession.open(new ScalarBackend(), model, loss, opt, p0);
                TrainingSession dev = TrainingSession.open(gpu, model, loss, opt, p0)) {
            assertInstanceOf(OpenClTrainingSession.class, dev, "TrainingSession.open must pick the device session");
            Compare c = new Compare();
            for (int step = 0; step < 4; step++) {
                int rows = step == 2 ? 21 : 8; // step 2 grows the arena
                float[] x = inputs(data, rows), y = targets(data, loss, rows);
                if (step == 1) { // two weighted micro-batches into one gradient
                    int half = rows / 2, in = 5, tw = loss.classIndexTargets() ? 1 : 3;
                    float[] x1 = java.util.Arrays.copyOfRange(x, 0, half * in),
                            x2 = java.util.Arrays.copyOfRange(x, half * in, rows * in);
                    float[] y1 = java.util.Arrays.copyOfRange(y, 0, half * tw),
                            y2 = java.util.Arrays.copyOfRange(y, half * tw, rows * tw);
                    c.value("loss a", dev.accumulate(x1, y1, half, 0.5f), cpu.accumulate(x1, y1, half, 0.5f));
                    c.value(
                            "loss b",
                            dev.accumulate(x2, y2, rows - half, 0.5f),
                            cpu.accumulate(x2, y2, rows - half, 0.5f));
                } else {
                    c.value("loss", dev.accumulate(x, y, rows, 1f), cpu.accumulate(x, y, rows, 1f));
                }
                c.arrays("gradient", gradient(dev), gradient(cpu));
                c.value("clip norm", dev.clip(clipping), cpu.clip(clipping));
                c.arrays("clipped gradient", gradient(dev), gradient(cpu));
                dev.step(0.5 * opt.lr() + 0.01 * step); // a schedule's lr
                cpu.step(0.5 * opt.lr() + 0.01 * step);
                c.arrays("parameters after step " + step, params(dev), params(cpu));
            }
            // a step with an empty gradient (no accumulate): the update of a zero gradient
            dev.step(opt.lr());
            cpu.step(opt.lr());
            c.arrays("parameters after an empty step", params(dev), params(cpu));
            assertArrayEquals(new float[model.parameterCount()], gradient(dev), "gradient after step is zero");
            OptimizerState sd = dev.readOptimizerState(), sc = cpu.readOptimizerState();
            assertEquals(sc.step(), sd.step());
            assertEquals(sc.buffers().keySet(), sd.buffers().keySet());
            for (Map.Entry<String, float[]> e : sc.buffers().entrySet())
                c.arrays("optimizer state " + e.getKey(), sd.buffer(e.getKey()), e.getValue());
            float[] xp = inputs(data, 10), od = new float[30], oc = new float[30];
            dev.predict(xp, 10, od);
            cpu.predict(xp, 10, oc);
            c.arrays("predictions", od, oc);
            c.check(opt + " | " + loss + " | " + hidden + " | " + clipping);
        }
    }

    @Test
    void writeAndReadStateRoundTripsAndResumes() {
        Sequential model = model(Activation.TANH);
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer opt = Optimizers.adam(0.01).amsgrad();
        OpenClBackend gpu = OpenClBackend.create();
        SplittableRandom data = new SplittableRandom(9);
        float[] x = inputs(data, 12), y = targets(data, loss, 12);
        try (TrainingSession a = TrainingSession.open(gpu, model, loss, opt, model.initialParameters(1));
                TrainingSession b = TrainingSession.open(gpu, model, loss, opt, model.initialParameters(2))) {
            for (int i = 0; i < 3; i++) {
                a.accumulate(x, y, 12, 1f);
                a.step(0.01);
            }
            // checkpoint a into b: b must then continue exactly like a
            float[] p = params(a);
            b.writeParameters(p);
            b.writeOptimizerState(a.readOptimizerState());
            assertArrayEquals(p, params(b));
            assertEquals(3, b.readOptimizerState().step());
            a.accumulate(x, y, 12, 1f);
            b.accumulate(x, y, 12, 1f);
            a.step(0.01);
            b.step(0.01);
            assertArrayEquals(params(a), params(b), "resumed session diverged from the original");
        }
    }

    @Test
    void kernelsRunOnTheOpenClDeviceAndTheStateStaysThere() {
        Sequential model = model(Activation.RELU);
        Loss loss = Loss.mse();
        OpenClBackend gpu = OpenClBackend.create();
        SplittableRandom data = new SplittableRandom(3);
        float[] x = inputs(data, 16), y = targets(data, loss, 16);
        try (OpenClTrainingSession s =
                gpu.openSession(model, loss, Optimizers.sgd(0.1).momentum(0.9), model.initialParameters(4))) {
            // the session's kernel instance runs on the device the backend names, verified per launch
            assertEquals(OpenClDevices.chosen().orElseThrow(), s.deviceInfo());
            assertTrue(gpu.device().startsWith("OpenCL: "), gpu.device());
            s.accumulate(x, y, 16, 1f); // sizes the arena for 16 rows
            s.step(0.1);
            long before = s.verifiedLaunches();
            s.accumulate(x, y, 16, 1f);
            s.step(0.1);
            long perStep = s.verifiedLaunches() - before;
            // forward 3 layers (matmul, bias, activation except the identity output) = 8, loss 1,
            // backward 3 × (matmulTN, sumRows) + 2 activationGrads (none for the identity output) + 2
            // delta products = 10, update 1,
            // plus one residency probe after accumulate and one after step (a mirrored session may
            // repeat a call that a GC move interrupted)
            if (s.mirrored()) assertTrue(perStep >= 8 + 1 + 10 + 1 + 2, "launches " + perStep);
            else assertEquals(8 + 1 + 10 + 1 + 2, perStep);
            if (!s.mirrored()) {
                // the host copy of the arena is not touched by training: the state is on the device only
                float[] host = OpenClTrainingSessionTest.hostArena(s);
                float[] before2 = host.clone();
                s.accumulate(x, y, 16, 1f);
                s.step(0.1);
                assertArrayEquals(before2, hostArena(s), "training wrote the host arena: not device-resident");
            }
        }
    }

    /**
     * GC churn and {@code System.gc()} between every call: a resident session (humongous arena under
     * G1) keeps its state; a mirrored one (forced here, with an unpadded arena that G1 does move)
     * recovers from moves. Either way the numbers equal the CPU session's.
     */
    @ParameterizedTest(name = "mirrored={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void trainingSurvivesGarbageCollection(boolean mirror) {
        Sequential model = model(Activation.TANH);
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer opt = Optimizers.adam(0.01);
        float[] p0 = model.initialParameters(21);
        SplittableRandom data = new SplittableRandom(8);
        if (mirror) System.setProperty(ArenaPolicy.MIRROR_PROPERTY, "true");
        OpenClTrainingSession dev;
        try {
            dev = OpenClBackend.create().openSession(model, loss, opt, p0);
        } finally {
            System.clearProperty(ArenaPolicy.MIRROR_PROPERTY);
        }
        try (dev;
                TrainingSession cpu = TrainingSession.open(new ScalarBackend(), model, loss, opt, p0)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(
                    mirror || !dev.mirrored(),
                    "resident sessions need G1 (this JVM runs " + ArenaPolicy.collectors() + ")");
            assertEquals(mirror, dev.mirrored());
            Compare c = new Compare();
            for (int step = 0; step < 6; step++) {
                float[] x = inputs(data, 12), y = targets(data, loss, 12);
                churn();
                c.value("loss", dev.accumulate(x, y, 12, 1f), cpu.accumulate(x, y, 12, 1f));
                churn();
                dev.step(0.01);
                cpu.step(0.01);
            }
            churn();
            c.arrays("parameters", params(dev), params(cpu));
            c.check("mirrored=" + mirror);
            System.out.println("mirrored=" + mirror + ": " + dev.repeatedCalls() + " calls repeated after a GC move");
        }
    }

    /**
     * Before every single launch (test hook) the staging and reduction arrays are replaced by clones,
     * which is what Aparapi sees when the GC has moved them: it re-creates their device buffers from
     * the host contents. Any result the device wrote there and a later launch discarded before it
     * was downloaded would show up here (it did: a residency probe between a device-to-io copy and
     * its download). The session must still equal the CPU session as in {@link
     * #matchesTheCpuSession}.
     */
    @Test
    void movingTheStagingArraysBeforeEveryLaunchChangesNothing() {
        Sequential model = model(Activation.LEAKY_RELU);
        Loss loss = Loss.mse();
        Optimizer opt = Optimizers.adam(0.01);
        Clipping clip = Clipping.byValue(0.005);
        float[] p0 = model.initialParameters(31);
        SplittableRandom data = new SplittableRandom(13);
        try (OpenClTrainingSession dev = OpenClBackend.create().openSession(model, loss, opt, p0);
                TrainingSession cpu = TrainingSession.open(new ScalarBackend(), model, loss, opt, p0)) {
            OpenClEngine.beforeLaunchForTests = k -> {
                k.io = k.io.clone();
                k.red = k.red.clone();
            };
            Compare c = new Compare();
            for (int step = 0; step < 3; step++) {
                float[] x = inputs(data, 8), y = targets(data, loss, 8);
                c.value("loss", dev.accumulate(x, y, 8, 1f), cpu.accumulate(x, y, 8, 1f));
                c.arrays("gradient", gradient(dev), gradient(cpu));
                c.value("clip", dev.clip(clip), cpu.clip(clip));
                c.arrays("clipped gradient", gradient(dev), gradient(cpu));
                dev.step(0.01);
                cpu.step(0.01);
                c.arrays("parameters", params(dev), params(cpu));
            }
            float[] xp = inputs(data, 5), od = new float[15], oc = new float[15];
            dev.predict(xp, 5, od);
            cpu.predict(xp, 5, oc);
            c.arrays("predictions", od, oc);
            c.check("staging arrays moved before every launch");
        } finally {
            OpenClEngine.beforeLaunchForTests = null;
        }
    }

    /** A resident session whose arena was re-created from the host copy fails, never returns stale numbers. */
    @Test
    void aLostArenaIsAnErrorNotWrongNumbers() {
        Sequential model = model(Activation.RELU);
        Loss loss = Loss.mse();
        SplittableRandom data = new SplittableRandom(2);
        float[] x = inputs(data, 8), y = targets(data, loss, 8);
        try (OpenClTrainingSession dev =
                OpenClBackend.create().openSession(model, loss, Optimizers.sgd(0.1), model.initialParameters(3))) {
            org.junit.jupiter.api.Assumptions.assumeFalse(dev.mirrored(), "resident sessions need G1");
            dev.accumulate(x, y, 8, 1f);
            dev.step(0.1);
            java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
            OpenClEngine.beforeLaunchForTests = k -> {
                if (once.compareAndSet(false, true)) k.mem = k.mem.clone(); // as if the GC had moved it
            };
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> dev.accumulate(x, y, 8, 1f));
            assertTrue(e.getMessage().contains("was lost"), e.getMessage());
            assertTrue(e.getMessage().contains(dev.deviceInfo().describe()), e.getMessage());
        } finally {
            OpenClEngine.beforeLaunchForTests = null;
        }
    }

    static volatile Object sink;

    private static void churn() {
        for (int i = 0; i < 2000; i++) sink = new float[256];
        System.gc();
    }

    /**
     * The session runs the model's own layer objects: activation layers of their own (not fused into
     * a dense layer) and a user's layer written with backend operations train on the device with the
     * CPU session's numbers.
     */
    @Test
    void layerObjectsRunOnTheDeviceAsOnTheCpu() {
        Sequential model = dev.descent.model.Models.sequential(5)
                .dense(7)
                .activation(Activation.TANH)
                .add(new Doubled())
                .dense(6, Activation.GELU)
                .activation(Activation.leakyRelu(0.2f))
                .dense(4)
                .activation(Activation.GELU_TANH)
                .dense(3)
                .build();
        Loss loss = Loss.softmaxCrossEntropy();
        Optimizer opt = Optimizers.adam(0.01);
        float[] p0 = model.initialParameters(2);
        SplittableRandom data = new SplittableRandom(8);
        try (TrainingSession cpu = TrainingSession.open(new ScalarBackend(), model, loss, opt, p0);
                TrainingSession dev = TrainingSession.open(OpenClBackend.create(), model, loss, opt, p0)) {
            Compare c = new Compare();
            for (int step = 0; step < 3; step++) {
                int rows = step == 1 ? 19 : 6;
                float[] x = inputs(data, rows), y = targets(data, loss, rows);
                c.value("loss", dev.accumulate(x, y, rows, 1f), cpu.accumulate(x, y, rows, 1f));
                c.arrays("gradient", gradient(dev), gradient(cpu));
                dev.step(0.01);
                cpu.step(0.01);
                c.arrays("parameters after step " + step, params(dev), params(cpu));
            }
            float[] xp = inputs(data, 4), od = new float[12], oc = new float[12];
            dev.predict(xp, 4, od);
            cpu.predict(xp, 4, oc);
            c.arrays("predictions", od, oc);
            c.check("layer objects");
        }
    }

    /** A user's layer written with backend operations only: y = 2x. */
    static final class Doubled implements dev.descent.model.Layer {
        @Override
        public String kind() {
            return "doubled";
        }

        @Override
        public int[] outputShape(int[] inputShape) {
            return inputShape;
        }

        @Override
        public void forward(dev.descent.model.LayerContext c, float[] x, float[] y) {
            int n = c.rows() * c.inputWidth();
            c.backend().axpby(y, 0f, null, 2f, x, 0, n); // the same range in both: offsets 0
        }

        @Override
        public void backward(dev.descent.model.LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
            if (dx != null) c.backend().axpby(dx, 0f, null, 2f, dy, 0, c.rows() * c.inputWidth());
        }
    }

    /** A user's layer that computes on its arrays itself: it runs on the CPU backends only. */
    static final class HostLoops implements dev.descent.model.Layer {
        @Override
        public String kind() {
            return "host_loops";
        }

        @Override
        public int[] outputShape(int[] inputShape) {
            return inputShape;
        }

        @Override
        public void forward(dev.descent.model.LayerContext c, float[] x, float[] y) {
            for (int i = 0; i < c.rows() * c.inputWidth(); i++) y[i] = x[i] * x[i];
        }

        @Override
        public void backward(dev.descent.model.LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {
            if (dx != null) for (int i = 0; i < c.rows() * c.inputWidth(); i++) dx[i] = 2 * x[i] * dy[i];
        }
    }

    /** A user's layer that runs a CSR product over CSR arrays of its own, which the device does not hold. */
    static final class SparseMix implements dev.descent.model.Layer {
        private static final int[] START = {0, 1}, COLUMNS = {0};
        private static final float[] VALUES = {1f};

        @Override
        public String kind() {
            return "sparse_mix";
        }

        @Override
        public int[] outputShape(int[] inputShape) {
            return inputShape;
        }

        @Override
        public void forward(dev.descent.model.LayerContext c, float[] x, float[] y) {
            c.backend().sparseLinear(START, COLUMNS, VALUES, 1, x, 0, 1, x, 0, y, 0, 1);
        }

        @Override
        public void backward(dev.descent.model.LayerContext c, float[] x, float[] y, float[] dy, float[] dx) {}
    }

    @Test
    void aLayerTheDeviceCannotRunIsRefusedByNameWhenTheSessionOpens() {
        OpenClBackend gpu = OpenClBackend.create();
        Sequential sparse = dev.descent.model.Models.sequential(4)
                .dense(5)
                .add(new SparseMix())
                .dense(3)
                .build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> gpu.openSession(sparse, Loss.mse(), Optimizers.sgd(0.1), sparse.initialParameters(1)));
        assertEquals(
                "the gpu backend cannot run layer layers.1 (sparse_mix): it passes a backend operation an int array"
                        + " of 2 values that is not the session's batch (CSR row pointers and columns are uploaded with"
                        + " it); use the simd or scalar backend",
                e.getMessage());
        Sequential host = dev.descent.model.Models.sequential(4)
                .dense(5)
                .add(new HostLoops())
                .dense(3)
                .build();
        e = assertThrows(
                IllegalArgumentException.class,
                () -> gpu.openSession(host, Loss.mse(), Optimizers.sgd(0.1), host.initialParameters(1)));
        assertEquals(
                "the gpu backend cannot run layer layers.1 (host_loops): it reads or writes its arrays itself rather"
                        + " than through Backend operations (the device's buffers have no host copy); use the simd or"
                        + " scalar backend",
                e.getMessage());
    }

    /**
     * The rules without a fused kernel run on the device through the generic element-wise kernels
     * (their state in the arena), parameter groups included, and a user-written one ({@link
     * SignSgd}): the same numbers as the CPU session, state (ASGD's average, Adagrad's non-zero
     * start) included.
     */
    static List<Optimizer> genericRules() {
        return List.of(
                Optimizers.nadam(0.01).weightDecay(0.01),
                Optimizers.radam(0.01),
                Optimizers.adamax(0.01),
                Optimizers.adadelta(1.0),
                Optimizers.asgd(0.05).t0(1),
                Optimizers.lars(0.1).weightDecay(1e-3),
                Optimizers.lamb(0.01).weightDecay(0.01),
                Optimizers.lion(1e-3),
                Optimizers.adagrad(0.1).initialAccumulatorValue(0.5),
                new Signum(0.01, 0.9),
                Optimizers.sgd(0.05)
                        .momentum(0.9)
                        .weightDecay(0.01)
                        .groups(
                                ParamGroup.of("biases", Selector.names("*.bias"))
                                        .weightDecay(0)
                                        .lrMultiplier(2),
                                ParamGroup.of("stem", Selector.names("layers.0.weight"))
                                        .frozen()),
                Optimizers.adam(0.01)
                        .groups(ParamGroup.of("head", Selector.layer(2)).optimizer(new Signum(0.01, 0.8))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("genericRules")
    void genericRulesMatchTheCpuSession(Optimizer opt) {
        matchesTheCpuSession(opt, Loss.softmaxCrossEntropy(), Activation.TANH, Clipping.byNorm(0.1));
    }

    /** A rule that names a new array every step cannot keep it on the device: the step says so. */
    @Test
    void aRuleThatAllocatesPerStepAndABadClassIndexFailClearly() {
        Sequential model = model(Activation.RELU);
        OpenClBackend gpu = OpenClBackend.create();
        Optimizer allocating = new Optimizer() {
            public double lr() {
                return 0.1;
            }

            public OptimizerState newState(int size) {
                return new OptimizerState(size);
            }

            public void step(dev.descent.backend.Backend b, float[] p, float[] g, OptimizerState s, double lr) {
                float[] fresh = new float[s.size()];
                b.axpby(fresh, 0, fresh, 1, g, 0, s.size());
                b.axpby(p, 1, p, (float) -lr, fresh, 0, s.size());
            }

            public Optimizer withLr(double lr) {
                return this;
            }
        };
        try (TrainingSession s = gpu.openSession(model, Loss.mse(), allocating, model.initialParameters(1))) {
            s.step(0.1); // the first step's array fits the room its probe step measured
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.step(0.1));
            assertTrue(e.getMessage().contains("that its state did not hold at its first step"), e.getMessage());
        }
        try (TrainingSession s =
                gpu.openSession(model, Loss.softmaxCrossEntropy(), Optimizers.sgd(0.1), model.initialParameters(1))) {
            IllegalArgumentException bad = assertThrows(
                    IllegalArgumentException.class, () -> s.accumulate(new float[10], new float[] {1, 3}, 2, 1f));
            assertTrue(bad.getMessage().contains("class index 3.0 in row 1"), bad.getMessage());
        }
    }

    static float[] hostArena(OpenClTrainingSession s) throws RuntimeException {
        try {
            var f = OpenClTrainingSession.class.getDeclaredField("engine");
            f.setAccessible(true);
            return ((OpenClEngine) f.get(s)).mem();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    static float[] gradient(TrainingSession s) {
        float[] g = new float[s.model().parameterCount()];
        s.readGradient(g);
        return g;
    }

    static float[] params(TrainingSession s) {
        float[] p = new float[s.model().parameterCount()];
        s.readParameters(p);
        return p;
    }

    static double worst;
    static String worstWhere = "";

    @org.junit.jupiter.api.AfterAll
    static void reportWorst() {
        System.out.printf("gpu session vs cpu session: max relative error %.3g (%s)%n", worst, worstWhere);
    }

    /** Collects the largest relative error and where it happened. */
    static final class Compare {
        double max;
        String where = "";

        void value(String what, double actual, double expected) {
            double err = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
            if (!(err <= max)) {
                max = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                where = what + ": " + actual + " vs " + expected;
            }
        }

        void arrays(String what, float[] actual, float[] expected) {
            assertEquals(expected.length, actual.length, what);
            for (int i = 0; i < expected.length; i++) value(what + "[" + i + "]", actual[i], expected[i]);
        }

        void check(String label) {
            check(label, TOL);
        }

        void check(String label, double tol) {
            synchronized (Compare.class) {
                if (max > worst) {
                    worst = max;
                    worstWhere = label + ": " + where;
                }
            }
            assertTrue(max <= tol, label + ": max relative error " + max + " at " + where);
        }
    }
}
