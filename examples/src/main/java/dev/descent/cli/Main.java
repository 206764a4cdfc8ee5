package dev.descent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code descent} command line: one subcommand per job. */
@Command(
        name = "descent",
        mixinStandardHelpOptions = true,
        version = "descent 0.1.0",
        description = "Stochastic gradient descent on the JVM: examples, benchmarks and conformance checks.",
        subcommands = {ReferenceCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
