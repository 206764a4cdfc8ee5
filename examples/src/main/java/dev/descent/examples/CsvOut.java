package dev.descent.examples;

import dev.descent.checkpoint.AtomicFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Writes an example's numbers as CSV (RFC 4180 through Apache Commons CSV: a header row, then one
 * record per row, fields quoted when needed). Use in try-with-resources:
 *
 * <pre>
 * try (CsvOut csv = CsvOut.create(dir.resolve("loss.csv"), "step", "loss")) {
 *     csv.row(0, 0.69);
 * }
 * </pre>
 *
 * The rows are collected in memory and written by {@link #close} in one atomic step ({@link
 * AtomicFiles}): a failure or a full disk leaves no truncated file and an earlier one as it was, and
 * says {@code "no space left on device: FILE"}.
 */
public final class CsvOut implements AutoCloseable {

    private final Path file;
    private final StringWriter text = new StringWriter();
    private final CSVPrinter printer;
    private final UnaryOperator<WritableByteChannel> wrap;
    private boolean closed;

    private CsvOut(Path file, CSVFormat format, UnaryOperator<WritableByteChannel> wrap) throws IOException {
        this.file = file;
        this.printer = new CSVPrinter(text, format);
        this.wrap = wrap;
    }

    /** Starts the file (written, or replaced, at {@link #close}) with its header. */
    public static CsvOut create(Path file, String... header) {
        return create(file, UnaryOperator.identity(), header);
    }

    /** {@link #create} with a hook around the output channel, for failure-injection tests. */
    static CsvOut create(Path file, UnaryOperator<WritableByteChannel> wrap, String... header) {
        CSVFormat format = CSVFormat.DEFAULT
                .builder()
                .setHeader(header)
                .setRecordSeparator('\n')
                .get();
        try {
            return new CsvOut(file, format, wrap);
        } catch (IOException e) {
            throw AtomicFiles.failure(file, e);
        }
    }

    /** One record; numbers are written in Java's shortest round-trip form. */
    public CsvOut row(Object... values) {
        try {
            printer.printRecord(values);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot format a row of " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Writes the file atomically. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        // the printer appends straight to the StringBuilder: nothing to flush
        AtomicFiles.writeBytes(file, text.toString().getBytes(StandardCharsets.UTF_8), wrap);
    }
}
