package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.Shared;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Through the command line's entry point: every error a user can cause is one line on stderr (no
 * stack trace, no usage dump) and its own exit code; only a bug prints a trace, after a line saying so.
 */
class UserErrorsTest {

    @TempDir
    Path dir;

    /** The first line of a log record in the JDK's default format: "Dec 04, 2026 5:15:53 PM a.b.C method". */
    static final Pattern JDK_LOG_HEADER =
            Pattern.compile("[A-Z][a-z]{2} \\d{1,2}, \\d{4} \\d{1,2}:\\d{2}:\\d{2} [AP]M \\S+ \\S+");

    /** What one run of the command line printed and returned. */
    record Run(int code, String out, String err) {
        /**
         * The lines on stderr other than the JVM's and the backend's informational ones. Those are log
         * records: one line under {@code Main.main}'s format, two (date and source, then level and
         * message) under the JDK's default format, which a test JVM may have fixed before this test.
         */
        List<String> errorLines() {
            return err.lines()
                    .filter(l -> !l.contains("descent: backend ")
                            && !l.startsWith("WARNING: Using incubator")
                            && !JDK_LOG_HEADER.matcher(l).matches())
                    .toList();
        }

        /** Exit code {@code code}, and exactly one error line that contains {@code text}. */
        void failsWith(int code, String text) {
            assertEquals(code, this.code, "exit code; stderr: " + err);
            assertEquals(1, errorLines().size(), "one line on stderr: " + err);
            assertTrue(errorLines().get(0).contains(text), "expected '" + text + "' in: " + err);
            assertFalse(err.contains("\tat "), "no stack trace: " + err);
        }
    }

    static Run run(String... args) {
        return capture(() -> Main.run(args));
    }

    static Run capture(Callable<Integer> call) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out, oldErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = call.call();
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void divergenceIsOneLineAndExitCode5() {
        run("mnist", "--lr", "1e6", "--epochs", "1", "--limit", "512", "--no-progress", "--out", dir.toString())
                .failsWith(Main.DIVERGED, "descent mnist: training diverged at step ");
    }

    @Test
    void badOptionValuesAreOneLineWithoutTheUsage() {
        run("mnist", "--epochs", "abc").failsWith(Main.USAGE, "'abc' is not an int");
        run("mnist", "--epoch", "3").failsWith(Main.USAGE, "did you mean --epochs?");
        run("mnist", "--hidden", "0").failsWith(Main.USAGE, "descent mnist: --hidden must be >= 1, got 0");
        run("trajectories", "--epochs", "0", "--out", dir.toString())
                .failsWith(Main.USAGE, "descent trajectories: --epochs must be >= 1, got 0");
    }

    @Test
    void fileErrorsNameTheFile() throws Exception {
        Path missing = dir.resolve("missing.csv");
        run("schedules", "--data", missing.toString(), "--out", dir.toString())
                .failsWith(Main.IO, "cannot read " + missing + ": no such file");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "a,b,label\n1,2,0\n1,x,1\n");
        run("schedules", "--data", bad.toString(), "--out", dir.toString())
                .failsWith(Main.BAD_DATA, bad + ":3: expected a number in column 2 (b), found \"x\"");
        run("gradient-noise", "--data", Shared.data().resolve("digits.csv").toString(), "--label-column", "nope")
                .failsWith(Main.BAD_DATA, "expected a label column named \"nope\"");
    }

    @Test
    void aRunOfOneStepNamesTheOptionsToChange() {
        run("mnist", "--epochs", "1", "--batch-size", "8000", "--no-progress", "--out", dir.toString())
                .failsWith(
                        Main.USAGE,
                        "descent mnist: --epochs 1 with --batch-size 8000 on 8,000 training rows gives 1 optimizer"
                                + " step; the warmup + cosine schedule needs at least 2: raise --epochs or lower"
                                + " --batch-size");
        run("schedules", "--epochs", "1", "--batch-size", "456", "--out", dir.toString())
                .failsWith(Main.USAGE, "gives 1 optimizer step; drawing every schedule over the run needs at least 2");
        run("schedules", "--epochs", "2000000000", "--batch-size", "1", "--out", dir.toString())
                .failsWith(Main.USAGE, "lower --epochs or raise --batch-size");
    }

    @Test
    void dataOptionsThatDoNotApplyToTheFormatAreRefused() {
        String svm = Shared.data().resolve("breast_cancer.libsvm").toString();
        String csv = Shared.data().resolve("breast_cancer.csv").toString();
        run("schedules", "--data", svm, "--label-column", "0", "--out", dir.toString())
                .failsWith(Main.USAGE, "--label-column applies to CSV files only; " + svm + " is read as LIBSVM");
        run("schedules", "--data", csv, "--labels", csv, "--out", dir.toString())
                .failsWith(Main.USAGE, "--labels applies to an IDX images file only; " + csv + " is read as CSV");
        run("mnist", "--data", Shared.data().resolve("mnist10k").toString(), "--label-column", "3")
                .failsWith(Main.USAGE, "--label-column applies to CSV files only");
        run("schedules", "--data", csv, "--format", "parquet")
                .failsWith(Main.USAGE, "--format must be csv, libsvm or idx");
    }

    @Command(name = "thrower")
    static final class Thrower implements Callable<Integer> {
        final Throwable toThrow;

        Thrower(Throwable toThrow) {
            this.toThrow = toThrow;
        }

        @Override
        public Integer call() throws Exception {
            if (toThrow instanceof Exception e) throw e;
            throw (Error) toThrow;
        }
    }

    private Run thrown(Throwable t) {
        return capture(() -> Main.commandLine(new Thrower(t)).execute());
    }

    @Test
    void onlyABugPrintsATraceAndSaysWhereToReportIt() {
        Run bug = thrown(new NullPointerException("x is null"));
        assertEquals(Main.BUG, bug.code());
        assertTrue(bug.err().startsWith("thrower: internal error, a bug in Descent: please report it"), bug.err());
        assertTrue(bug.err().contains("java.lang.NullPointerException: x is null\n\tat "), bug.err());

        thrown(new OutOfMemoryError("Java heap space"))
                .failsWith(Main.OUT_OF_MEMORY, "thrower: out of memory (Java heap space); raise the heap");
        thrown(new java.io.UncheckedIOException(new java.io.IOException("No space left on device")))
                .failsWith(Main.IO, "thrower: java.io.IOException: No space left on device");
        thrown(new java.nio.file.NoSuchFileException("/x/y")).failsWith(Main.IO, "thrower: no such file: /x/y");
        thrown(new IllegalArgumentException("batchSize must be > 0, got 0\n(second line)"))
                .failsWith(Main.USAGE, "thrower: batchSize must be > 0, got 0 (second line)");
    }

    @Test
    void exitCodesAreListedInTheHelp() {
        Run help = run("--help");
        assertEquals(0, help.code());
        for (String line :
                new String[] {"Exit codes:", "3    a data file", "5    training diverged", "70   an internal"})
            assertTrue(help.out().contains(line), line + " missing from --help: " + help.out());
        assertEquals(CommandLine.ExitCode.USAGE, Main.USAGE); // picocli's own code for a bad option
    }
}
