package dev.descent.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;

/**
 * {@link StepPartsBench}'s parts timed round-robin in one JVM, for a machine shared with other work:
 * every round times each part on each backend once (after the JIT has compiled them all), so
 * background load falls on all of them alike, and the medians over the rounds give each part's µs
 * and its share of the step. The same parts, sizes and data as the JMH benchmark; JMH's forks
 * time one part at a time, minutes apart, which a busy machine skews.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp "bench/target/classes:bench/target/lib/*" \
 *     dev.descent.bench.StepPartsReport [backends=simd-1,simd-2] [rounds=200] [warmup=0.5] [ms=1] \
 *     [only=step,products,...]
 * </pre>
 *
 * <p>{@code warmup} is the seconds each part runs before the rounds, {@code ms} the length of one
 * timed repetition, {@code only} keeps the named parts. A short run measures code the JIT has not
 * finished compiling: with {@code only=step,products rounds=40} (80 ms of rounds) the step took
 * 1.3–1.9 ms, with {@code rounds=1000} 320 µs. Each 1 ms repetition starts on caches the other
 * parts have just used, so "step − products" here is larger than in the step itself: {@link
 * StepPartsTimeline} times the step's phases in place.
 */
public final class StepPartsReport {

    private StepPartsReport() {}

    /** Sum of every part's results, so the JIT cannot drop a call. */
    static double sink;

    public static void main(String[] args) {
        String[] backends = {"simd-1", "simd-2"};
        int rounds = 200;
        long repNanos = 1_000_000L;
        List<String> only = null;
        long warmNanos = 500_000_000L;
        for (String a : args) {
            if (a.startsWith("backends=")) backends = a.substring(9).split(",");
            else if (a.startsWith("rounds=")) rounds = Integer.parseInt(a.substring(7));
            else if (a.startsWith("warmup=")) warmNanos = (long) (Double.parseDouble(a.substring(7)) * 1e9);
            else if (a.startsWith("only=")) only = List.of(a.substring(5).split(","));
            else if (a.startsWith("ms=")) repNanos = (long) (Double.parseDouble(a.substring(3)) * 1e6);
            else
                throw new IllegalArgumentException(
                        "unknown argument '" + a + "' (backends=..., rounds=N, warmup=S, ms=M, only=part,...)");
        }
        List<String> names = new ArrayList<>(List.of("step", "products"));
        names.addAll(StepPartsBench.PARTS);
        if (only != null) {
            for (String o : only)
                if (!names.contains(o))
                    throw new IllegalArgumentException("only=: unknown part '" + o + "' (parts: " + names + ")");
            names.retainAll(only);
        }
        List<Map<String, DoubleSupplier>> parts = new ArrayList<>();
        for (String b : backends) parts.add(parts(b));

        long[][] reps = new long[backends.length][names.size()];
        // warm up each part (0.5 s unless warmup=), and size every part's reps to ~1 ms (ms=)
        for (int i = 0; i < backends.length; i++)
            for (int j = 0; j < names.size(); j++) {
                DoubleSupplier part = parts.get(i).get(names.get(j));
                long t0 = System.nanoTime(), calls = 0;
                while (System.nanoTime() - t0 < warmNanos) {
                    sink += part.getAsDouble();
                    calls++;
                }
                reps[i][j] = Math.max(1, calls * repNanos / (System.nanoTime() - t0));
            }
        double[][][] us = new double[backends.length][names.size()][rounds];
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < backends.length; i++)
                for (int j = 0; j < names.size(); j++) {
                    DoubleSupplier part = parts.get(i).get(names.get(j));
                    long n = reps[i][j], t0 = System.nanoTime();
                    for (long k = 0; k < n; k++) sink += part.getAsDouble();
                    us[i][j][r] = (System.nanoTime() - t0) / 1e3 / n;
                }
        System.out.printf("rounds %d, median µs per call (sink %s)%n", rounds, sink != 0 ? "ok" : "0");
        for (int i = 0; i < backends.length; i++) {
            Map<String, Double> medians = new LinkedHashMap<>();
            for (int j = 0; j < names.size(); j++) medians.put(names.get(j), median(us[i][j]));
            StepPartsBench.summary(backends[i], medians).forEach(System.out::println);
        }
    }

    /** The benchmark's parts on one backend, by name. */
    private static Map<String, DoubleSupplier> parts(String backend) {
        StepPartsBench b = new StepPartsBench();
        b.backend = backend;
        b.setUp();
        Map<String, DoubleSupplier> m = new LinkedHashMap<>();
        m.put("step", b::step);
        m.put("products", () -> b.products()[0]);
        m.put("gather", () -> b.gather().rows());
        m.put("biasRelu", () -> b.biasRelu()[0]);
        m.put("softmaxCrossEntropy", b::softmaxCrossEntropy);
        m.put("reluBackward", () -> b.reluBackward()[0]);
        m.put("biasGradients", () -> b.biasGradients()[0]);
        m.put("update", () -> b.update()[0]);
        m.put("bookkeeping", b::bookkeeping);
        return m;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }
}
