package dev.descent.data;

import java.nio.file.Path;

/**
 * A data file is malformed. Every loader in this package throws this one type for every problem
 * with a file's content; the message names the file, the place (line for text formats, byte offset
 * for binary ones) and what was expected versus what was found, e.g.
 *
 * <pre>
 * data/iris.csv:12: expected a number in column 3 (petal_length), found "1.2.3"
 * mnist/train-images.idx3-ubyte: byte 6272000: expected 16 + 8000×28×28 = 6272016 bytes as the
 *     header says, found 6272000 bytes
 * </pre>
 *
 * <p>A file that cannot be read at all (missing, no permission) is not malformed: loaders report
 * that as an {@link java.io.UncheckedIOException} whose message names the path.
 */
public final class DataFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;
    private static final int MAX_FOUND = 40;

    private final transient Path file;
    private final long line;
    private final long offset;

    private DataFormatException(Path file, long line, long offset, String where, String expected, String found) {
        super(file + where + ": expected " + expected + ", found " + found);
        this.file = file;
        this.line = line;
        this.offset = offset;
    }

    /** A problem on a 1-based line of a text file. */
    static DataFormatException atLine(Path file, long line, String expected, String found) {
        return new DataFormatException(file, line, -1, ":" + line, expected, found);
    }

    /** A problem at a 0-based byte offset of a binary file. */
    static DataFormatException atOffset(Path file, long offset, String expected, String found) {
        return new DataFormatException(file, -1, offset, ": byte " + offset, expected, found);
    }

    /** Quotes a piece of the file for a message: shortened if long, control characters escaped. */
    static String quote(String text) {
        StringBuilder s = new StringBuilder("\"");
        for (int i = 0; i < Math.min(text.length(), MAX_FOUND); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) s.append(String.format("\\u%04x", (int) c));
            else s.append(c);
        }
        return s.append(text.length() > MAX_FOUND ? "…\"" : "\"").toString();
    }

    /** The malformed file. */
    public Path file() {
        return file;
    }

    /** The 1-based line of a text file where the problem is, or -1 for a binary file. */
    public long line() {
        return line;
    }

    /** The 0-based byte offset of a binary file where the problem is, or -1 for a text file. */
    public long offset() {
        return offset;
    }
}
