package dev.descent.cli;

import dev.descent.backend.Backend;
import dev.descent.backend.Backends;
import dev.descent.reference.CaseResult;
import dev.descent.reference.ReferenceRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code descent reference DIR [--backend B]}: runs every reference case in DIR. */
@Command(
        name = "reference",
        mixinStandardHelpOptions = true,
        description = {
            "Runs every case of every reference JSON file in DIR (PyTorch's numbers: optimizers, losses,"
                    + " MLP gradients, schedules, clipping) and prints one line per case and 'N passed, M failed'.",
            "Exits 1 if any case fails or is unsupported."
        })
final class ReferenceCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "DIR",
            description = "Folder or single file of reference JSON (e.g. ../shared/reference).")
    Path dir;

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
        if (!Files.exists(dir)) throw new IllegalArgumentException("no such file or directory: " + dir);
        List<CaseResult> results = Files.isDirectory(dir) ? runner.runDirectory(dir) : runner.runFile(dir);
        int failed = ReferenceRunner.report(results, b, System.out);
        return failed == 0 && !results.isEmpty() ? 0 : 1;
    }
}
