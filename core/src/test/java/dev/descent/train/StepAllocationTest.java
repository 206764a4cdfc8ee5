package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.SimdBackend;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.ParamGroup;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A training step on the SIMD backend (forward, loss, backward, SGD update) allocates nothing once
 * warm, on one thread or split over the shared pool: bytes allocated by the calling thread and every
 * pool worker, counted by the JVM ({@code com.sun.management.ThreadMXBean}), over windows of warm
 * steps of the MNIST MLP. (In the whole suite it once found 4 KB per step that it did not find
 * alone: the logits product passed a vector to a method the JIT, after other tests, no longer
 * inlined, so the vector was boxed.) core's build runs it a second time with half of C2's trap
 * budget ({@code -XX:PerMethodTrapLimit=50}, execution {@code allocation-at-half-trap-budget}): a
 * compile whose inlined profiles sum more class-check traps than the limit boxes vectors, and the
 * sums grow with what ran before in the JVM.
 */
class StepAllocationTest {

    /**
     * A step that allocates does so in every window; the JIT still compiling on the pool's workers
     * allocates a few hundred bytes to 2 KB in a window or two of the CNN split on 2 threads (seen
     * as [224, 568, 2128] over 3 windows), hence 5 windows before a failure.
     */
    private static final int WARMUP = 1500, MEASURED = 200, WINDOWS = 5;

    static Stream<Arguments> backends() {
        return Stream.of(
                Arguments.of("simd, 1 thread", new SimdBackend(1)),
                Arguments.of("simd, 2 threads", new SimdBackend(2)),
                Arguments.of("simd, 2 threads, every product split", new SimdBackend(2).setSplitIntensity(0)),
                Arguments.of("simd, 3 threads, every product split", new SimdBackend(3).setSplitIntensity(0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void warmStepAllocatesNothing(String name, Backend backend) {
        assertNoAllocation(name, backend, s -> s.step(0.01));
    }

    /**
     * Still nothing after products that failed on short arrays: the forward's packing gathers X only
     * where it is in bounds, since a gather that once threw leaves its index vector on the heap in the
     * JIT's code from then on (96 bytes a gather, 301 KB a step).
     */
    @Test
    void stepAfterFailedProductsAllocatesNothing() {
        SimdBackend backend = new SimdBackend(1);
        float[] xShort = new float[64 * 784 - 1], w = new float[128 * 784], z = new float[64 * 128];
        for (int repeat = 0; repeat < 50; repeat++)
            assertThrows(
                    IndexOutOfBoundsException.class,
                    () -> backend.matmulNT(xShort, 0, w, 0, z, 0, 64, 128, 784, false));
        assertNoAllocation("simd, 1 thread, after failed products", backend, s -> s.step(0.01));
    }

    /** The step one-cycle takes when it cycles the momentum too. */
    @Test
    void stepWithCycledMomentumAllocatesNothing() {
        assertNoAllocation(
                "simd, 2 threads, momentum cycled", new SimdBackend(2).setSplitIntensity(0), s -> s.step(0.01, 0.85));
    }

    static Stream<Arguments> genericRules() {
        return Stream.of(
                Arguments.of("NAdam", Optimizers.nadam(0.002).weightDecay(0.01)),
                Arguments.of(
                        "LAMB (per-tensor trust ratios)", Optimizers.lamb(0.001).weightDecay(0.01)),
                Arguments.of("Adadelta", Optimizers.adadelta(1.0)),
                Arguments.of("Lion (the SIMD sign)", Optimizers.lion(1e-4)),
                Arguments.of(
                        "SGD in parameter groups (a copy in and out per group)",
                        Optimizers.sgd(0.01)
                                .momentum(0.9)
                                .groups(
                                        ParamGroup.of("biases", ParamGroup.Selector.names("*.bias"))
                                                .weightDecay(0)
                                                .lrMultiplier(2),
                                        ParamGroup.of("stem", ParamGroup.Selector.names("layers.0.weight"))
                                                .frozen())));
    }

    /** Rules on the generic path (the backend's element-wise operations) allocate nothing either. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("genericRules")
    void genericRuleStepAllocatesNothing(String name, Optimizer optimizer) {
        assertNoAllocation(
                "simd, 2 threads, " + name, new SimdBackend(2).setSplitIntensity(0), optimizer, s -> s.step(0.01));
    }

    /** The other CPU layers (a separate activation, GELU, layer norm, dropout) allocate nothing either. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void everyCpuLayerAllocatesNothing(String name, Backend backend) {
        Sequential model = Models.sequential(784)
                .dense(128)
                .add(new dev.descent.model.LayerNorm(128))
                .activation(Activation.GELU)
                .add(new dev.descent.model.Dropout(0.2))
                .dense(10, Activation.GELU_TANH)
                .build();
        assertNoAllocation(
                name + ", layer norm, gelu, dropout",
                backend,
                model,
                Optimizers.sgd(0.01).momentum(0.9),
                s -> {
                    s.step(0.01);
                    s.position(5, 1);
                });
    }

    /**
     * A small CNN (convolution, pooling, batch norm, flatten) allocates nothing per step either. Eight
     * channels make the first activations 295 K floats a batch, which the ReLU and the max-pool
     * split over the threads; the second convolution (a patch of 120, 32 channels, rows three input
     * rows apart) runs the products that gather im2col's matrix from x, and its rows of 8 outputs
     * are half a vector with AVX-512, so the max-pool after it takes four row pairs a step.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void aCnnAllocatesNothing(String name, Backend backend) {
        Sequential model = Models.image(1, 28, 28)
                .conv2d(8, 5)
                .activation(Activation.RELU)
                .maxPool2d(2)
                .add(dev.descent.model.BatchNorm.batchNorm2d(8))
                .add(new dev.descent.model.Conv2D(8, 32, 3, 5, 3, 1, 0, 0))
                .activation(Activation.RELU)
                .maxPool2d(2)
                .avgPool2d(2)
                .flatten()
                .dense(10)
                .build();
        assertNoAllocation(name + ", cnn", backend, model, Optimizers.sgd(0.01).momentum(0.9), s -> s.step(0.01));
    }

    static Stream<Arguments> sparseCases() {
        return Stream.of(
                Arguments.of("simd, 1 thread, sparse, dense update", new SimdBackend(1), false),
                Arguments.of("simd, 2 threads, sparse, dense update", new SimdBackend(2), false),
                Arguments.of("simd, 1 thread, sparse, lazy update", new SimdBackend(1), true),
                Arguments.of("simd, 2 threads, sparse, lazy update", new SimdBackend(2), true));
    }

    /**
     * Sparse batches (CSR rows of a wide synthetic data set) through a logistic regression, with the
     * dense and the lazy update (momentum and decay: state moves and the catch-up).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("sparseCases")
    void sparseStepAllocatesNothing(String name, Backend backend, boolean lazy) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // 300 non-zeros a row: a batch of 64 is large enough for the sparse kernels to split over threads
        dev.descent.data.SparseDataset data = LazySparseUpdateTest.wide(20 * 64, 20_000, 300, 7);
        // the logistic regression of ./descent spam; an MLP on sparse input (tanh unfused from the
        // sparse product) allocated ~230 KB a step in about 1 run in 5 of this test, on the dense
        // update too: a JIT-dependent boxing outside the sparse kernels, left to find
        for (Sequential model : List.of(Models.logisticRegression(20_000))) {
            Optimizer sgd = Optimizers.sgd(0.1).momentum(0.9).weightDecay(1e-3);
            try (TrainingSession s =
                    TrainingSession.open(backend, model, Loss.bceWithLogits(), sgd, model.initialParameters(1))) {
                if (lazy) ((CpuTrainingSession) s).useLazySparseUpdate();
                var batches = new dev.descent.data.SparseBatches(data, 64, 1);
                var b = batches.newBatch();
                long[] epoch = {0};
                Runnable step = () -> {
                    s.accumulate(b, 1f);
                    s.clip(Clipping.NONE);
                    s.step(0.05);
                };
                for (int i = 0; i < WARMUP; i++) {
                    if (!batches.next(b)) batches.startEpoch(++epoch[0]); // a new epoch draws its order anew
                    else step.run();
                }
                long[] threads = threadIds();
                List<Long> windows = new ArrayList<>();
                for (int w = 0; w < WINDOWS && (windows.isEmpty() || windows.get(windows.size() - 1) != 0); w++) {
                    long bytes = 0;
                    for (int i = 0; i < MEASURED; i++) {
                        if (!batches.next(b)) {
                            batches.startEpoch(++epoch[0]);
                            batches.next(b);
                        }
                        long before = allocated(mx, threads); // the step alone: the sparse batch copy included
                        step.run();
                        bytes += allocated(mx, threads) - before;
                    }
                    windows.add(bytes);
                }
                System.out.printf(
                        "%s, %s: bytes allocated in windows of %d warm steps: %s%n", name, model, MEASURED, windows);
                assertEquals(0L, windows.get(windows.size() - 1), name + ", " + model + ": " + windows);
            }
        }
    }

    private static void assertNoAllocation(String name, Backend backend, Consumer<TrainingSession> update) {
        assertNoAllocation(name, backend, Optimizers.sgd(0.01).momentum(0.9), update);
    }

    private static void assertNoAllocation(
            String name, Backend backend, Optimizer optimizer, Consumer<TrainingSession> update) {
        assertNoAllocation(
                name,
                backend,
                Models.mlp(784).dense(128, Activation.RELU).dense(10).build(),
                optimizer,
                update);
    }

    private static void assertNoAllocation(
            String name, Backend backend, Sequential model, Optimizer optimizer, Consumer<TrainingSession> update) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
        int batch = 64;
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[batch * 784], y = new float[batch];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        for (int i = 0; i < batch; i++) y[i] = r.nextInt(10);
        try (TrainingSession s = TrainingSession.open(
                backend, model, Loss.softmaxCrossEntropy(), optimizer, model.initialParameters(1))) {
            for (int i = 0; i < WARMUP; i++) step(s, x, y, batch, update);
            long[] threads = threadIds();
            // A step that allocates shows in every window; a one-off (the JIT recompiling a method
            // mid-run) in one of them. So the test passes on the first window with no allocation.
            List<Long> windows = new ArrayList<>();
            double loss = 0;
            for (int w = 0; w < WINDOWS && (windows.isEmpty() || windows.get(windows.size() - 1) != 0); w++) {
                long before = allocated(mx, threads);
                for (int i = 0; i < MEASURED; i++) loss += step(s, x, y, batch, update);
                windows.add(allocated(mx, threads) - before);
            }
            assertTrue(Double.isFinite(loss), "loss " + loss);
            System.out.printf("%s: bytes allocated in windows of %d warm steps: %s%n", name, MEASURED, windows);
            if (windows.get(windows.size() - 1) != 0)
                assertEquals(
                        0L,
                        windows.get(windows.size() - 1),
                        name + ": bytes allocated in each window of " + MEASURED + " steps: " + windows
                                + "; where (JFR allocation samples over " + MEASURED + " more steps): "
                                + allocationSites(
                                        () -> {
                                            for (int i = 0; i < WARMUP; i++) step(s, x, y, batch, update);
                                        },
                                        () -> {
                                            for (int i = 0; i < MEASURED; i++) step(s, x, y, batch, update);
                                        }));
        }
    }

    /**
     * The code that allocates while {@code steps} run: JFR's allocation samples, weighed by bytes
     * and summed by the innermost frame in Descent's code, the largest five. Allocation that
     * shows only in some JVMs (a kernel the JIT compiled with a boxed vector) is then named by the
     * failure itself. JFR's first start in a JVM retransforms JDK classes, which sends the compiled
     * code back to the interpreter (about 6,000 methods in one log), so a first recording is started
     * and stopped and {@code rewarm} runs before the one that samples: otherwise the samples show
     * the interpreter.
     */
    private static String allocationSites(Runnable rewarm, Runnable steps) {
        try {
            try (jdk.jfr.Recording first = new jdk.jfr.Recording()) {
                first.start();
                first.stop();
            }
        } catch (RuntimeException e) {
            return "(no JFR sample: " + e + ")";
        }
        rewarm.run();
        try (jdk.jfr.Recording recording = new jdk.jfr.Recording()) {
            recording.enable("jdk.ObjectAllocationSample").withStackTrace().with("throttle", "off");
            recording.start();
            steps.run();
            recording.stop();
            java.nio.file.Path file = java.nio.file.Files.createTempFile("step-allocation", ".jfr");
            try {
                recording.dump(file);
                java.util.Map<String, Long> bytes = new java.util.HashMap<>();
                for (jdk.jfr.consumer.RecordedEvent e : jdk.jfr.consumer.RecordingFile.readAllEvents(file)) {
                    if (e.getStackTrace() == null) continue;
                    String site = e.getStackTrace().getFrames().stream()
                            .filter(f -> f.getMethod().getType().getName().startsWith("dev.descent."))
                            .findFirst()
                            .map(f -> f.getMethod().getType().getName() + "."
                                    + f.getMethod().getName() + " line " + f.getLineNumber() + " (" + f.getType() + ")")
                            .orElse("outside dev.descent");
                    bytes.merge(site, e.getLong("weight"), Long::sum);
                }
                return bytes.entrySet().stream()
                        .sorted(java.util.Map.Entry.<String, Long>comparingByValue()
                                .reversed())
                        .limit(5)
                        .map(en -> en.getKey() + ": " + en.getValue() + " B")
                        .collect(java.util.stream.Collectors.joining("; "));
            } finally {
                java.nio.file.Files.deleteIfExists(file);
            }
        } catch (java.io.IOException | RuntimeException e) {
            return "(no JFR sample: " + e + ")";
        }
    }

    private static double step(TrainingSession s, float[] x, float[] y, int batch, Consumer<TrainingSession> update) {
        double loss = s.accumulate(x, y, batch, 1f);
        update.accept(s);
        return loss;
    }

    /** This thread and the CPU backends' pool workers (named descent-cpu-N). */
    private static long[] threadIds() {
        List<Long> ids = new ArrayList<>(List.of(Thread.currentThread().getId()));
        for (Thread t : Thread.getAllStackTraces().keySet())
            if (t.getName().startsWith("descent-cpu-")) ids.add(t.getId());
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    private static long allocated(com.sun.management.ThreadMXBean mx, long[] threads) {
        long sum = 0;
        for (long id : threads) sum += mx.getThreadAllocatedBytes(id);
        return sum;
    }
}
