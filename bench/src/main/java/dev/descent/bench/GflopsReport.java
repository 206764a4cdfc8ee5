package dev.descent.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs benchmarks with JMH's usual command-line options and prints, for each, the median time per
 * operation and the rate it gives: GFLOP/s for matrix products, GB/s of memory traffic for the
 * optimizer updates ({@link OptimizerBench}), samples/s for {@link TrainingStepBench} and
 * {@link ConvBench}. With no
 * benchmark pattern it runs {@link DenseLayerBench} and {@link SquareMatmulBench}.
 */
public final class GflopsReport {

    private GflopsReport() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli);
        if (cli.getIncludes().isEmpty())
            builder.include(DenseLayerBench.class.getSimpleName()).include(SquareMatmulBench.class.getSimpleName());
        Options options = builder.build();
        Collection<RunResult> results = new Runner(options).run();

        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-34s %-44s %12s %14s", "benchmark", "params", "median", "rate"));
        for (RunResult r : results) {
            BenchmarkParams p = r.getParams();
            String bench = p.getBenchmark().replaceFirst("^.*\\.(\\w+\\.\\w+)$", "$1");
            double flops = flops(p);
            double median = r.getPrimaryResult().getStatistics().getPercentile(50);
            double seconds = median * secondsPer(r.getPrimaryResult().getScoreUnit());
            StringBuilder params = new StringBuilder();
            for (String k : p.getParamsKeys())
                params.append(k).append('=').append(p.getParam(k)).append(' ');
            lines.add(String.format(
                    Locale.ROOT,
                    "%-34s %-44s %9.1f %s %14s",
                    bench,
                    params.toString().trim(),
                    median,
                    r.getPrimaryResult().getScoreUnit(),
                    rate(p, seconds)));
        }
        System.out.println();
        lines.forEach(System.out::println);
    }

    /** What one operation achieves per second, with its unit; "-" if unknown. */
    static String rate(BenchmarkParams p, double seconds) {
        String b = p.getBenchmark();
        double flops = flops(p);
        if (flops > 0) return String.format(Locale.ROOT, "%.1f GFLOP/s", flops / seconds / 1e9);
        if (b.contains("OptimizerBench")) {
            double n = Integer.parseInt(p.getParam("n"));
            double bytesPerFloat = b.endsWith("axpy") ? 12 : 20;
            return String.format(Locale.ROOT, "%.1f GB/s", n * bytesPerFloat / seconds / 1e9);
        }
        if (b.contains("TrainingStepBench") || b.contains("ConvBench"))
            return String.format(Locale.ROOT, "%.0f samples/s", Integer.parseInt(p.getParam("batch")) / seconds);
        return "-";
    }

    /** Floating-point operations of one call, from the benchmark's parameters; 0 if unknown. */
    static double flops(BenchmarkParams p) {
        String b = p.getBenchmark();
        if (b.contains("DenseLayerBench")) {
            String[] io = p.getParam("layer").split("x");
            return 2.0 * Integer.parseInt(p.getParam("batch")) * Integer.parseInt(io[0]) * Integer.parseInt(io[1]);
        }
        if (b.contains("SquareMatmulBench")) {
            double n = Integer.parseInt(p.getParam("size"));
            return 2 * n * n * n;
        }
        return 0;
    }

    private static double secondsPer(String unit) {
        String u = unit.substring(0, unit.indexOf('/'));
        TimeUnit t =
                switch (u) {
                    case "ns" -> TimeUnit.NANOSECONDS;
                    case "us" -> TimeUnit.MICROSECONDS;
                    case "ms" -> TimeUnit.MILLISECONDS;
                    case "s" -> TimeUnit.SECONDS;
                    default -> throw new IllegalArgumentException("unexpected unit " + unit);
                };
        return t.toNanos(1) / 1e9;
    }
}
