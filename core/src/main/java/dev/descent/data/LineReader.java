package dev.descent.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The text loaders' shared plumbing: reads a file line by line (a UTF-8 byte-order mark at its
 * start skipped; lines end with LF, CRLF or CR), keeps the line number, parses numbers strictly,
 * bounds what a file can make it hold (a line's length, the rows read so far: {@link #checkHeld})
 * and builds {@link DataFormatException}s that point at the current line.
 */
final class LineReader implements Closeable {

    /** Overrides {@link #maxLineChars()}, e.g. for tests. */
    static final String MAX_LINE_PROPERTY = "descent.data.maxLineChars";

    private static final char BOM = '\uFEFF';

    final Path file;
    private final Reader in;
    private final int maxLine = maxLineChars();
    private final char[] buf = new char[1 << 16];
    private int pos, len;
    private boolean started, skipLf;
    private long line;

    /**
     * What a strict text reader's decoder puts for bytes that are not UTF-8: a lone low surrogate,
     * which decoding valid UTF-8 never yields, so {@link #nextText} can tell it from real text.
     */
    private static final char MALFORMED = '\uDFFF';

    private final boolean strict;

    private LineReader(Path file, Reader in) {
        this(file, in, false);
    }

    private LineReader(Path file, Reader in, boolean strict) {
        this.file = file;
        this.in = in;
        this.strict = strict;
    }

    /**
     * Opens a UTF-8 text file (gzip or not) for {@link #nextText}: bytes that are not UTF-8 fail
     * there, naming the line, instead of becoming U+FFFD.
     */
    static LineReader openText(Path file) {
        try {
            var decoder = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPLACE)
                    .replaceWith(String.valueOf(MALFORMED));
            return new LineReader(file, new InputStreamReader(Gzip.open(file), decoder), true);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /**
     * The next line, blank or not, without its terminator, or null at the end of the file. From
     * {@link #openText}: a line with bytes that are not UTF-8 or with a NUL character (binary data)
     * is a {@link DataFormatException} naming file and line.
     */
    String nextText() {
        try {
            line++;
            String s = readLine();
            if (s == null || !strict) return s;
            for (int i = s.indexOf(MALFORMED); i >= 0; i = s.indexOf(MALFORMED, i + 1))
                if (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))
                    throw error("UTF-8 text", "bytes that are not UTF-8 at character " + (i + 1) + " (binary data?)");
            int nul = s.indexOf('\0');
            if (nul >= 0) throw error("text", "a NUL character at character " + (nul + 1) + " (binary data?)");
            return s;
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /**
     * The longest line a text file may have: 1/16 of the heap limit in characters (a line is held as
     * a string, its fields split out, while the rows so far are kept), at most {@link Sizes#MAX_ARRAY}.
     * A file of 10 GB without a line break is refused after this many characters, not read into one
     * string.
     */
    static int maxLineChars() {
        String p = System.getProperty(MAX_LINE_PROPERTY);
        long v = p != null ? Long.parseLong(p.strip()) : Sizes.heapLimit() / 16;
        return (int) Math.max(1, Math.min(Sizes.MAX_ARRAY, v));
    }

    /**
     * Opens a UTF-8 text file, decompressing it if it is gzip ({@link Gzip}); malformed bytes become
     * U+FFFD and then fail as bad numbers.
     */
    static LineReader open(Path file) {
        try {
            return new LineReader(file, new InputStreamReader(Gzip.open(file), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /**
     * {@link #open} for a streaming reader ({@link SparseStream}): no decompression limit, since what it
     * holds does not grow with the file.
     */
    static LineReader openStreaming(Path file) {
        try {
            return new LineReader(file, new InputStreamReader(Gzip.open(file, Long.MAX_VALUE), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** The error for a file that cannot be read at all; its message names the path. */
    static UncheckedIOException cannotRead(Path file, IOException e) {
        String why = e instanceof NoSuchFileException
                ? "no such file"
                : e instanceof java.io.EOFException
                        ? "the file ends early (a truncated gzip stream?): " + e.getMessage()
                        : e instanceof AccessDeniedException
                                ? "permission denied"
                                : e.getMessage() != null ? e.getMessage() : e.toString();
        return new UncheckedIOException("cannot read " + file + ": " + why, e);
    }

    /** The file's name, used as the data set's name. */
    static String nameOf(Path file) {
        Path name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }

    /** The next line that is not blank, without its terminator, or null at the end of the file. */
    String next() {
        try {
            String s;
            do {
                line++;
                s = readLine();
            } while (s != null && s.isBlank());
            return s;
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** The next line without its terminator, or null at the end; refuses one longer than {@link #maxLine}. */
    private String readLine() throws IOException {
        StringBuilder long_ = null;
        while (true) {
            if (pos == len && !fill()) return long_ == null ? null : long_.toString();
            if (skipLf) {
                skipLf = false;
                if (buf[pos] == '\n' && ++pos == len) continue;
            }
            int start = pos;
            while (pos < len && buf[pos] != '\n' && buf[pos] != '\r') pos++;
            int n = pos - start, held = long_ == null ? 0 : long_.length();
            if ((long) held + n > maxLine)
                throw error(
                        String.format(
                                Locale.ROOT,
                                "a line of at most %,d characters (1/16 of the heap limit; %s changes it)",
                                maxLine,
                                MAX_LINE_PROPERTY),
                        "a longer one");
            if (pos < len) { // a terminator
                skipLf = buf[pos++] == '\r';
                return long_ == null
                        ? new String(buf, start, n)
                        : long_.append(buf, start, n).toString();
            }
            if (long_ == null) long_ = new StringBuilder();
            long_.append(buf, start, n);
        }
    }

    /** Reads the next chunk; skips a byte-order mark at the start of the file. False at the end. */
    private boolean fill() throws IOException {
        int n;
        do n = in.read(buf, 0, buf.length);
        while (n == 0);
        pos = 0;
        len = Math.max(n, 0);
        if (!started && len > 0) {
            started = true;
            if (buf[0] == BOM) pos = 1;
        }
        return pos < len || (len > 0 && fill());
    }

    /**
     * Refuses, at the current line, to go on when what the file has made this loader hold so far —
     * {@code heldBytes} of parsed rows, plus {@code values} floats of the data set it will build,
     * held {@link Sizes#DATA_COPIES} times — does not fit in the heap.
     *
     * @param shape what has been read, for the message, e.g. "1,000,000 rows × 30 features"
     */
    void checkHeld(long heldBytes, long values, String shape) {
        String why = Sizes.arrayProblem(values);
        if (why == null)
            why = Sizes.heapProblem(
                    Sizes.saturatedMultiply(values, (long) Float.BYTES * Sizes.DATA_COPIES) + heldBytes);
        if (why != null)
            throw error(
                    "data that fits in this JVM (" + Sizes.DATA_COPIES
                            + " copies of every value: loaded, split, standardised)",
                    shape + " by this line, which " + why);
    }

    /** The 1-based number of the line {@link #next} returned last (one past the end after null). */
    long line() {
        return line;
    }

    /** An error on the current line. */
    DataFormatException error(String expected, String found) {
        return DataFormatException.atLine(file, line, expected, found);
    }

    /**
     * Parses a finite decimal float ({@code [+-]digits[.digits][(e|E)[+-]digits]}, surrounding blanks
     * allowed); {@code what} says in the message what the token is, e.g. "a number in column 3".
     */
    float number(String token, String what) {
        String t = token.strip();
        if (!isDecimal(t)) throw error(what, t.isEmpty() ? "nothing" : DataFormatException.quote(t));
        float v = Float.parseFloat(t);
        if (!Float.isFinite(v)) throw error(what + " within float range", DataFormatException.quote(t));
        return v;
    }

    /** Parses an integer in {@code [1, Integer.MAX_VALUE]} written as plain digits. */
    int positiveInt(String token, String what) {
        long v = 0;
        boolean ok = !token.isEmpty() && token.length() <= 10;
        for (int i = 0; ok && i < token.length(); i++) {
            char c = token.charAt(i);
            ok = c >= '0' && c <= '9';
            v = v * 10 + (c - '0');
        }
        if (!ok || v < 1 || v > Integer.MAX_VALUE)
            throw error(what + " (an integer in [1, 2147483647])", DataFormatException.quote(token));
        return (int) v;
    }

    private static boolean isDecimal(String t) {
        int i = 0, n = t.length();
        if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) i++;
        int digits = 0;
        for (; i < n && isDigit(t.charAt(i)); i++) digits++;
        if (i < n && t.charAt(i) == '.') for (i++; i < n && isDigit(t.charAt(i)); i++) digits++;
        if (digits == 0) return false;
        if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
            i++;
            if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) i++;
            int exponentDigits = 0;
            for (; i < n && isDigit(t.charAt(i)); i++) exponentDigits++;
            if (exponentDigits == 0) return false;
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }
}
