package dev.descent.cli;

import dev.descent.examples.BatchSizeExample;
import dev.descent.examples.CommonOptions;
import dev.descent.examples.GdVsSgdExample;
import dev.descent.examples.GradientNoiseExample;
import dev.descent.examples.LinearRegressionExample;
import dev.descent.examples.LinearScalingExample;
import dev.descent.examples.LocalMinimaExample;
import dev.descent.examples.LrFinderExample;
import dev.descent.examples.MnistExample;
import dev.descent.examples.SchedulesExample;
import dev.descent.examples.TrajectoriesExample;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code descent} command line: one subcommand per job. */
@Command(
        name = "descent",
        mixinStandardHelpOptions = true,
        version = "descent 0.1.0",
        description = "Stochastic gradient descent on the JVM: examples, benchmarks and conformance checks.",
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
            LrFinderExample.class,
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

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler(Main::reportError)
                .setExecutionStrategy(Main::execute)
                .execute(args);
    }

    /** Runs the subcommand after refusing the shared options it does not use. */
    private static int execute(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand())
            for (CommandLine.Model.CommandSpec mixin : p.commandSpec().mixins().values())
                if (mixin.userObject() instanceof CommonOptions common)
                    common.rejectUnused(p.commandSpec().commandLine());
        return new CommandLine.RunLast().execute(parsed);
    }

    /** A user error (bad option value, unreadable or malformed data) is one line, not a stack trace. */
    private static int reportError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) throws Exception {
        if (e instanceof IllegalArgumentException || e instanceof UncheckedIOException) {
            cmd.getErr().println(cmd.getColorScheme().errorText(cmd.getCommandName() + ": " + e.getMessage()));
            return 2;
        }
        throw e;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
