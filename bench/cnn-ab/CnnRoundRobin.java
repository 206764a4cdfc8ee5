import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Round-robin A/B of the CNN's training step in one JVM: builds of core given as class directories
 * (the base, the new build, the base again as the A/A control), each behind a class loader of its
 * own with {@link CnnStep}, timed in turn, 20 steps a round (the system property {@code ab.steps})
 * after 15 warm-up rounds. Prints each build's median µs per step and the per-round ratios base ÷
 * build.
 *
 * <p>Usage: {@code CnnRoundRobin THREADS ROUNDS DATA HARNESS BUILD...}
 */
public final class CnnRoundRobin {
    private CnnRoundRobin() {}

    public static void main(String[] args) throws Exception {
        int threads = Integer.parseInt(args[0]), rounds = Integer.parseInt(args[1]);
        String data = args[2], harness = args[3];
        int builds = args.length - 4, perRound = Integer.getInteger("ab.steps", 20);
        Method[] steps = new Method[builds];
        for (int b = 0; b < builds; b++) {
            URL[] path = {Path.of(args[4 + b]).toUri().toURL(), Path.of(harness).toUri().toURL()};
            Class<?> c = new URLClassLoader(path, ClassLoader.getPlatformClassLoader()).loadClass("CnnStep");
            c.getMethod("open", int.class, String.class).invoke(null, threads, data);
            steps[b] = c.getMethod("steps", int.class);
        }
        double[][] us = new double[builds][rounds];
        for (int r = -15; r < rounds; r++)
            for (int b = 0; b < builds; b++) {
                double t = (double) steps[b].invoke(null, perRound);
                if (r >= 0) us[b][r] = t;
            }
        for (int b = 0; b < builds; b++) {
            double[] s = us[b].clone(), ratio = new double[rounds];
            Arrays.sort(s);
            for (int r = 0; r < rounds; r++) ratio[r] = us[0][r] / us[b][r];
            Arrays.sort(ratio);
            System.out.printf(
                    "%-10s %7.0f µs a step [%7.0f .. %7.0f], %6.0f samples/s; base ÷ this, per round: %.2f [%.2f .. %.2f]%n",
                    b == 0 ? "base" : b == builds - 1 && builds > 2 ? "base again" : "new",
                    s[rounds / 2], s[0], s[rounds - 1], 64e6 / s[rounds / 2],
                    ratio[rounds / 2], ratio[0], ratio[rounds - 1]);
        }
    }
}
