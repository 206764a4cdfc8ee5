package dev.descent.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 */
public final class CsvOut implements AutoCloseable {

    private final Path file;
    private final CSVPrinter printer;

    private CsvOut(Path file, CSVPrinter printer) {
        this.file = file;
        this.printer = printer;
    }

    /** Creates (or replaces) the file and writes the header. */
    public static CsvOut create(Path file, String... header) {
        try {
            Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
            CSVFormat format = CSVFormat.DEFAULT
                    .builder()
                    .setHeader(header)
                    .setRecordSeparator('\n')
                    .get();
            return new CsvOut(file, new CSVPrinter(w, format));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** One record; numbers are written in Java's shortest round-trip form. */
    public CsvOut row(Object... values) {
        try {
            printer.printRecord(values);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        try {
            printer.close(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
