package dev.descent.cli;

import dev.descent.checkpoint.CheckpointException;
import dev.descent.data.DataFormatException;
import dev.descent.examples.AveragingExample;
import dev.descent.examples.BatchSizeExample;
import dev.descent.examples.CnnExample;
import dev.descent.examples.CommonOptions;
import dev.descent.examples.GdVsSgdExample;
import dev.descent.examples.GradientNoiseExample;
import dev.descent.examples.LinearRegressionExample;
import dev.descent.examples.LinearScalingExample;
import dev.descent.examples.LocalMinimaExample;
import dev.descent.examples.LrFinderExample;
import dev.descent.examples.MnistExample;
import dev.descent.examples.OutOfCoreExample;
import dev.descent.examples.SchedulesExample;
import dev.descent.examples.SpamExample;
import dev.descent.examples.SparkBenchCommand;
import dev.descent.examples.SparkMnistExample;
import dev.descent.examples.TrajectoriesExample;
import dev.descent.train.TrainingDivergedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code descent} command line: one subcommand per job. */
@Command(
        name = "descent",
        mixinStandardHelpOptions = true,
        version = "descent 0.1.0",
        description = "Stochastic gradient descent on the JVM: examples, benchmarks and conformance checks.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done",
            "1:the command ran and reports a failure (e.g. a reference case failed)",
            "2:a bad option or option value (the message names it)",
            "3:a data file is malformed or too large for the heap (file, line or byte, value)",
            "4:a file cannot be read or written (missing, no permission, disk full, bad checkpoint)",
            "5:training diverged (NaN/Inf or exploding loss; lower --lr)",
            "6:out of memory (raise the heap: DESCENT_JAVA_OPTS=-Xmx8g)",
            "70:an internal error, a bug in Descent (printed with its stack trace: please report it)"
        },
        subcommands = {
            ReferenceCommand.class,
            DevicesCommand.class,
            BenchCommand.class,
            TrajectoriesExample.class,
            LocalMinimaExample.class,
            GradientNoiseExample.class,
            SchedulesExample.class,
            LinearRegressionExample.class,
            BatchSizeExample.class,
            GdVsSgdExample.class,
            LinearScalingExample.class,
            MnistExample.class,
            CnnExample.class,
            LrFinderExample.class,
            AveragingExample.class,
            SpamExample.class,
            OutOfCoreExample.class,
            SparkMnistExample.class,
            SparkBenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // log records (e.g. "descent: backend auto -> simd (...)") as one plain line each
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null)
            System.setProperty("java.util.logging.SimpleFormatter.format", "%5$s%6$s%n");
        System.exit(run(args));
    }

    /** Exit codes, one per kind of failure (listed by {@code descent --help} and in the README). */
    public static final int OK = 0,
            FAILED = 1,
            USAGE = 2,
            BAD_DATA = 3,
            IO = 4,
            DIVERGED = 5,
            OUT_OF_MEMORY = 6,
            BUG = 70;

    /** Where to report a bug: printed before the stack trace of an internal error. */
    static final String REPORT =
            "please report it as an issue of the Descent project, with the command line and" + " everything below";

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return commandLine(new Main()).execute(args);
    }

    /** A command line for {@code command} with Descent's error handling (exit codes, one-line messages). */
    static CommandLine commandLine(Object command) {
        return new CommandLine(command)
                .setParameterExceptionHandler(Main::reportUsage)
                .setExecutionExceptionHandler(Main::reportError)
                .setExecutionStrategy(Main::execute);
    }

    /**
     * Runs the subcommand after refusing the shared options it does not use. An {@link Error} (picocli
     * passes only exceptions on) reaches {@link #reportError} wrapped, so that it is classified there.
     */
    private static int execute(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand())
            for (CommandLine.Model.CommandSpec mixin : p.commandSpec().mixins().values())
                if (mixin.userObject() instanceof CommonOptions common)
                    common.rejectUnused(p.commandSpec().commandLine());
        try {
            return new CommandLine.RunLast().execute(parsed);
        } catch (Error e) {
            CommandLine.ParseResult last = parsed;
            while (last.subcommand() != null) last = last.subcommand();
            throw new CommandLine.ExecutionException(last.commandSpec().commandLine(), e.toString(), e);
        }
    }

    /** A bad option or value: one line naming it (picocli's suggestion folded in), not the usage help. */
    private static int reportUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        String line = e.getMessage();
        if (e instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) line += "; did you mean " + String.join(" or ", suggestions) + "?";
        }
        if (!line.contains("--help")) line += " (see " + cmd.getCommandSpec().qualifiedName() + " --help)";
        cmd.getErr().println(cmd.getColorScheme().errorText(cmd.getCommandSpec().qualifiedName() + ": " + line));
        return USAGE;
    }

    /**
     * The one place where a failure becomes an exit code: anything a user can cause (an option value,
     * a data file, a missing or full disk, a diverging run, a heap too small) is one line on stderr
     * and its own exit code; anything else is a bug in Descent and is printed with its stack trace
     * after a line saying so.
     */
    private static int reportError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        String name = cmd.getCommandSpec().qualifiedName();
        Throwable t = e instanceof CommandLine.ExecutionException && e.getCause() != null ? e.getCause() : e;
        int code = exitCode(t);
        if (code == BUG) {
            cmd.getErr().println(name + ": internal error, a bug in Descent: " + REPORT);
            t.printStackTrace(cmd.getErr());
        } else {
            cmd.getErr().println(cmd.getColorScheme().errorText(name + ": " + message(t, code)));
        }
        return code;
    }

    /** The exit code of a failure (see {@link #OK} ...); {@link #BUG} for anything no user can cause. */
    static int exitCode(Throwable t) {
        if (t instanceof OutOfMemoryError) return OUT_OF_MEMORY;
        if (t instanceof TrainingDivergedException) return DIVERGED;
        if (t instanceof DataFormatException) return BAD_DATA;
        if (t instanceof UncheckedIOException u && u.getCause() instanceof CheckpointException) return IO;
        if (t instanceof IllegalArgumentException) return USAGE; // a spec or option value, named in the message
        if (t instanceof UncheckedIOException || t instanceof IOException) return IO;
        return BUG;
    }

    private static String message(Throwable t, int code) {
        if (code == OUT_OF_MEMORY)
            return "out of memory (" + t.getMessage() + "); raise the heap, e.g. DESCENT_JAVA_OPTS=-Xmx"
                    + Math.max(2, 2 * Runtime.getRuntime().maxMemory() >> 30) + "g ./descent ...";
        String m = t instanceof IOException io ? describe(io) : t.getMessage();
        if (m == null || m.isBlank()) m = t.toString();
        return m.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** A JDK I/O exception as "what: file": its message alone is sometimes only the path. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException f) return "no such file: " + f.getFile();
        if (e instanceof AccessDeniedException f) return "permission denied: " + f.getFile();
        if (e instanceof FileAlreadyExistsException f) return "already exists: " + f.getFile();
        if (e instanceof NotDirectoryException f) return "not a folder: " + f.getFile();
        return e.getMessage();
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
