import dev.descent.train.TrainingSession;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Would a data-parallel step scale on this machine? {@code ./descent cnn}'s training step (the first
 * 64 digits of MNIST-10k) as it runs today on 1 and 2 threads, against two sessions of 32 rows, one
 * per thread, stepping in lockstep: what splitting the batch into halves could give at most (the
 * gradients' sum not counted). Round-robin in one JVM, medians of the rounds.
 *
 * <pre>
 * javac --add-modules jdk.incubator.vector -cp core/target/classes -d /tmp/halves bench/cnn-ab/CnnStep.java bench/cnn-ab/CnnHalves.java
 * java --add-modules jdk.incubator.vector -cp /tmp/halves:core/target/classes CnnHalves ../shared/data/mnist10k 15
 * </pre>
 */
public final class CnnHalves {
    private CnnHalves() {}

    public static void main(String[] args) throws Exception {
        String data = args[0];
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15, steps = 20;
        float[] x = CnnStep.images(data, 64), y = CnnStep.labels(data, 64);
        float[] x2 = Arrays.copyOfRange(x, 32 * 784, 64 * 784), y2 = Arrays.copyOfRange(y, 32, 64);
        TrainingSession one = CnnStep.session(1), two = CnnStep.session(2);
        TrainingSession first = CnnStep.session(1), second = CnnStep.session(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        double[][] t = new double[4][rounds];
        for (int r = -10; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) step(one, x, y, 64);
            long t1 = System.nanoTime();
            for (int i = 0; i < steps; i++) step(two, x, y, 64);
            long t2 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                Future<?> f = other.submit(() -> step(second, x2, y2, 32));
                step(first, x, y, 32);
                f.get();
            }
            long t3 = System.nanoTime();
            for (int i = 0; i < steps; i++) step(first, x, y, 32);
            long t4 = System.nanoTime();
            if (r >= 0) {
                t[0][r] = (t1 - t0) / 1e3 / steps;
                t[1][r] = (t2 - t1) / 1e3 / steps;
                t[2][r] = (t3 - t2) / 1e3 / steps;
                t[3][r] = (t4 - t3) / 1e3 / steps;
            }
        }
        other.shutdown();
        String[] names = {"64 rows, 1 thread", "64 rows, 2 threads", "2 × 32 rows, a thread each", "32 rows, 1 thread"};
        double base = 64 / median(t[0]);
        for (int c = 0; c < 4; c++) {
            double m = median(t[c]), rate = (c == 3 ? 32 : 64) / m;
            System.out.printf("%-28s %7.0f µs a step %8.0f samples/s  %.2f× the first%n", names[c], m, rate * 1e6, rate / base);
        }
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) ratio[r] = t[0][r] / t[2][r];
        Arrays.sort(ratio);
        System.out.printf("halves ÷ 1 thread, per round: %.2f [%.2f .. %.2f]%n", ratio[rounds / 2], ratio[0], ratio[rounds - 1]);
    }

    private static void step(TrainingSession s, float[] x, float[] y, int rows) {
        s.accumulate(x, y, rows, 1f);
        s.step(0.01);
    }

    private static double median(double[] a) {
        double[] b = a.clone();
        Arrays.sort(b);
        return b[b.length / 2];
    }
}
