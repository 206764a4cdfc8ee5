package dev.descent.text;

import dev.descent.data.SparseDataset;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

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
 * workspace (one float per column, so threads × dimension × 4 bytes).
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
        return new Worker().hash(document);
    }

    /**
     * Hashes every document on {@code threads} threads (the caller's counts as one) into a data set
     * with targets {@code y} (one per document) and {@code classes} classes (0: regression).
     */
    public SparseDataset transform(String name, List<String> documents, float[] y, int classes, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (y.length != documents.size())
            throw new IllegalArgumentException(
                    name + ": " + documents.size() + " documents but " + y.length + " targets");
        int n = documents.size();
        Row[] rows = new Row[n];
        AtomicInteger next = new AtomicInteger();
        int chunk = 16;
        Runnable work = () -> {
            Worker w = new Worker();
            for (int start; (start = next.getAndAdd(chunk)) < n; )
                for (int i = start; i < Math.min(n, start + chunk); i++) rows[i] = w.hash(documents.get(i));
        };
        Thread[] helpers = new Thread[threads - 1];
        RuntimeException[] failure = new RuntimeException[1];
        for (int t = 0; t < helpers.length; t++) {
            helpers[t] = new Thread(
                    () -> {
                        try {
                            work.run();
                        } catch (RuntimeException e) {
                            failure[0] = e;
                        }
                    },
                    "descent-hasher-" + t);
            helpers[t].start();
        }
        work.run();
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
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + rows[i].columns.length;
        int[] cols = new int[Math.toIntExact(start[n])];
        float[] vals = new float[cols.length];
        for (int i = 0; i < n; i++) {
            System.arraycopy(rows[i].columns, 0, cols, (int) start[i], rows[i].columns.length);
            System.arraycopy(rows[i].values, 0, vals, (int) start[i], rows[i].values.length);
        }
        return new SparseDataset(name, start, cols, vals, y, dimension, 1, classes);
    }

    /**
     * sklearn's {@code \w} in Unicode mode: a letter, a number (decimal, letter or other) or the
     * underscore.
     */
    static boolean isWordChar(int cp) {
        if (cp < 128)
            return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_';
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
        String text = document.toLowerCase(Locale.ROOT);
        List<String> out = new java.util.ArrayList<>();
        int len = text.length();
        for (int i = 0; i < len; ) {
            int cp = text.codePointAt(i);
            if (!isWordChar(cp)) {
                i += Character.charCount(cp);
                continue;
            }
            int j = i, count = 0;
            while (j < len && isWordChar(cp = text.codePointAt(j))) {
                j += Character.charCount(cp);
                count++;
            }
            if (count >= 2) out.add(text.substring(i, j));
            i = j;
        }
        return out;
    }

    /** One thread's workspace: the column accumulator, the touched columns, the UTF-8 bytes of the tokens. */
    private final class Worker {
        private final float[] acc = new float[dimension];
        private int[] touched = new int[1024];
        private int touchedCount;
        private byte[] bytes = new byte[1 << 16];
        private int[] starts = new int[4096], ends = new int[4096];

        Row hash(String document) {
            String text = document.toLowerCase(Locale.ROOT);
            touchedCount = 0;
            if (wordMax > 0) words(text);
            if (charMax > 0) chars(text);
            return emit();
        }

        /** Writes the tokens' UTF-8 bytes one space apart, so tokens t..u are one range; hashes the n-grams. */
        private void words(String text) {
            int len = text.length(), n = 0, at = 0;
            for (int i = 0; i < len; ) {
                int cp = text.codePointAt(i);
                if (!isWordChar(cp)) {
                    i += Character.charCount(cp);
                    continue;
                }
                int j = i, count = 0;
                while (j < len && isWordChar(cp = text.codePointAt(j))) {
                    j += Character.charCount(cp);
                    count++;
                }
                if (count >= 2) {
                    if (n == starts.length) {
                        starts = Arrays.copyOf(starts, 2 * n);
                        ends = Arrays.copyOf(ends, 2 * n);
                    }
                    if (n > 0) at = put(at, ' ');
                    starts[n] = at;
                    for (int k = i; k < j; ) {
                        int c = text.codePointAt(k);
                        at = put(at, c);
                        k += Character.charCount(c);
                    }
                    ends[n++] = at;
                }
                i = j;
            }
            for (int g = wordMin; g <= wordMax; g++)
                for (int t = 0; t + g <= n; t++)
                    add(MurmurHash3.hash(bytes, starts[t], ends[t + g - 1] - starts[t], 0));
        }

        /** Character n-grams of the text with whitespace runs made one space, as sklearn's 'char' analyzer. */
        private void chars(String text) {
            int len = text.length(), n = 0, at = 0;
            for (int i = 0; i < len; ) {
                int cp = text.codePointAt(i);
                int j = i + Character.charCount(cp);
                if (isSpace(cp) && j < len && isSpace(text.codePointAt(j))) { // a run of two or more: one space
                    while (j < len && isSpace(text.codePointAt(j))) j += Character.charCount(text.codePointAt(j));
                    cp = ' ';
                }
                if (n + 1 >= starts.length) {
                    starts = Arrays.copyOf(starts, 2 * (n + 1));
                    ends = Arrays.copyOf(ends, 2 * (n + 1));
                }
                starts[n] = at;
                at = put(at, cp);
                ends[n++] = at;
                i = j;
            }
            for (int g = charMin; g <= charMax; g++)
                for (int t = 0; t + g <= n; t++)
                    add(MurmurHash3.hash(bytes, starts[t], ends[t + g - 1] - starts[t], 0));
        }

        /** Appends the UTF-8 bytes of code point cp at {@code at}; returns the new end. */
        private int put(int at, int cp) {
            if (at + 4 > bytes.length) bytes = Arrays.copyOf(bytes, 2 * bytes.length);
            if (cp < 0x80) bytes[at++] = (byte) cp;
            else if (cp < 0x800) {
                bytes[at++] = (byte) (0xC0 | cp >> 6);
                bytes[at++] = (byte) (0x80 | cp & 0x3F);
            } else if (cp < 0x10000) {
                if (Character.isSurrogate((char) cp)) cp = '?'; // a lone surrogate: not from valid UTF-8
                bytes[at++] = (byte) (0xE0 | cp >> 12);
                bytes[at++] = (byte) (0x80 | cp >> 6 & 0x3F);
                bytes[at++] = (byte) (0x80 | cp & 0x3F);
            } else {
                bytes[at++] = (byte) (0xF0 | cp >> 18);
                bytes[at++] = (byte) (0x80 | cp >> 12 & 0x3F);
                bytes[at++] = (byte) (0x80 | cp >> 6 & 0x3F);
                bytes[at++] = (byte) (0x80 | cp & 0x3F);
            }
            return at;
        }

        /** Counts hash h in its column, as sklearn's {@code _hashing_fast}. */
        private void add(int h) {
            int column = h == Integer.MIN_VALUE
                    ? (Integer.MAX_VALUE - (dimension - 1)) % dimension
                    : Math.abs(h) % dimension;
            if (acc[column] == 0) {
                if (touchedCount == touched.length) touched = Arrays.copyOf(touched, 2 * touchedCount);
                touched[touchedCount++] = column;
            }
            acc[column] += alternateSign && h < 0 ? -1f : 1f;
        }

        /** The touched columns in order with their normalised non-zero counts; clears the accumulator. */
        private Row emit() {
            Arrays.sort(touched, 0, touchedCount);
            int n = 0;
            double sum = 0;
            for (int i = 0; i < touchedCount; i++) {
                int c = touched[i];
                if ((i > 0 && c == touched[i - 1]) || acc[c] == 0) continue;
                touched[n++] = c;
                double v = acc[c];
                sum += norm == Norm.L2 ? v * v : Math.abs(v);
            }
            double scale = norm == Norm.NONE || sum == 0 ? 1 : norm == Norm.L2 ? 1 / Math.sqrt(sum) : 1 / sum;
            int[] cols = Arrays.copyOf(touched, n);
            float[] vals = new float[n];
            for (int i = 0; i < n; i++) vals[i] = (float) (acc[cols[i]] * scale);
            for (int i = 0; i < touchedCount; i++) acc[touched[i]] = 0;
            for (int c : cols) acc[c] = 0;
            return new Row(cols, vals);
        }
    }
}
