package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.reference.CaseResult;
import dev.descent.reference.ReferenceRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code descent reference PATH... [--backend B]}: runs every reference case in the given folders and files. */
@Command(
        name = "reference",
        mixinStandardHelpOptions = true,
        description = {
            "Runs every case of every reference JSON file given (or in a given folder) (PyTorch's numbers: optimizers, losses,"
                    + " MLP gradients, schedules, clipping) and prints one line per case and 'N passed, M failed'.",
            "Exits 1 if any case fails or is unsupported."
        })
final class ReferenceCommand implements Callable<Integer> {

    @Parameters(
            arity = "1..*",
            paramLabel = "PATH",
            description = "Folders or single files of reference JSON (e.g. ../shared/reference).")
    List<Path> paths;

    @Option(
            names = "--backend",
            defaultValue = "simd",
            description = "scalar, simd, gpu, gpu-or-simd or auto (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(
            names = "--tolerance",
            defaultValue = "1e-5",
            description = "Largest relative error |a-b|/max(1,|b|) that passes (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Override
    public Integer call() {
        Backend b = Backends.byName(backend);
        ReferenceRunner runner = new ReferenceRunner(b, tolerance);
        List<CaseResult> results = new ArrayList<>();
        for (Path path : paths) {
            if (!Files.exists(path)) throw new IllegalArgumentException("no such file or directory: " + path);
            results.addAll(Files.isDirectory(path) ? runner.runDirectory(path) : runner.runFile(path));
        }
        int failed = ReferenceRunner.report(results, b, System.out);
        return failed == 0 && !results.isEmpty() ? 0 : 1;
    }
}
