package dev.descent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.backend.Activation;
import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.backend.ScalarBackend;
import dev.descent.backend.SimdBackend;
import dev.descent.data.Batch;
import dev.descent.data.Batches;
import dev.descent.data.Dataset;
import dev.descent.data.Idx;
import dev.descent.data.Split;
import dev.descent.examples.CnnExample;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizers;
import dev.descent.train.TrainingSession;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code descent bench}: the end-to-end benchmark. Trains the MLP 784-128(ReLU)-10 on MNIST with
 * softmax cross-entropy, batch 64, SGD lr 0.1 momentum 0.9 (or, with {@code --model cnn}, {@code
 * descent cnn}'s network at lr 0.05), timing each epoch (training only), then measures test
 * accuracy. Prints one human line per epoch and, as its last line, one JSON object ({@code model,
 * backend, device, threads, epoch_s_median, samples_per_s, train_loss, test_accuracy, jdk}).
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = {
            "Trains the MLP 784-128-10 (ReLU, softmax cross-entropy; batch 64, SGD lr 0.1, momentum 0.9) on"
                    + " MNIST and reports training throughput; with --model cnn, the network of `descent cnn`"
                    + " (conv 5×5×16 → ReLU → max-pool 2 → conv 5×5×32 → ReLU → max-pool 2 → dense 10; SGD lr"
                    + " 0.05, momentum 0.9, a constant rate) instead.",
            "Prints one line per epoch, then as the LAST line one JSON object with model, backend, device, threads,"
                    + " epoch_s_median, samples_per_s (training rows / median epoch time), train_loss (mean"
                    + " batch loss of the last epoch), test_accuracy and jdk.",
            "With --gemm it times the backend's matrix products instead (see --gemm).",
            "Example: ./descent bench --threads 1; ./descent bench --backend scalar --epochs 2;"
                    + " ./descent bench --model cnn; ./descent bench --gemm --threads 2"
        })
final class BenchCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    static final String DATA_SUBDIR = "shared/data/mnist10k";

    @Option(
            names = "--backend",
            defaultValue = "simd",
            description = "scalar, simd, gpu or auto (default: ${DEFAULT-VALUE}).")
    String backend;

    /** The networks {@code --model} names. */
    enum Network {
        /** The MLP 784-128(ReLU)-10 at lr 0.1. */
        MLP,
        /** {@code descent cnn}'s network ({@link CnnExample#model}) at lr 0.05. */
        CNN;

        Sequential model() {
            return this == MLP
                    ? Models.mlp(784).dense(128, Activation.RELU).dense(10).build()
                    : CnnExample.model();
        }

        float lr() {
            return this == MLP ? 0.1f : 0.05f;
        }

        /** The network {@code --model} names, in lower case. */
        String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Network of(String label) {
            for (Network n : values()) if (n.label().equals(label)) return n;
            throw new IllegalArgumentException("--model must be mlp or cnn, got '" + label + "'");
        }
    }

    @Option(
            names = "--model",
            defaultValue = "mlp",
            description = "The network: mlp or cnn (default: ${DEFAULT-VALUE}; see above).")
    String modelName;

    @Option(
            names = "--threads",
            description = "Threads the simd backend splits matrix products over (default: all"
                    + " available processors; capped at them, so the pool is never oversubscribed).")
    Integer threads;

    @Option(names = "--epochs", defaultValue = "5", description = "Epochs to train (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--warmup",
            defaultValue = "3",
            description = "Untimed epochs first, on a separate copy of the model, so that the timed epochs run"
                    + " JIT-compiled code: at least this many, then more (up to 10 times as many) until the"
                    + " JIT compiled nothing during a whole epoch (default: ${DEFAULT-VALUE}; 0 times the"
                    + " cold start too).")
    int warmup;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "MNIST folder in IDX format (default: the nearest " + DATA_SUBDIR
                    + " above the working directory, e.g. ../shared/data/mnist10k from the repository root).")
    Path data;

    @Option(
            names = "--limit",
            defaultValue = "0",
            description = "Train on only the first N training rows (0 = all; for quick checks).")
    int limit;

    @Option(
            names = {"--batch-size", "--batch"},
            defaultValue = "64",
            description = "Batch size, as --batch-size in the examples (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--seed",
            defaultValue = "42",
            description = "Seed of initialisation and shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    /** What {@code --paced} prints, on a line of its own, before it waits for a line on standard input. */
    static final String PACED_PROMPT = "paced: waiting for a line on stdin";

    @Option(
            names = "--paced",
            description = "Before each timed epoch and before the test pass (with --gemm: before each case and"
                    + " before the report), print \"" + PACED_PROMPT + "\" and wait for a line on standard"
                    + " input. bench/baseline/compare.py alternates the epochs (cases) of Descent and of its"
                    + " peer this way, so that each pair runs seconds apart on a shared machine, and neither"
                    + " runs while the other does.")
    boolean paced;

    @Option(
            names = "--gemm",
            description = "Instead of training, time the backend's matrix products C = op(A)·op(B) in the three"
                    + " layouts of a dense layer (NN, TN, NT) at the MLP step's shapes and at 1024² and 2048²:"
                    + " one line per case (median of 15 timed repetitions after at least 3 untimed ones and"
                    + " 0.5 s, and once the JIT has compiled nothing for 0.3 s (10 s at most), so that the"
                    + " kernels run compiled), then one JSON object"
                    + " {backend, threads, gemm: [{layout, m, n, k, ms, gflops}]}. The peer figures come from"
                    + " bench/baseline/compare.py.")
    boolean gemm;

    @Option(
            names = "--gemm-sizes",
            split = ",",
            defaultValue = "1024,2048",
            paramLabel = "N",
            description = "The square sizes --gemm times after the MLP step's shapes (default: ${DEFAULT-VALUE}).")
    int[] gemmSizes;

    /**
     * The shapes {@code --gemm} times, each {layout, m, n, k}: the MLP step (forward X·Wᵀ, weight
     * gradient dYᵀ·X, input gradient dY·W), then every layout at each square size.
     */
    private List<int[]> gemmCases() {
        List<int[]> cases = new ArrayList<>(
                List.of(new int[] {2, 64, 128, 784}, new int[] {1, 128, 784, 64}, new int[] {0, 64, 784, 128}));
        for (int n : gemmSizes) {
            if (n < 1) throw new IllegalArgumentException("--gemm-sizes must be positive, got " + n);
            for (int layout = 0; layout < 3; layout++) cases.add(new int[] {layout, n, n, n});
        }
        return cases;
    }

    static final String[] LAYOUTS = {"NN", "TN", "NT"};

    @Override
    public Integer call() throws IOException {
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (warmup < 0) throw new IllegalArgumentException("--warmup must be 0 or positive, got " + warmup);
        if (limit < 0) throw new IllegalArgumentException("--limit must be 0 (all) or positive, got " + limit);
        if (threads != null && threads < 1)
            throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
        PrintStream out = System.out;
        Network network = Network.of(modelName);
        if (gemm && network != Network.MLP)
            throw new IllegalArgumentException("--gemm times the matrix products alone; --model " + network.label()
                    + " names a network to train: give one or the other");
        if (gemm) return gemm(out);

        Path dir = data != null ? data : defaultData();
        Split split = Idx.mnist(dir);
        Dataset train = split.train(), test = split.test();
        if (limit > 0 && limit < train.rows()) {
            int[] first = new int[limit];
            Arrays.setAll(first, i -> i);
            train = train.select(first, train.name() + "[:" + limit + "]");
        }

        Backend b = Backends.byName(backend);
        int usedThreads = applyThreads(b);

        Sequential model = network.model();
        Loss loss = Loss.softmaxCrossEntropy();
        float lr = network.lr();
        Batches batches = new Batches(train, batchSize, seed);
        Batch batch = batches.newBatch();
        double[] seconds = new double[epochs];
        double lastLoss = Double.NaN;
        double accuracy;
        out.printf(
                Locale.ROOT,
                "descent bench: %s on %s (threads: %d), %s, %d train / %d test rows, batch %d, %d epochs%n",
                b.name(),
                b.device(),
                usedThreads,
                model,
                train.rows(),
                test.rows(),
                batchSize,
                epochs);
        if (warmup > 0) {
            long t0 = System.nanoTime();
            int ran = warmUp(b, model, loss, lr, batches, batch, test);
            out.printf(
                    Locale.ROOT,
                    "warm-up: %d epochs in %.2f s (not timed below; %d asked, then until the JIT compiled nothing"
                            + " for a whole epoch)%n",
                    ran,
                    (System.nanoTime() - t0) / 1e9,
                    warmup);
        }
        BufferedReader go = pacer();
        try (TrainingSession session =
                TrainingSession.open(b, model, loss, Optimizers.sgd(lr).momentum(0.9), model.initialParameters(seed))) {
            for (int e = 0; e < epochs; e++) {
                if (go != null) awaitGo(out, go, "epoch " + (e + 1));
                batches.startEpoch(e);
                double lossSum = 0;
                long cpu0 = processCpuNanos(), t0 = System.nanoTime();
                while (batches.next(batch, b)) {
                    lossSum += session.accumulate(batch.x(), batch.y(), batch.rows(), 1f) * batch.rows();
                    session.step(lr);
                }
                seconds[e] = (System.nanoTime() - t0) / 1e9;
                double cpu = (processCpuNanos() - cpu0) / 1e9;
                lastLoss = lossSum / train.rows();
                out.printf(
                        Locale.ROOT,
                        "epoch %d/%d  %.4f s  %.0f samples/s  train loss %.4f  (process CPU time %.4f s)%n",
                        e + 1,
                        epochs,
                        seconds[e],
                        train.rows() / seconds[e],
                        lastLoss,
                        cpu);
            }
            if (go != null) awaitGo(out, go, "the test pass");
            accuracy = accuracy(session, test);
        }
        double median = median(seconds);
        out.printf(Locale.ROOT, "test accuracy %.4f; median epoch %.4f s%n", accuracy, median);
        ObjectNode report = JSON.createObjectNode()
                .put("model", network.label())
                .put("backend", b.name())
                .put("device", device(b))
                .put("threads", usedThreads)
                .put("epoch_s_median", rounded(median, 6))
                .put("samples_per_s", rounded(train.rows() / median, 1))
                .put("train_loss", rounded(lastLoss, 6))
                .put("test_accuracy", rounded(accuracy, 4))
                .put("jdk", System.getProperty("java.vendor") + " " + Runtime.version());
        out.println(JSON.writeValueAsString(report));
        return 0;
    }

    /** {@code --paced}: standard input, read line by line by {@link #awaitGo}; null without it. */
    private BufferedReader pacer() {
        return paced ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)) : null;
    }

    /**
     * {@code --paced}: prints {@link #PACED_PROMPT} and blocks until a line arrives on go. Fails,
     * naming what was next, when the input ends first.
     */
    private static void awaitGo(PrintStream out, BufferedReader go, String next) throws IOException {
        out.println(PACED_PROMPT);
        out.flush();
        if (go.readLine() == null) throw new IllegalStateException("--paced: standard input ended before " + next);
    }

    /** The most warm-up epochs while the JIT keeps compiling: this many times {@code --warmup} (50 at most). */
    static final int WARMUP_MAX_FACTOR = 10;

    /**
     * The untimed warm-up: at least {@code --warmup} epochs, then more until one whole epoch ran with
     * no JIT compilation (the compilers' total time did not grow; at most {@link
     * #WARMUP_MAX_FACTOR}× {@code --warmup} epochs). On a busy 2-core machine the C2 compiler thread
     * shares the cores with the training, and three epochs of MNIST-10k (375 steps) left the
     * products, the update and the batch gather compiling in the timed epochs. Each epoch runs on a
     * fresh session, as the timed run starts one (so its first step, the momentum buffer's first
     * write, is compiled too rather than deoptimised when the clock runs); the test pass runs before
     * the first epoch, so the code the JIT sees last before the clock starts is training. Returns
     * the epochs run. Uses its own initial parameters and epoch orders, so the timed run's numbers
     * do not depend on it.
     */
    private int warmUp(Backend b, Sequential model, Loss loss, float lr, Batches batches, Batch batch, Dataset test) {
        int most = Math.max(warmup, Math.min(WARMUP_MAX_FACTOR * warmup, 50));
        long compiled = jitMillis();
        int e = 0;
        while (e < most) {
            try (TrainingSession session = TrainingSession.open(
                    b, model, loss, Optimizers.sgd(lr).momentum(0.9), model.initialParameters(seed + 1))) {
                if (e == 0) accuracy(session, test);
                batches.startEpoch(-1 - e);
                while (batches.next(batch, b)) {
                    session.accumulate(batch.x(), batch.y(), batch.rows(), 1f);
                    session.step(lr);
                }
            }
            e++;
            long now = jitMillis();
            if (e >= warmup && now == compiled) break;
            compiled = now;
        }
        return e;
    }

    /** The JIT compilers' total time so far in ms, or 0 where the JVM does not report it. */
    private static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : 0;
    }

    /** Splits a SIMD backend's work over {@code --threads} (capped at the processors); the threads used. */
    private int applyThreads(Backend b) {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (b instanceof SimdBackend simd) {
            simd.setThreads(Math.min(threads != null ? threads : cpus, cpus));
            return simd.threads();
        }
        return b instanceof ScalarBackend ? 1 : threads != null ? threads : cpus;
    }

    /** The least untimed time {@code --gemm} spends on each case before timing it. */
    private static final long GEMM_WARMUP_NANOS = 500_000_000L;

    /**
     * How long the JIT must have compiled nothing before {@code --gemm} times a case. The first case
     * (the forward X·Wᵀ) once got its kernel's C2 code only after 1.6 s on a busy 2-core machine and
     * was timed at a fifth of its speed, still in C1's code.
     */
    private static final long GEMM_QUIET_NANOS = 300_000_000L;

    /** The most untimed time {@code --gemm} spends on a case while the JIT keeps compiling. */
    private static final long GEMM_WARMUP_MAX_NANOS = 10_000_000_000L;

    /** {@code --gemm}: GFLOP/s of the backend's three matrix-product layouts at {@link #gemmCases}. */
    private int gemm(PrintStream out) throws IOException {
        Backend b = Backends.byName(backend);
        int usedThreads = applyThreads(b);
        var rows = JSON.createArrayNode();
        java.util.Random random = new java.util.Random(seed);
        BufferedReader go = pacer();
        for (int[] c : gemmCases()) {
            int layout = c[0], m = c[1], n = c[2], k = c[3];
            if (go != null) awaitGo(out, go, "the case " + LAYOUTS[layout] + " " + m + "×" + n + "×" + k);
            float[] a = randoms(random, m * k), bb = randoms(random, k * n), cc = new float[m * n];
            double flops = 2.0 * m * n * k;
            int reps = flops > 1e9 ? 1 : (int) (2e8 / flops) + 1, samples = 15;
            double[] t = new double[samples];
            // untimed until the JIT has compiled the kernels: 3 repetitions of a small product take
            // a few ms, while C2 compiles for tens, and later than that when the cores are busy
            long start = System.nanoTime(), quietSince = start, compiled = jitMillis();
            for (int s = -3; s < samples; s++) {
                if (s == -1) {
                    long now = System.nanoTime(), jit = jitMillis();
                    if (jit != compiled) {
                        compiled = jit;
                        quietSince = now;
                    }
                    boolean warm = now - start >= GEMM_WARMUP_NANOS && now - quietSince >= GEMM_QUIET_NANOS;
                    if (!warm && now - start < GEMM_WARMUP_MAX_NANOS) s = -2;
                }
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++)
                    switch (layout) {
                        case 0 -> b.matmul(a, 0, bb, 0, cc, 0, m, n, k, false);
                        case 1 -> b.matmulTN(a, 0, bb, 0, cc, 0, m, n, k, false);
                        default -> b.matmulNT(a, 0, bb, 0, cc, 0, m, n, k, false);
                    }
                if (s >= 0) t[s] = (System.nanoTime() - t0) / 1e9 / reps;
            }
            double ms = median(t) * 1e3, gflops = flops / median(t) / 1e9;
            out.printf(
                    Locale.ROOT,
                    "gemm %s m=%d n=%d k=%d threads=%d  median %.3f ms  %.1f GFLOP/s%n",
                    LAYOUTS[layout],
                    m,
                    n,
                    k,
                    usedThreads,
                    ms,
                    gflops);
            rows.addObject()
                    .put("layout", LAYOUTS[layout])
                    .put("m", m)
                    .put("n", n)
                    .put("k", k)
                    .put("ms", rounded(ms, 6))
                    .put("gflops", rounded(gflops, 2));
        }
        if (go != null) awaitGo(out, go, "the report");
        ObjectNode report = JSON.createObjectNode().put("backend", b.name()).put("threads", usedThreads);
        report.set("gemm", rows);
        out.println(JSON.writeValueAsString(report));
        return 0;
    }

    private static float[] randoms(java.util.Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = random.nextFloat() * 2 - 1;
        return x;
    }

    /**
     * CPU time of the whole JVM so far (all threads, including JIT and GC), or 0 where the platform
     * does not report it. Next to the wall time it shows how much other processes took the cores.
     */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
            return Math.max(0, os.getProcessCpuTime());
        return 0;
    }

    /** Fraction of test rows whose largest output is the label. */
    static double accuracy(TrainingSession session, Dataset test) {
        int f = test.features(), classes = session.model().outputs(), chunk = 500;
        float[] x = new float[chunk * f], out = new float[chunk * classes];
        int correct = 0;
        for (int start = 0; start < test.rows(); start += chunk) {
            int rows = Math.min(chunk, test.rows() - start);
            System.arraycopy(test.x(), start * f, x, 0, rows * f);
            session.predict(x, rows, out);
            for (int r = 0; r < rows; r++) {
                int best = 0;
                for (int j = 1; j < classes; j++) if (out[r * classes + j] > out[r * classes + best]) best = j;
                if (best == test.label(start + r)) correct++;
            }
        }
        return (double) correct / test.rows();
    }

    /** The nearest {@code shared/data/mnist10k} beside the working directory or one of its parents. */
    static Path defaultData() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            for (Path candidate : new Path[] {p.resolve(DATA_SUBDIR), p.resolve("examples/data/mnist10k")})
                if (Files.isRegularFile(candidate.resolve("train-images.idx3-ubyte"))) return candidate;
        }
        throw new IllegalArgumentException(
                "no MNIST folder (" + DATA_SUBDIR + ") above " + Path.of("").toAbsolutePath() + "; pass --data DIR");
    }

    /** The CPU model for CPU backends (from /proc/cpuinfo), else what the backend reports. */
    static String device(Backend b) {
        if (!(b instanceof ScalarBackend)) return b.device();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name"))
                    return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return "CPU";
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** {@code v} to {@code digits} decimals, for a report that does not print float noise. */
    static BigDecimal rounded(double v, int digits) {
        return Double.isFinite(v) ? BigDecimal.valueOf(v).setScale(digits, RoundingMode.HALF_EVEN) : null;
    }
}
