package dev.descent.bench;

import dev.descent.backend.Backend;
import dev.descent.backend.SimdBackend;
import dev.descent.data.SparseDataset;
import dev.descent.data.TextFiles;
import dev.descent.examples.SpamExample;
import dev.descent.text.FeatureHasher;
import dev.descent.train.SparseUpdate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How fast {@code ./descent spam}'s training could be at best on one thread: the least work minibatch
 * SGD logistic regression over hashed sparse rows can do (per batch, every row's dot product gathered
 * straight from the 2^20-wide weight, then every row's gradient scattered straight into it: one random
 * read and one random read-modify-write per non-zero, no bookkeeping, no clipping, no optimizer state),
 * timed round-robin in one JVM against Descent's own fit ({@link SpamExample#compute}: B = 64, lr 128,
 * 5 epochs, lazy update, from zeros) on the same corpus and split. Both start in the same fresh JVM, so
 * round 1 includes the JIT for both; the later rounds are warm.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp "bench/target/classes:bench/target/lib/*" \
 *     dev.descent.bench.SparseSgdFloor [rounds=7] [data=.../spamassassin.jsonl.gz]
 * </pre>
 *
 * <p>It prints training documents × epochs per second for both, first round and the median of the
 * rest, and the floor's test accuracy (the same learning problem: it should be near Descent's).
 */
public final class SparseSgdFloor {

    static final int DIMENSION = 1 << 20, BATCH = 64, EPOCHS = 5;
    static final float LR = 128;

    private SparseSgdFloor() {}

    public static void main(String[] args) {
        int rounds = 7;
        Path data = null;
        for (String a : args) {
            if (a.startsWith("rounds=")) rounds = Integer.parseInt(a.substring(7));
            else if (a.startsWith("data=")) data = Path.of(a.substring(5));
            else throw new IllegalArgumentException("unknown argument '" + a + "' (rounds=N, data=FILE)");
        }
        if (data == null) data = SpamExample.defaultCorpus();
        TextFiles.LabeledTexts corpus = TextFiles.readJsonLines(data, "text", "label");
        int spam = corpus.classes().indexOf("spam");
        List<String> trainTexts = new ArrayList<>(), testTexts = new ArrayList<>();
        List<Float> trainY = new ArrayList<>(), testY = new ArrayList<>();
        for (int i = 0; i < corpus.size(); i++) {
            float y = corpus.labels()[i] == spam ? 1 : 0;
            (i % 5 == 4 ? testTexts : trainTexts).add(corpus.texts().get(i));
            (i % 5 == 4 ? testY : trainY).add(y);
        }
        FeatureHasher hasher = FeatureHasher.of(DIMENSION).wordNgrams(1, 2);
        SparseDataset train = hasher.transform("train", trainTexts, floats(trainY), 0, 1);
        SparseDataset test = hasher.transform("test", testTexts, floats(testY), 0, 1);
        Backend backend = new SimdBackend();
        ((SimdBackend) backend).setThreads(1);
        double[] floor = new double[rounds], descent = new double[rounds];
        double accuracy = 0;
        for (int r = 0; r < rounds; r++) {
            float[] w = new float[DIMENSION + 1];
            long t0 = System.nanoTime();
            fit(train, w, r);
            floor[r] = train.rows() * (double) EPOCHS / ((System.nanoTime() - t0) / 1e9);
            accuracy = accuracy(test, w);
            SpamExample.Result d = SpamExample.compute(
                    corpus, spam, backend, 1, DIMENSION, EPOCHS, BATCH, LR, 0, SparseUpdate.LAZY, 42);
            descent[r] = d.trainRows() * (double) EPOCHS / d.trainSeconds();
            System.out.printf(
                    Locale.ROOT, "round %d: floor %.0f docs/s, descent %.0f docs/s%n", r + 1, floor[r], descent[r]);
        }
        System.out.printf(
                Locale.ROOT,
                "floor: first %.0f, warm median %.0f docs/s (test accuracy %.4f)%n"
                        + "descent: first %.0f, warm median %.0f docs/s; descent / floor warm %.2f%n",
                floor[0],
                warm(floor),
                accuracy,
                descent[0],
                warm(descent),
                warm(descent) / warm(floor));
    }

    /**
     * {@link #EPOCHS} epochs of minibatch SGD on the logistic loss, rows shuffled each epoch: reads
     * {@code data}, overwrites {@code w} (the weights, then the bias at index {@link #DIMENSION}).
     */
    static void fit(SparseDataset data, float[] w, long seed) {
        int rows = data.rows();
        int[] cols = data.columns();
        float[] vals = data.values(), y = data.y();
        int[] start = new int[rows + 1], order = new int[rows];
        for (int r = 0; r < rows; r++) {
            start[r] = Math.toIntExact(data.rowStart(r));
            order[r] = r;
        }
        start[rows] = Math.toIntExact(data.nonZeros());
        float[] delta = new float[BATCH];
        SplittableRandom random = new SplittableRandom(seed);
        for (int e = 0; e < EPOCHS; e++) {
            for (int i = rows - 1; i > 0; i--) {
                int j = random.nextInt(i + 1), t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            for (int b0 = 0; b0 < rows; b0 += BATCH) {
                int n = Math.min(BATCH, rows - b0);
                for (int q = 0; q < n; q++) { // forward: gather
                    int r = order[b0 + q];
                    float z = w[DIMENSION];
                    for (int k = start[r]; k < start[r + 1]; k++) z += w[cols[k]] * vals[k];
                    delta[q] = (float) (1 / (1 + Math.exp(-z))) - y[r];
                }
                float scale = -LR / n, bias = 0;
                for (int q = 0; q < n; q++) { // backward and update: scatter
                    int r = order[b0 + q];
                    float g = scale * delta[q];
                    bias += g;
                    for (int k = start[r]; k < start[r + 1]; k++) w[cols[k]] += g * vals[k];
                }
                w[DIMENSION] += bias;
            }
        }
    }

    /** The share of {@code data}'s rows whose logit under {@code w} has the sign of its label. */
    static double accuracy(SparseDataset data, float[] w) {
        int right = 0;
        int[] cols = data.columns();
        float[] vals = data.values();
        for (int r = 0; r < data.rows(); r++) {
            float z = w[DIMENSION];
            for (int k = Math.toIntExact(data.rowStart(r)), end = k + data.rowLength(r); k < end; k++)
                z += w[cols[k]] * vals[k];
            if ((z > 0) == (data.y()[r] > 0.5f)) right++;
        }
        return right / (double) data.rows();
    }

    /** The median of every round but the first. */
    static double warm(double[] perRound) {
        if (perRound.length < 2) return Double.NaN;
        double[] w = Arrays.copyOfRange(perRound, 1, perRound.length);
        Arrays.sort(w);
        return w.length % 2 == 1 ? w[w.length / 2] : (w[w.length / 2 - 1] + w[w.length / 2]) / 2;
    }

    static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }
}
