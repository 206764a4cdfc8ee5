package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds thousands of mutated and truncated versions of small pieces of the real files to every
 * loader: each must load a valid data set or throw {@link DataFormatException}; never another
 * exception, never a hang, never an out-of-memory error. Seeded, so a failure names a case that
 * reproduces.
 */
class LoaderFuzzTest {

    static final long SEED = 20_240_501L;
    static final int CASES_PER_SOURCE = 700;

    static final String TEXT_GARBAGE = ",:.-+eE0123456789 \t\n\r\"xNa";
    static final String[] HUGE_TEXT = {
        "2147483647",
        "2147483648",
        "4294967296",
        "99999999999999999999",
        "1e39",
        "-1e39",
        "1e-50",
        "-0",
        "0",
        "65536",
        "1048577",
        "16777216",
        "NaN",
        "-1",
        "",
        "3.5"
    };
    static final int[] HUGE_INTS = {
        0, 1, 2, 3, 4, -1, 28, 784, 1 << 20, 1 << 30, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x801, 0x802, 0x803, 0x903
    };

    @TempDir
    static Path dir;

    static Path validImages, validLabels;

    /** Every loader, under a name for the failure message. */
    static Map<String, Function<Path, Dataset>> loaders() {
        Map<String, Function<Path, Dataset>> m = new LinkedHashMap<>();
        m.put("Csv.load(f)", Csv::load);
        m.put("Csv.load(f, \"label\", regression)", f -> Csv.load(f, "label", Labels.regression()));
        m.put("Csv.load(f, 0, classification(10))", f -> Csv.load(f, 0, Labels.classification(10)));
        m.put("Libsvm.load(f, classification)", f -> Libsvm.load(f, Labels.classification()));
        m.put("Libsvm.load(f, regression, 30)", f -> Libsvm.load(f, Labels.regression(), 30));
        m.put("Idx.load(f, labels)", f -> Idx.load(f, validLabels));
        m.put("Idx.load(images, f)", f -> Idx.load(validImages, f));
        return m;
    }

    @TestFactory
    Stream<DynamicTest> everyLoaderLoadsOrThrowsDataFormatException() throws IOException {
        byte[][] mnist = IdxTest.firstMnist(3);
        validImages = Files.write(dir.resolve("valid-images"), mnist[0]);
        validLabels = Files.write(dir.resolve("valid-labels"), mnist[1]);
        Map<String, byte[]> sources = new LinkedHashMap<>();
        sources.put("breast_cancer.csv", firstLines("breast_cancer.csv", 12));
        sources.put("digits.csv", firstLines("digits.csv", 12));
        sources.put("breast_cancer.libsvm", firstLines("breast_cancer.libsvm", 12));
        sources.put("train-images (3)", mnist[0]);
        sources.put("train-labels (3)", mnist[1]);
        long seed = SEED;
        List<DynamicTest> tests = new ArrayList<>();
        for (var source : sources.entrySet()) {
            long sourceSeed = seed++;
            tests.add(DynamicTest.dynamicTest(
                    source.getKey(),
                    () -> assertTimeoutPreemptively(
                            Duration.ofSeconds(30), () -> fuzz(source.getKey(), source.getValue(), sourceSeed))));
        }
        return tests.stream();
    }

    private static void fuzz(String name, byte[] original, long seed) throws IOException {
        boolean text = !name.startsWith("train-");
        Map<String, Function<Path, Dataset>> loaders = loaders();
        Path file = dir.resolve("case-" + name.replace(' ', '_'));
        assertTrue(check(loaders.get(matchingLoader(name)), write(file, original), name + " unmutated"));
        int matchingLoads = 0, matchingErrors = 0;
        for (int c = 0; c < CASES_PER_SOURCE; c++) {
            SplittableRandom random = new SplittableRandom(seed * 1_000_003L + c);
            StringBuilder how = new StringBuilder();
            byte[] bytes = original;
            for (int m = 1 + random.nextInt(3); m > 0; m--) bytes = mutate(bytes, text, random, how);
            write(file, bytes);
            for (var loader : loaders.entrySet()) {
                String context = name + " case " + c + " (seed " + seed + "," + how + ") with " + loader.getKey();
                boolean loaded = check(loader.getValue(), file, context);
                if (loader.getKey().equals(matchingLoader(name))) {
                    if (loaded) matchingLoads++;
                    else matchingErrors++;
                }
            }
        }
        System.out.printf(
                "fuzz %-22s %d cases × %d loaders; its own loader: %d loaded, %d rejected%n",
                name, CASES_PER_SOURCE, loaders.size(), matchingLoads, matchingErrors);
        // both outcomes must occur, or the fuzz tests nothing (the 11-byte labels file rarely survives)
        assertTrue(matchingLoads > 0, name + ": no mutated file loaded");
        assertTrue(matchingErrors > CASES_PER_SOURCE / 2, name + ": only " + matchingErrors + " were rejected");
    }

    private static String matchingLoader(String source) {
        return source.endsWith(".csv")
                ? "Csv.load(f)"
                : source.endsWith(".libsvm")
                        ? "Libsvm.load(f, classification)"
                        : source.startsWith("train-images") ? "Idx.load(f, labels)" : "Idx.load(images, f)";
    }

    /** True if the loader returned a valid data set, false if it threw a well-formed DataFormatException. */
    private static boolean check(Function<Path, Dataset> loader, Path file, String context) {
        try {
            Dataset d = loader.apply(file);
            assertTrue(d.rows() > 0 && d.features() > 0, context);
            assertEquals((long) d.rows() * d.features(), d.x().length, context);
            return true;
        } catch (DataFormatException e) {
            String where = e.line() >= 1 ? ":" + e.line() + ": " : ": byte " + e.offset() + ": ";
            assertTrue(e.line() >= 1 ^ e.offset() >= 0, context + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith(e.file() + where + "expected "), context + ": " + e.getMessage());
            assertTrue(e.getMessage().contains(", found "), context + ": " + e.getMessage());
            return false;
        } catch (Throwable t) {
            return fail(context + " threw " + t, t);
        }
    }

    private static byte[] mutate(byte[] b, boolean text, SplittableRandom random, StringBuilder how) {
        int n = b.length, at = n == 0 ? 0 : random.nextInt(n);
        int kind = random.nextInt(9);
        how.append(' ').append(kind).append('@').append(at);
        switch (kind) {
            case 0: // replace a byte
                if (n == 0) return b;
                b = b.clone();
                b[at] = (byte) (text && random.nextBoolean() ? randomChar(random) : random.nextInt(256));
                return b;
            case 1: // flip a bit
                if (n == 0) return b;
                b = b.clone();
                b[at] ^= (byte) (1 << random.nextInt(8));
                return b;
            case 2: // truncate
                return Arrays.copyOf(b, random.nextInt(n + 1));
            case 3: // insert garbage
                byte[] garbage = new byte[1 + random.nextInt(8)];
                for (int i = 0; i < garbage.length; i++)
                    garbage[i] = (byte) (text ? randomChar(random) : random.nextInt(256));
                return splice(b, at, at, garbage);
            case 4: // delete a range
                return splice(b, at, Math.min(n, at + 1 + random.nextInt(16)), new byte[0]);
            case 5: // duplicate a range: repeated fields or lines
                int end = Math.min(n, at + 1 + random.nextInt(text ? 200 : 800));
                return splice(b, end, end, Arrays.copyOfRange(b, at, end));
            case 6: // a huge or odd number in place of one in the file
                return text ? replaceNumber(b, random) : replaceHeaderInt(b, random);
            case 7: // drop a field: from one separator to the next
                if (!text) return Arrays.copyOf(b, Math.max(0, n - 1 - random.nextInt(4)));
                int from = indexOfSeparator(b, at), to = indexOfSeparator(b, from + 1);
                return from < 0 || to < 0 ? b : splice(b, from, to, new byte[0]);
            default: // duplicate a whole line or drop the header
                if (!text) return replaceHeaderInt(b, random);
                int lineEnd = indexOf(b, (byte) '\n', at);
                int lineStart = Math.max(0, lastIndexOf(b, (byte) '\n', at - 1) + 1);
                if (lineEnd < 0) return b;
                return random.nextBoolean()
                        ? splice(b, lineEnd + 1, lineEnd + 1, Arrays.copyOfRange(b, lineStart, lineEnd + 1))
                        : splice(b, 0, indexOf(b, (byte) '\n', 0) + 1, new byte[0]);
        }
    }

    private static Path write(Path file, byte[] bytes) throws IOException {
        return Files.write(file, bytes);
    }

    private static char randomChar(SplittableRandom random) {
        return TEXT_GARBAGE.charAt(random.nextInt(TEXT_GARBAGE.length()));
    }

    private static byte[] replaceNumber(byte[] b, SplittableRandom random) {
        if (b.length == 0) return b;
        int start = random.nextInt(b.length);
        while (start < b.length && !Character.isDigit(b[start])) start++;
        int end = start;
        while (end < b.length && (Character.isDigit(b[end]) || b[end] == '.')) end++;
        byte[] huge = HUGE_TEXT[random.nextInt(HUGE_TEXT.length)].getBytes(StandardCharsets.US_ASCII);
        return splice(b, start, end, huge);
    }

    private static byte[] replaceHeaderInt(byte[] b, SplittableRandom random) {
        int fields = Math.min(4, b.length / 4);
        if (fields == 0) return b;
        b = b.clone();
        ByteBuffer.wrap(b).putInt(4 * random.nextInt(fields), HUGE_INTS[random.nextInt(HUGE_INTS.length)]);
        return b;
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] out = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(b, to, out, from + insert.length, b.length - to);
        return out;
    }

    private static int indexOfSeparator(byte[] b, int from) {
        for (int i = Math.max(0, from); i < b.length; i++) if (b[i] == ',' || b[i] == ' ' || b[i] == ':') return i;
        return -1;
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int i = Math.max(0, from); i < b.length; i++) if (b[i] == v) return i;
        return -1;
    }

    private static int lastIndexOf(byte[] b, byte v, int from) {
        for (int i = Math.min(from, b.length - 1); i >= 0; i--) if (b[i] == v) return i;
        return -1;
    }

    private static byte[] firstLines(String file, int lines) throws IOException {
        List<String> all = Files.readAllLines(SharedData.file(file));
        return (String.join("\n", all.subList(0, lines)) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
