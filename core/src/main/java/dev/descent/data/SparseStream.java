package dev.descent.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Sparse LIBSVM rows streamed from disk, for data sets larger than the heap: one file or a folder of
 * shards (its regular files, by name; hidden files skipped), each plain or gzip. Nothing but a
 * bounded shuffle buffer is held: {@link #batches} reads the shards in chunks, in a shard order
 * that derives from (seed, epoch), and shuffles rows through a buffer of {@link
 * #shuffleBuffer(int)} rows, so memory stays bounded by the buffer, not by the files.
 *
 * <p>Before the first epoch the stream indexes its shards once (in parallel over shards; results
 * independent of the thread count): it parses every line as {@link Libsvm} does, and counts rows,
 * the width (unless given), the classes and the longest row. A bad line fails there with
 * file:line, before any training, unless {@link #onBadLine onBadLine(SKIP)}: then it is skipped in
 * every epoch, counted, and {@link #badLineReport()} gives the count and the first examples
 * (file:line and reason). The index also lets a checkpoint name the stream's shards and refuse to
 * resume on other data.
 *
 * <pre>
 * SparseStream train = SparseStream.libsvm(Path.of("data/train"), Labels.classification(2), 1 &lt;&lt; 24)
 *         .shuffleBuffer(100_000)
 *         .onBadLine(SparseStream.OnBadLine.SKIP);
 * TrainingResult r = trainer.fit(train);
 * System.out.println(train.badLineReport());
 * </pre>
 *
 * <p>Immutable configuration; the index is computed once, on first use, and then shared.
 */
public final class SparseStream {

    /** What a line that does not parse does. */
    public enum OnBadLine {
        /** Stop with a {@link DataFormatException} naming file and line (the default). */
        FAIL,
        /** Skip the line, count it, keep the first examples for {@link #badLineReport()}. */
        SKIP
    }

    /** How many bad-line examples the report keeps. */
    public static final int EXAMPLES = 5;

    /** Default rows of the shuffle buffer. */
    public static final int DEFAULT_SHUFFLE_BUFFER = 1 << 16;

    private final Path source;
    private final Labels labels;
    private final int givenFeatures;
    private final int shuffleBuffer;
    private final OnBadLine onBadLine;
    private volatile Index index;

    private SparseStream(Path source, Labels labels, int features, int shuffleBuffer, OnBadLine onBadLine) {
        this.source = source;
        this.labels = labels;
        this.givenFeatures = features;
        this.shuffleBuffer = shuffleBuffer;
        this.onBadLine = onBadLine;
    }

    /**
     * LIBSVM rows from {@code fileOrFolder}; {@code features > 0} fixes the width (an index above it
     * is a bad line), 0 takes the largest index in the data.
     */
    public static SparseStream libsvm(Path fileOrFolder, Labels labels, int features) {
        java.util.Objects.requireNonNull(fileOrFolder, "fileOrFolder");
        java.util.Objects.requireNonNull(labels, "labels");
        if (features < 0)
            throw new IllegalArgumentException("features must be >= 0 (0: the largest index), got " + features);
        return new SparseStream(fileOrFolder, labels, features, DEFAULT_SHUFFLE_BUFFER, OnBadLine.FAIL);
    }

    /** The same stream with a shuffle buffer of {@code rows} rows ({@code >= 1}; 1 does not shuffle rows). */
    public SparseStream shuffleBuffer(int rows) {
        if (rows < 1) throw new IllegalArgumentException("shuffle buffer must be >= 1 row, got " + rows);
        return new SparseStream(source, labels, givenFeatures, rows, onBadLine);
    }

    /** The same stream with another bad-line policy. */
    public SparseStream onBadLine(OnBadLine policy) {
        return new SparseStream(source, labels, givenFeatures, shuffleBuffer, java.util.Objects.requireNonNull(policy));
    }

    public int shuffleBuffer() {
        return shuffleBuffer;
    }

    public OnBadLine onBadLine() {
        return onBadLine;
    }

    public Path source() {
        return source;
    }

    Labels labels() {
        return labels;
    }

    /** The file or folder's name. */
    public String name() {
        return LineReader.nameOf(source);
    }

    /** Rows (good lines) over all shards. Indexes the stream on first use. */
    public int rows() {
        return index().rows;
    }

    /** The width: the given one, or the largest index in the data. */
    public int features() {
        return index().features;
    }

    public int targetWidth() {
        return 1;
    }

    /** Number of classes, or 0 for regression. */
    public int classes() {
        return index().classes;
    }

    /** Stored entries over all rows. */
    public long nonZeros() {
        return index().nonZeros;
    }

    /** The shards in name order, with their row counts. */
    public List<Shard> shards() {
        return index().shards;
    }

    /** Lines skipped as bad (0 unless {@link OnBadLine#SKIP}). */
    public long badLines() {
        return index().badLines;
    }

    /** The first {@value #EXAMPLES} bad lines (file:line: reason), in shard order. */
    public List<String> badLineExamples() {
        return index().examples;
    }

    /**
     * One line for the user: "no bad lines", or the count skipped and the first examples, e.g. {@code
     * "skipped 3 bad lines of 1,000,003: d/part-1.svm:7: expected index:value, found \"x\"; ..."}.
     */
    public String badLineReport() {
        Index ix = index();
        if (ix.badLines == 0) return name() + ": no bad lines";
        return String.format(
                Locale.ROOT,
                "%s: skipped %,d bad line%s of %,d (first %d: %s)",
                name(),
                ix.badLines,
                ix.badLines == 1 ? "" : "s",
                ix.badLines + ix.rows,
                ix.examples.size(),
                String.join("; ", ix.examples));
    }

    /**
     * Minibatches of this stream: see {@link StreamBatches}. Open files are closed by {@link
     * StreamBatches#close()}.
     *
     * @param shuffle shard order and shuffle buffer from (seed, epoch); false: shards by name, rows in
     *     file order
     */
    public StreamBatches batches(int batchSize, long seed, boolean shuffle, boolean dropLast) {
        return new StreamBatches(this, index(), batchSize, seed, shuffle, dropLast);
    }

    /**
     * What a checkpoint records to recognise this stream: name, rows, width, shuffle buffer and every
     * shard's file name, rows and size in bytes.
     */
    public Map<String, Object> describe() {
        Index ix = index();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name());
        m.put("rows", ix.rows);
        m.put("features", ix.features);
        m.put("shuffle_buffer", shuffleBuffer);
        m.put("bad_lines", ix.badLines);
        List<Object> shards = new ArrayList<>();
        for (Shard s : ix.shards) shards.add(List.of(LineReader.nameOf(s.file()), s.rows(), s.bytes()));
        m.put("shards", shards);
        return m;
    }

    /** One file of the stream: its rows (good lines), its bad lines and size on disk. */
    public record Shard(Path file, int rows, long badLines, long bytes) {}

    /** What the indexing pass learnt. */
    record Index(
            List<Shard> shards,
            int rows,
            int features,
            int classes,
            long nonZeros,
            int longestRow,
            long badLines,
            List<String> examples) {}

    Index index() {
        Index ix = index;
        if (ix == null) {
            synchronized (this) {
                if (index == null) index = build();
                ix = index;
            }
        }
        return ix;
    }

    /** One shard's counts, or the error that stopped it. */
    private record ShardCount(
            Path file,
            long rows,
            long badLines,
            int maxIndex,
            int maxLabel,
            long nonZeros,
            int longestRow,
            List<String> examples,
            RuntimeException error) {}

    private Index build() {
        List<Path> files = files();
        List<ShardCount> counts = files.parallelStream().map(this::count).toList();
        List<Shard> shards = new ArrayList<>();
        List<String> examples = new ArrayList<>();
        long rows = 0, bad = 0, nnz = 0;
        int maxIndex = 0, maxLabel = -1, longest = 0;
        for (ShardCount c : counts) { // in name order: the first error is the same for every thread count
            if (c.error() != null) throw c.error();
            rows += c.rows();
            bad += c.badLines();
            nnz += c.nonZeros();
            maxIndex = Math.max(maxIndex, c.maxIndex());
            maxLabel = Math.max(maxLabel, c.maxLabel());
            longest = Math.max(longest, c.longestRow());
            for (String e : c.examples()) if (examples.size() < EXAMPLES) examples.add(e);
            shards.add(new Shard(c.file(), (int) c.rows(), c.badLines(), size(c.file())));
        }
        String what = files.size() == 1 && files.get(0).equals(source)
                ? source.toString()
                : source + " (" + files.size() + " files)";
        if (rows == 0)
            throw new IllegalArgumentException(
                    bad == 0
                            ? what + ": empty stream: no data rows"
                            : what + ": empty stream: all " + bad + " lines were bad (" + String.join("; ", examples)
                                    + ")");
        if (rows > Integer.MAX_VALUE)
            throw new IllegalArgumentException(what + ": " + rows + " rows, more than 2³¹−1 per epoch");
        int features = givenFeatures > 0 ? givenFeatures : maxIndex;
        if (features == 0)
            throw new IllegalArgumentException(what + ": expected at least one index:value, found only labels");
        int classes = 0;
        if (labels.isClassification()) classes = labels.classesOf(maxLabel);
        return new Index(List.copyOf(shards), (int) rows, features, classes, nnz, longest, bad, List.copyOf(examples));
    }

    private static long size(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** The file itself, or the folder's regular files that are not hidden, by name. */
    private List<Path> files() {
        if (!Files.isDirectory(source)) {
            if (!Files.exists(source))
                throw new UncheckedIOException(
                        "cannot read " + source + ": no such file or folder",
                        new java.nio.file.NoSuchFileException(source.toString()));
            return List.of(source);
        }
        try (Stream<Path> s = Files.list(source)) {
            List<Path> files = s.filter(p -> Files.isRegularFile(p)
                            && !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
            if (files.isEmpty())
                throw new IllegalArgumentException(source + ": empty stream: the folder holds no data files");
            return files;
        } catch (IOException e) {
            throw LineReader.cannotRead(source, e);
        }
    }

    /** Parses one shard (the indexing pass). */
    private ShardCount count(Path file) {
        long rows = 0, bad = 0, nnz = 0;
        int maxIndex = 0, maxLabel = -1, longest = 0;
        List<String> examples = new ArrayList<>();
        Libsvm.RowParser parser = new Libsvm.RowParser();
        int max = givenFeatures > 0 ? givenFeatures : Integer.MAX_VALUE;
        try (LineReader in = LineReader.openStreaming(file)) {
            for (String line; (line = readLine(in)) != null; ) {
                try {
                    parser.parse(in, line, labels, max, "");
                } catch (DataFormatException e) {
                    if (onBadLine == OnBadLine.FAIL) throw e;
                    bad++;
                    if (examples.size() < EXAMPLES) examples.add(e.getMessage());
                    continue;
                }
                rows++;
                int n = parser.n;
                nnz += n;
                longest = Math.max(longest, n);
                if (n > 0) maxIndex = Math.max(maxIndex, parser.index[n - 1]);
                if (labels.isClassification()) maxLabel = Math.max(maxLabel, (int) parser.label);
            }
        } catch (RuntimeException e) {
            return new ShardCount(file, 0, 0, 0, 0, 0, 0, List.of(), e);
        }
        return new ShardCount(file, rows, bad, maxIndex, maxLabel, nnz, longest, examples, null);
    }

    /**
     * The next non-blank line, or null; a gzip stream that ends early is a {@link
     * DataFormatException} at the line reached (never skipped: the rest of the file is lost).
     */
    static String readLine(LineReader in) {
        try {
            return in.next();
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof java.io.EOFException)
                throw in.error("more gzip data", "the end of the file: a truncated gzip stream");
            throw e;
        }
    }
}
