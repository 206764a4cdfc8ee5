package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.backend.SimdBackend;
import dev.descent.checkpoint.CheckpointException;
import dev.descent.data.Batches;
import dev.descent.data.Labels;
import dev.descent.data.Libsvm;
import dev.descent.data.SparseDataset;
import dev.descent.data.SparseStream;
import dev.descent.loss.Loss;
import dev.descent.model.Models;
import dev.descent.model.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.schedule.Schedules;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on a stream: equal to the in-memory sparse run when both read rows in file order, and
 * resuming from a checkpoint continues a shuffled streamed run bit for bit.
 */
class StreamTrainingTest {

    static final int FEATURES = 40;
    static final Sequential MODEL = Models.logisticRegression(FEATURES);
    static final Optimizer SGD = Optimizers.sgd(0.5).momentum(0.9);

    @TempDir
    Path tmp;

    /** A seeded logistic-regression data set in 4 shards (one gzip) of 5 non-zeros per row. */
    static Path data(Path dir, int rows) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(3);
        double[] w = new double[FEATURES];
        for (int j = 0; j < FEATURES; j++) w[j] = r.nextGaussian();
        int per = (rows + 3) / 4;
        for (int s = 0, row = 0; s < 4; s++) {
            StringBuilder b = new StringBuilder();
            for (int end = Math.min(rows, row + per); row < end; row++) {
                java.util.TreeMap<Integer, Double> x = new java.util.TreeMap<>();
                while (x.size() < 5) x.put(r.nextInt(FEATURES), r.nextDouble() * 2 - 1);
                double z = 0;
                for (var e : x.entrySet()) z += w[e.getKey()] * e.getValue();
                b.append(r.nextDouble() < 1 / (1 + Math.exp(-3 * z)) ? 1 : 0);
                for (var e : x.entrySet())
                    b.append(' ')
                            .append(e.getKey() + 1)
                            .append(':')
                            .append(String.format(java.util.Locale.ROOT, "%.4f", e.getValue()));
                b.append('\n');
            }
            byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
            Path f = dir.resolve("part-" + s + (s == 2 ? ".svm.gz" : ".svm"));
            try (OutputStream out =
                    s == 2 ? new GZIPOutputStream(Files.newOutputStream(f)) : Files.newOutputStream(f)) {
                out.write(bytes);
            }
        }
        return dir;
    }

    static TrainingConfig config(int epochs) {
        return TrainingConfig.defaults()
                .withBatchSize(32)
                .withEpochs(epochs)
                .withSeed(9)
                .withSchedule(Schedules.cosine(400, 0.1));
    }

    @Test
    void aStreamInFileOrderTrainsAsTheSameRowsInMemory() throws IOException {
        Path dir = data(tmp.resolve("d"), 600);
        SparseStream stream = SparseStream.libsvm(dir, Labels.classification(), FEATURES);
        // the in-memory rows in the stream's order: shards by name, each in file order
        SparseDataset[] parts = new SparseDataset[4];
        int i = 0;
        for (var s : stream.shards()) parts[i++] = Libsvm.loadSparse(s.file(), Labels.classification(2), FEATURES);
        SparseDataset all = concat(parts);
        TrainingConfig sequential = config(3).withSampling(Batches.Sampling.SEQUENTIAL, false);
        Trainer t = new Trainer(new SimdBackend(1), MODEL, Loss.bceWithLogits(), SGD, sequential);
        TrainingResult memory = t.fit(all), streamed = t.fit(stream);
        assertArrayEquals(memory.parameters(), streamed.parameters());
        assertEquals(memory.history().steps().size(), streamed.history().steps().size());
        assertEquals(3 * 19, streamed.history().steps().size());
        double first = streamed.history().epochs().get(0).loss(),
                last = streamed.history().lastEpoch().loss();
        assertTrue(last < 0.8 * first, first + " -> " + last);
    }

    @Test
    void resumingAStreamedRunContinuesBitForBit() throws IOException {
        SparseStream stream = SparseStream.libsvm(data(tmp.resolve("d"), 700), Labels.classification(), FEATURES)
                .shuffleBuffer(50);
        Trainer five = new Trainer(new SimdBackend(1), MODEL, Loss.bceWithLogits(), SGD, config(5));
        TrainingResult straight = five.fit(stream);
        Path ckpt = tmp.resolve("ckpt");
        new Trainer(
                        new SimdBackend(1),
                        MODEL,
                        Loss.bceWithLogits(),
                        SGD,
                        config(2).withCheckpoints(ckpt, 1))
                .fit(stream);
        // a fresh stream object over the same files, as after a restart
        SparseStream again = SparseStream.libsvm(tmp.resolve("d"), Labels.classification(), FEATURES)
                .shuffleBuffer(50);
        TrainingResult resumed = five.resume(ckpt, again);
        assertArrayEquals(straight.parameters(), resumed.parameters());
        assertEquals(
                straight.history().steps().size(), resumed.history().steps().size());
        for (int s = 0; s < straight.history().steps().size(); s++)
            assertEquals(
                    straight.history().steps().get(s).loss(),
                    resumed.history().steps().get(s).loss(),
                    "loss of step " + s);
    }

    @Test
    void sparseRowsInMemoryResumeBitForBitToo() throws IOException {
        SparseDataset rows = Libsvm.loadSparse(
                data(tmp.resolve("d"), 400).resolve("part-0.svm"), Labels.classification(2), FEATURES);
        Trainer four = new Trainer(new SimdBackend(1), MODEL, Loss.bceWithLogits(), SGD, config(4));
        TrainingResult straight = four.fit(rows);
        Path ckpt = tmp.resolve("ckpt");
        new Trainer(
                        new SimdBackend(1),
                        MODEL,
                        Loss.bceWithLogits(),
                        SGD,
                        config(1).withCheckpoints(ckpt, 1))
                .fit(rows);
        assertArrayEquals(straight.parameters(), four.resume(ckpt, rows).parameters());
        // the same rows streamed: another run (its checkpoint does not describe a stream)
        SparseStream stream =
                SparseStream.libsvm(tmp.resolve("d").resolve("part-0.svm"), Labels.classification(), FEATURES);
        var e = assertThrows(UncheckedIOException.class, () -> four.resume(ckpt, stream));
        assertTrue(
                e.getMessage().contains("was written with training rows in memory, this trainer has {"),
                e.getMessage());
    }

    @Test
    void resumingOnAnotherStreamIsRefused() throws IOException {
        Path dir = data(tmp.resolve("d"), 300);
        SparseStream stream =
                SparseStream.libsvm(dir, Labels.classification(), FEATURES).shuffleBuffer(50);
        Path ckpt = tmp.resolve("ckpt");
        new Trainer(
                        new SimdBackend(1),
                        MODEL,
                        Loss.bceWithLogits(),
                        SGD,
                        config(1).withCheckpoints(ckpt, 1))
                .fit(stream);
        Trainer two = new Trainer(new SimdBackend(1), MODEL, Loss.bceWithLogits(), SGD, config(2));
        var e = assertThrows(UncheckedIOException.class, () -> two.resume(ckpt, stream.shuffleBuffer(60)));
        assertInstanceOf(CheckpointException.class, e.getCause());
        assertTrue(
                e.getMessage().contains("\"shuffle_buffer\":50")
                        && e.getMessage().contains("\"shuffle_buffer\":60")
                        && e.getMessage().endsWith("resuming would not continue the same run"),
                e.getMessage());
    }

    @Test
    void samplingWithReplacementIsRefusedForAStream() throws IOException {
        SparseStream stream = SparseStream.libsvm(data(tmp.resolve("d"), 100), Labels.classification(), FEATURES);
        Trainer t = new Trainer(
                new SimdBackend(1),
                MODEL,
                Loss.bceWithLogits(),
                SGD,
                config(1).withSampling(Batches.Sampling.WITH_REPLACEMENT, false));
        var e = assertThrows(IllegalArgumentException.class, () -> t.fit(stream));
        assertTrue(e.getMessage().startsWith("a streamed training set ('d') is read once per epoch"), e.getMessage());
    }

    private static SparseDataset concat(SparseDataset[] parts) {
        int rows = 0;
        long nnz = 0;
        for (SparseDataset p : parts) {
            rows += p.rows();
            nnz += p.nonZeros();
        }
        long[] start = new long[rows + 1];
        int[] cols = new int[(int) nnz];
        float[] vals = new float[(int) nnz], y = new float[rows];
        int r = 0, k = 0;
        for (SparseDataset p : parts) {
            System.arraycopy(p.columns(), 0, cols, k, (int) p.nonZeros());
            System.arraycopy(p.values(), 0, vals, k, (int) p.nonZeros());
            System.arraycopy(p.y(), 0, y, r, p.rows());
            for (int i = 0; i < p.rows(); i++) start[r + i + 1] = k + p.rowStart(i + 1);
            r += p.rows();
            k += (int) p.nonZeros();
        }
        return new SparseDataset("all", start, cols, vals, y, FEATURES, 1, 2);
    }
}
