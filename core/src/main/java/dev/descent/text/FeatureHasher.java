package dev.descent.text;

import dev.descent.data.SparseDataset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Hashed text features, scikit-learn's {@code HashingVectorizer}: a document is lowercased, cut into
 * word tokens (maximal runs of at least two word characters — letters, digits, underscore — which
 * is sklearn's default {@code (?u)\b\w\w+\b}), optionally also into character n-grams; every word
 * n-gram (tokens joined by one space) and character n-gram is hashed with {@link MurmurHash3}
 * (seed 0, over its UTF-8 bytes) into one of {@link #dimension()} columns, {@code |h| mod
 * dimension}; with {@link #alternateSign()} a negative hash counts −1 instead of +1. Counts in a
 * column add up; then the row is normalised ({@link Norm}). With the same settings the columns and
 * values are sklearn's (values up to float rounding).
 *
 * <p>Immutable; {@link #transform} hashes documents in parallel, each thread with its own
 * workspace (buffers sized by the longest document, not by the dimension) and no allocation per
 * token: ASCII text is lowercased and tested for {@code \w} by table, other text goes through
 * Java's lowercasing and {@link Character}'s categories; a word's bytes are hashed once for the
 * word and the n-grams it starts (MurmurHash3 is incremental), and a document's columns are
 * counted in a small open-addressing map.
 */
public final class FeatureHasher {

    /** How a document's counts are scaled. */
    public enum Norm {
        /** To unit Euclidean length (sklearn's {@code norm='l2'}, its default). */
        L2,
        /** To term frequencies: divided by the sum of absolute counts ({@code norm='l1'}). */
        TF,
        /** Raw (signed) counts. */
        NONE
    }

    private final int dimension;
    private final boolean alternateSign;
    private final int wordMin, wordMax, charMin, charMax;
    private final Norm norm;

    private FeatureHasher(
            int dimension, boolean alternateSign, int wordMin, int wordMax, int charMin, int charMax, Norm norm) {
        if (dimension <= 0) throw new IllegalArgumentException("hashing dimension must be > 0, got " + dimension);
        if (wordMin < 0 || wordMax < wordMin || (wordMin == 0) != (wordMax == 0))
            throw new IllegalArgumentException(
                    "word n-gram range must be 1 <= min <= max (or 0, 0 for none), got " + wordMin + ", " + wordMax);
        if (charMin < 0 || charMax < charMin || (charMin == 0) != (charMax == 0))
            throw new IllegalArgumentException(
                    "char n-gram range must be 1 <= min <= max (or 0, 0 for none), got " + charMin + ", " + charMax);
        if (wordMax == 0 && charMax == 0)
            throw new IllegalArgumentException("a feature hasher needs word or char n-grams");
        if (norm == null) throw new IllegalArgumentException("norm must not be null");
        this.dimension = dimension;
        this.alternateSign = alternateSign;
        this.wordMin = wordMin;
        this.wordMax = wordMax;
        this.charMin = charMin;
        this.charMax = charMax;
        this.norm = norm;
    }

    /** sklearn's defaults over {@code dimension} columns: word unigrams, alternate sign, L2 norm. */
    public static FeatureHasher of(int dimension) {
        return new FeatureHasher(dimension, true, 1, 1, 0, 0, Norm.L2);
    }

    /** Word n-grams of {@code min..max} tokens (sklearn's {@code ngram_range}); (0, 0) for none. */
    public FeatureHasher wordNgrams(int min, int max) {
        return new FeatureHasher(dimension, alternateSign, min, max, charMin, charMax, norm);
    }

    /**
     * Also character n-grams of {@code min..max} characters of the lowercased document with runs of
     * whitespace made one space (sklearn's {@code analyzer='char'}); (0, 0) for none (the default).
     */
    public FeatureHasher charNgrams(int min, int max) {
        return new FeatureHasher(dimension, alternateSign, wordMin, wordMax, min, max, norm);
    }

    /** Signed (true, sklearn's default {@code alternate_sign}) or unsigned counts. */
    public FeatureHasher alternateSign(boolean on) {
        return new FeatureHasher(dimension, on, wordMin, wordMax, charMin, charMax, norm);
    }

    public FeatureHasher norm(Norm n) {
        return new FeatureHasher(dimension, alternateSign, wordMin, wordMax, charMin, charMax, n);
    }

    public int dimension() {
        return dimension;
    }

    public boolean alternateSign() {
        return alternateSign;
    }

    public Norm norm() {
        return norm;
    }

    /** One hashed document: increasing columns and their values. */
    public record Row(int[] columns, float[] values) {}

    /** The hashed features of one document. */
    public Row hash(String document) {
        Worker w = new Worker(0);
        w.hash(document);
        return new Row(w.columnBlocks.get(0), w.valueBlocks.get(0));
    }

    /**
     * Hashes every document on {@code threads} threads (the caller's counts as one) into a data set
     * with targets {@code y} (one per document) and {@code classes} classes (0: regression). The
     * result does not depend on {@code threads}.
     */
    public SparseDataset transform(String name, List<String> documents, float[] y, int classes, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (y.length != documents.size())
            throw new IllegalArgumentException(
                    name + ": " + documents.size() + " documents but " + y.length + " targets");
        int n = documents.size();
        // document i's row is [offset[i], offset[i] + length[i]) of block block[i] of workers[owner[i]]
        int[] owner = new int[n], block = new int[n], offset = new int[n], length = new int[n];
        Worker[] workers = new Worker[threads];
        AtomicInteger next = new AtomicInteger();
        int chunk = 16;
        IntConsumer work = k -> {
            Worker w = workers[k] = new Worker(1 << 16);
            for (int start; (start = next.getAndAdd(chunk)) < n; )
                for (int i = start; i < Math.min(n, start + chunk); i++) {
                    w.hash(documents.get(i));
                    owner[i] = k;
                    block[i] = w.columnBlocks.size() - 1;
                    offset[i] = w.fill - w.rowLength;
                    length[i] = w.rowLength;
                }
        };
        Thread[] helpers = new Thread[threads - 1];
        RuntimeException[] failure = new RuntimeException[1];
        for (int t = 0; t < helpers.length; t++) {
            int k = t + 1;
            helpers[t] = new Thread(
                    () -> {
                        try {
                            work.accept(k);
                        } catch (RuntimeException e) {
                            failure[0] = e;
                        }
                    },
                    "descent-hasher-" + t);
            helpers[t].start();
        }
        work.accept(0);
        for (Thread t : helpers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while hashing " + name, e);
            }
        }
        if (failure[0] != null) throw failure[0];
        long[] start = new long[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + length[i];
        int[] cols = new int[Math.toIntExact(start[n])];
        float[] vals = new float[cols.length];
        for (int i = 0; i < n; i++) {
            Worker w = workers[owner[i]];
            System.arraycopy(w.columnBlocks.get(block[i]), offset[i], cols, (int) start[i], length[i]);
            System.arraycopy(w.valueBlocks.get(block[i]), offset[i], vals, (int) start[i], length[i]);
        }
        return new SparseDataset(name, start, cols, vals, y, dimension, 1, classes);
    }

    private static final int RADIX_BITS = 11, RADIX_MASK = (1 << RADIX_BITS) - 1;

    /** For ASCII c: the lowercased character if c is a word character ({@code \w}), else 0. */
    private static final byte[] ASCII_WORD = new byte[128];

    static {
        for (int c = 0; c < 128; c++)
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') ASCII_WORD[c] = (byte) c;
            else if (c >= 'A' && c <= 'Z') ASCII_WORD[c] = (byte) (c - 'A' + 'a');
    }

    /**
     * sklearn's {@code \w} in Unicode mode: a letter, a number (decimal, letter or other) or the
     * underscore.
     */
    static boolean isWordChar(int cp) {
        if (cp < 128) return cp >= 0 && ASCII_WORD[cp] != 0;
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER,
                    Character.LOWERCASE_LETTER,
                    Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER,
                    Character.OTHER_LETTER,
                    Character.DECIMAL_DIGIT_NUMBER,
                    Character.LETTER_NUMBER,
                    Character.OTHER_NUMBER -> true;
            default -> false;
        };
    }

    /** Python's {@code \s} in Unicode mode, closely enough: Java whitespace or a space separator. */
    private static boolean isSpace(int cp) {
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || (cp >= 0x1c && cp <= 0x1f);
    }

    /** The word tokens of a document as sklearn's default analyzer cuts them (lowercased). */
    public static List<String> tokens(String document) {
        Tokenizer t = new Tokenizer();
        int n = t.words(document);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
            out.add(new String(t.bytes, t.starts[i], t.ends[i] - t.starts[i], StandardCharsets.UTF_8));
        return out;
    }

    /**
     * Cuts a document into units (word tokens or characters) and writes their UTF-8 bytes into one
     * reusable buffer: unit i is {@code bytes[starts[i], ends[i])}, and units i..j, with what lies
     * between them (one space between word tokens), are {@code bytes[starts[i], ends[j])}, the bytes
     * of their n-gram. Grows its buffers once per document, never per unit.
     */
    static final class Tokenizer {
        char[] chars = new char[1 << 14];
        byte[] bytes = new byte[1 << 16];
        int[] starts = new int[4096], ends = new int[4096];

        /** Cuts the word tokens of {@code document}, lowercased; returns their number. */
        int words(String document) {
            int n = load(document);
            int count = words(n, true);
            if (count >= 0) return count;
            // not ASCII: Java's lowercasing (context-dependent, such as a final sigma) as Python's
            return words(load(document.toLowerCase(Locale.ROOT)), false);
        }

        /**
         * The word tokens of chars[0, n): ASCII letters lowercased by table; other code points (the
         * text is lowercased already unless asciiOnly) tested with {@link #isWordChar}. With
         * asciiOnly, -1 at the first non-ASCII character.
         */
        private int words(int n, boolean asciiOnly) {
            char[] c = chars;
            byte[] b = bytes;
            int[] st = starts, en = ends;
            int at = 0, count = 0;
            for (int i = 0; i < n; ) {
                char ch = c[i];
                if (ch < 128) {
                    if (ASCII_WORD[ch] == 0) {
                        i++;
                        continue;
                    }
                } else if (asciiOnly) return -1;
                else {
                    int cp = Character.codePointAt(c, i, n);
                    if (!isWordChar(cp)) {
                        i += Character.charCount(cp);
                        continue;
                    }
                }
                int start = at, length = 0; // a run of word characters starts at i
                while (i < n) {
                    ch = c[i];
                    if (ch < 128) {
                        byte lower = ASCII_WORD[ch];
                        if (lower == 0) break;
                        b[at++] = lower;
                        i++;
                    } else if (asciiOnly) return -1;
                    else {
                        int cp = Character.codePointAt(c, i, n);
                        if (!isWordChar(cp)) break;
                        at = putUtf8(b, at, cp);
                        i += Character.charCount(cp);
                    }
                    length++;
                }
                if (length >= 2) {
                    st[count] = start;
                    en[count++] = at;
                    b[at++] = ' ';
                } else at = start;
            }
            return count;
        }

        /**
         * Cuts {@code text} (lowercased) into its code points, a run of two or more whitespace
         * characters made one space (sklearn's 'char' analyzer); returns their number.
         */
        int characters(String text) {
            int len = load(text), n = 0, at = 0;
            char[] c = chars;
            for (int i = 0; i < len; ) {
                int cp = Character.codePointAt(c, i, len);
                int j = i + Character.charCount(cp);
                if (isSpace(cp) && j < len && isSpace(Character.codePointAt(c, j, len))) {
                    while (j < len && isSpace(cp = Character.codePointAt(c, j, len))) j += Character.charCount(cp);
                    cp = ' ';
                }
                starts[n] = at;
                at = putUtf8(bytes, at, cp);
                ends[n++] = at;
                i = j;
            }
            return n;
        }

        /** Copies the text into {@link #chars}; makes room for the bytes and units of up to its length. */
        private int load(String text) {
            int n = text.length();
            if (chars.length < n) chars = new char[Math.max(n, 2 * chars.length)];
            text.getChars(0, n, chars, 0);
            // UTF-8: at most 3 bytes a char (4 for a surrogate pair), plus one space a token
            if (bytes.length < 4L * n + 4) bytes = new byte[Math.toIntExact(Math.max(4L * n + 4, 2L * bytes.length))];
            if (starts.length < n + 1) {
                starts = new int[Math.max(n + 1, 2 * starts.length)];
                ends = new int[starts.length];
            }
            return n;
        }

        /** Writes the UTF-8 bytes of code point cp at {@code at}; returns the new end. */
        private static int putUtf8(byte[] b, int at, int cp) {
            if (cp < 0x80) b[at++] = (byte) cp;
            else if (cp < 0x800) {
                b[at++] = (byte) (0xC0 | cp >> 6);
                b[at++] = (byte) (0x80 | cp & 0x3F);
            } else if (cp < 0x10000) {
                if (Character.isSurrogate((char) cp)) cp = '?'; // a lone surrogate: not from valid UTF-8
                b[at++] = (byte) (0xE0 | cp >> 12);
                b[at++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[at++] = (byte) (0x80 | cp & 0x3F);
            } else {
                b[at++] = (byte) (0xF0 | cp >> 18);
                b[at++] = (byte) (0x80 | cp >> 12 & 0x3F);
                b[at++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[at++] = (byte) (0x80 | cp & 0x3F);
            }
            return at;
        }
    }

    /**
     * One thread's workspace: a {@link Tokenizer}, the current document's features (column and
     * sign, sorted by column then summed up) and the rows it has hashed, one after the other.
     */
    private final class Worker {
        private final Tokenizer tokenizer = new Tokenizer();
        /** The column of a negative hash equal to Integer.MIN_VALUE (sklearn's rule). */
        private final int minColumn = (Integer.MAX_VALUE - (dimension - 1)) % dimension;
        /** dimension - 1 when dimension is a power of two, else -1. */
        private final int columnMask = Integer.bitCount(dimension) == 1 ? dimension - 1 : -1;
        /** Bits of the largest column. */
        private final int columnBits = 32 - Integer.numberOfLeadingZeros(dimension - 1);
        /**
         * The document's features, {@code column << 1 | (counts -1 ? 1 : 0)}, in order of hashing;
         * the radix sort's second buffer and its digit counts.
         */
        private long[] features = new long[1 << 12], scratch = new long[1 << 12];

        private int count;
        private final int[] digitCounts = new int[1 << RADIX_BITS];
        /** A row's distinct columns and their summed counts. */
        private int[] columns = new int[1 << 12], counts = new int[1 << 12];
        /**
         * The rows hashed so far, one after the other in blocks of at least blockSize entries (a row
         * is in one block): the last row is the rowLength entries before fill in the last block.
         */
        final List<int[]> columnBlocks = new ArrayList<>();

        final List<float[]> valueBlocks = new ArrayList<>();
        private final int blockSize;
        int fill, rowLength;

        Worker(int blockSize) {
            this.blockSize = blockSize;
        }

        /** Appends the row of {@code document} to the output. */
        void hash(String document) {
            count = 0;
            if (wordMax > 0) {
                int n = tokenizer.words(document);
                reserve((long) n * (wordMax - wordMin + 1));
                grams(n, wordMin, wordMax);
            }
            if (charMax > 0) {
                int n = tokenizer.characters(document.toLowerCase(Locale.ROOT));
                reserve((long) n * (charMax - charMin + 1));
                grams(n, charMin, charMax);
            }
            emit();
        }

        /**
         * Adds the n-grams of min..max consecutive units of the tokenizer: for each first unit, the
         * hash of the longer n-grams continues from the shorter one's whole blocks.
         */
        private void grams(int n, int min, int max) {
            byte[] b = tokenizer.bytes;
            int[] st = tokenizer.starts, en = tokenizer.ends;
            long[] f = features;
            int k = count;
            for (int t = 0; t < n; t++) {
                int s = st[t], h = 0, mixed = s; // seed 0; bytes [s, mixed) are in h
                for (int g = 1, last = Math.min(max, n - t); g <= last; g++) {
                    int len = en[t + g - 1] - s, body = s + (len & ~3);
                    h = MurmurHash3.blocks(h, b, mixed, body);
                    mixed = body;
                    if (g >= min) f[k++] = feature(MurmurHash3.finish(h, b, body, len));
                }
            }
            count = k;
        }

        /** Hash h as a feature: its column (as sklearn's {@code _hashing_fast}) and sign. */
        private long feature(int h) {
            int column = h == Integer.MIN_VALUE
                    ? minColumn
                    : columnMask >= 0 ? Math.abs(h) & columnMask : Math.abs(h) % dimension;
            return (long) column << 1 | (alternateSign && h < 0 ? 1 : 0);
        }

        /** Makes room for {@code more} features. */
        private void reserve(long more) {
            long need = count + more;
            if (need <= features.length) return;
            int capacity = Math.toIntExact(Math.max(need, 2L * features.length));
            features = Arrays.copyOf(features, capacity);
            scratch = new long[capacity];
            columns = new int[capacity];
            counts = new int[capacity];
        }

        /**
         * Appends the distinct columns in order with their normalised non-zero summed counts; empties
         * the features.
         */
        private void emit() {
            long[] f = sortByColumn(count);
            int[] cols = columns, cnts = counts;
            // sums the runs of one column without a branch per feature: u is the run count so far
            int u = 0;
            long previous = -1;
            for (int i = 0; i < count; i++) {
                long x = f[i], column = x >>> 1;
                int next = column != previous ? 1 : 0, sign = 1 - 2 * (int) (x & 1);
                int at = u + next - 1;
                cnts[at] = (1 - next) * cnts[Math.max(at, 0)] + sign;
                cols[at] = (int) column;
                u += next;
                previous = column;
            }
            count = 0;
            int n = 0;
            double sum = 0;
            for (int i = 0; i < u; i++) {
                int c = cnts[i];
                if (c == 0) continue; // signs that cancel: no entry, as sklearn's eliminate_zeros
                cols[n] = cols[i];
                cnts[n++] = c;
                double v = c;
                sum += norm == Norm.L2 ? v * v : Math.abs(v);
            }
            double scale = norm == Norm.NONE || sum == 0 ? 1 : norm == Norm.L2 ? 1 / Math.sqrt(sum) : 1 / sum;
            int last = columnBlocks.size() - 1;
            if (last < 0 || columnBlocks.get(last).length - fill < n) {
                columnBlocks.add(new int[Math.max(blockSize, n)]);
                valueBlocks.add(new float[Math.max(blockSize, n)]);
                last++;
                fill = 0;
            }
            System.arraycopy(cols, 0, columnBlocks.get(last), fill, n);
            float[] values = valueBlocks.get(last);
            for (int i = 0; i < n; i++) values[fill + i] = (float) (cnts[i] * scale);
            fill += n;
            rowLength = n;
        }

        /**
         * Sorts features[0, n) by column: few by comparison, many by an LSD radix sort over the
         * column's bits. Returns the array holding the result (features or scratch).
         */
        private long[] sortByColumn(int n) {
            if (n < 128) {
                Arrays.sort(features, 0, n);
                return features;
            }
            long[] from = features, to = scratch;
            int[] digits = digitCounts;
            for (int shift = 0; shift < columnBits; shift += RADIX_BITS) {
                int at = 1 + shift;
                Arrays.fill(digits, 0);
                for (int i = 0; i < n; i++) digits[(int) (from[i] >>> at) & RADIX_MASK]++;
                for (int d = 0, total = 0; d < digits.length; d++) {
                    int c = digits[d];
                    digits[d] = total;
                    total += c;
                }
                for (int i = 0; i < n; i++) to[digits[(int) (from[i] >>> at) & RADIX_MASK]++] = from[i];
                long[] t = from;
                from = to;
                to = t;
            }
            return from;
        }
    }
}
