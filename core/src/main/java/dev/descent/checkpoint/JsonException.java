package dev.descent.checkpoint;

/**
 * Text is not valid JSON (RFC 8259) as {@link Json#parse} reads it. The message starts with the
 * 1-based {@code line:column} of the problem, then says what was expected and what was found, e.g.
 * {@code 3:14: expected ',' or '}' after an object member, found '"'}.
 */
public final class JsonException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    JsonException(int line, int column, String message) {
        super(line + ":" + column + ": " + message);
        this.line = line;
        this.column = column;
    }

    /** The 1-based line of the problem. */
    public int line() {
        return line;
    }

    /** The 1-based column (in UTF-16 chars) of the problem. */
    public int column() {
        return column;
    }
}
