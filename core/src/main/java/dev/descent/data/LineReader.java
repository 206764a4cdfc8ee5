package dev.descent.data;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The text loaders' shared plumbing: reads a file line by line, keeps the line number, parses
 * numbers strictly and builds {@link DataFormatException}s that point at the current line.
 */
final class LineReader implements Closeable {

    /** Largest float array the JVM can allocate. */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    final Path file;
    private final BufferedReader in;
    private long line;

    private LineReader(Path file, BufferedReader in) {
        this.file = file;
        this.in = in;
    }

    /**
     * Opens a UTF-8 text file, decompressing it if it is gzip ({@link Gzip}); malformed bytes become
     * U+FFFD and then fail as bad numbers.
     */
    static LineReader open(Path file) {
        try {
            return new LineReader(
                    file, new BufferedReader(new InputStreamReader(Gzip.open(file), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    /** The error for a file that cannot be read at all; its message names the path. */
    static UncheckedIOException cannotRead(Path file, IOException e) {
        String why = e instanceof NoSuchFileException ? "no such file" : e.toString();
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
                s = in.readLine();
                line++;
            } while (s != null && s.isBlank());
            return s;
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
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
