package dev.descent.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.data.SparseDataset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureHasherTest {

    /**
     * sklearn 1.2.1: {@code HashingVectorizer(ngram_range=(1,2)).build_analyzer()(text)}; the unigrams
     * are the tokens (the bigrams are their neighbours joined by a space).
     */
    @Test
    void tokensAreSklearnDefaultAnalyzers() {
        assertEquals(
                List.of("hello", "world", "free", "money", "now"),
                FeatureHasher.tokens("Hello, World! FREE money $$$ now"));
        assertEquals(List.of("it", "a_b", "c3po", "zz"), FeatureHasher.tokens("it's a_b c3po x y zz"));
        // İ lowercases to i + U+0307 (a combining mark, not a word character) in Python and Java alike
        assertEquals(
                List.of("ünïcödé", "été", "straße", "stanbul", "日本語", "テスト"),
                FeatureHasher.tokens("Ünïcödé ÉTÉ straße İstanbul 日本語 テスト"));
        assertEquals(
                List.of("mail", "john", "doe", "example", "com", "http", "org"),
                FeatureHasher.tokens("e-mail: john.doe@example.com http://x.org/a?b=1"));
        assertEquals(List.of("3rd", "x²y"), FeatureHasher.tokens("½ ² 3rd x²y"));
    }

    /**
     * sklearn 1.2.1: {@code HashingVectorizer(ngram_range=(1,2)).transform(["Hello hello world, FREE
     * money"])} gives these indices and values (float64).
     */
    @Test
    void uniAndBigramsHashAsSklearnDoes() {
        var row = FeatureHasher.of(1 << 20).wordNgrams(1, 2).hash("Hello hello world, FREE money");
        assertArrayEquals(new int[] {120506, 125320, 167695, 248644, 385208, 639749, 784967, 943214}, row.columns());
        double a = 0.30151134457776363, b = 0.6030226891555273;
        double[] expected = {-a, a, a, -a, -a, -a, b, a};
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], row.values()[i], 1e-7);
    }

    /** {@code HashingVectorizer(ngram_range=(1,2), alternate_sign=False, n_features=16)}: collisions add up. */
    @Test
    void unsignedSmallDimensionAddsCollisions() {
        var row = FeatureHasher.of(16).wordNgrams(1, 2).alternateSign(false).hash("Hello hello world, FREE money");
        assertArrayEquals(new int[] {4, 5, 7, 8, 10, 14, 15}, row.columns());
        double a = 0.2773500981126146, b = 0.5547001962252291;
        double[] expected = {a, a, b, b, a, a, a};
        for (int i = 0; i < expected.length; i++) assertEquals(expected[i], row.values()[i], 1e-7);
    }

    @Test
    void tfNormSumsToOneAndNoneKeepsCounts() {
        var tf = FeatureHasher.of(1 << 20)
                .alternateSign(false)
                .norm(FeatureHasher.Norm.TF)
                .hash("aa bb aa cc");
        double sum = 0;
        for (float v : tf.values()) sum += v;
        assertEquals(1, sum, 1e-6);
        var raw = FeatureHasher.of(1 << 20)
                .alternateSign(false)
                .norm(FeatureHasher.Norm.NONE)
                .hash("aa bb aa cc");
        float max = 0;
        for (float v : raw.values()) max = Math.max(max, v);
        assertEquals(2f, max);
        assertEquals(3, raw.columns().length);
    }

    /** sklearn's 'char' analyzer: n-grams of the lowercased text; runs of whitespace become one space. */
    @Test
    void charNgramsCountEveryWindow() {
        var row = FeatureHasher.of(1 << 20)
                .charNgrams(2, 2)
                .wordNgrams(0, 0)
                .alternateSign(false)
                .norm(FeatureHasher.Norm.NONE)
                .hash("Ab  ab");
        // "ab ab": ab, b_, _a, ab → {ab: 2, "b ": 1, " a": 1}
        float total = 0;
        for (float v : row.values()) total += v;
        assertEquals(4f, total);
        assertEquals(3, row.columns().length);
    }

    /**
     * sklearn 1.2.1, {@code HashingVectorizer(ngram_range=(1,2))} on non-ASCII text: Unicode letters
     * and numbers, digits, underscores, a final sigma, İ (lowercased to i + a combining mark, which
     * ends a word), a one-character number (½: too short), a letter outside the BMP (𝔘, 4 UTF-8
     * bytes); {@code build_analyzer()} gives the tokens, {@code transform} the row.
     */
    @Test
    void unicodeTextHashesAsSklearnDoes() {
        String text = "Hello Ünïcödé straße ΣΊΣΥΦΟΣ ok 42 x_1 __init__ İstanbul ½ x²y CAFÉ café 日本語テスト 𝔘𝔫𝔦 a";
        assertEquals(
                List.of(
                        "hello",
                        "ünïcödé",
                        "straße",
                        "σίσυφος",
                        "ok",
                        "42",
                        "x_1",
                        "__init__",
                        "stanbul",
                        "x²y",
                        "café",
                        "café",
                        "日本語テスト",
                        "𝔘𝔫𝔦"),
                FeatureHasher.tokens(text));
        var row = FeatureHasher.of(1 << 20).wordNgrams(1, 2).hash(text);
        assertArrayEquals(
                new int[] {
                    4798, 15550, 129295, 149960, 194438, 210860, 211619, 284636, 338849, 342546, 380235, 397479, 460876,
                    473786, 482250, 547589, 654513, 695913, 717508, 764945, 784967, 790280, 839994, 857594, 886174,
                    990571
                },
                row.columns());
        double a = 0.18569533817705186; // 1/√29: 26 columns, café twice
        int[] signs = {-1, -1, 1, 1, -1, 1, 1, 1, -1, 1, 1, -1, -1, 1, -1, 1, -1, -1, 1, -1, 1, 2, 1, 1, 1, -1};
        for (int i = 0; i < signs.length; i++) assertEquals(signs[i] * a, row.values()[i], 1e-7, "column " + i);
    }

    /** ASCII first, then non-ASCII: the fast ASCII path hands the whole document to the Unicode one. */
    @Test
    void asciiThenUnicodeHashesAsSklearnDoes() {
        var row = FeatureHasher.of(1 << 20).wordNgrams(1, 2).hash("plain ascii words first, then naïve ÀÉÎ");
        assertArrayEquals(
                new int[] {
                    49665, 190457, 402515, 558549, 626770, 686953, 805221, 832121, 843716, 887527, 914986, 989160,
                    1042553
                },
                row.columns());
        double a = 0.2773500981126146; // 1/√13
        int[] signs = {1, 1, 1, 1, 1, 1, -1, 1, 1, -1, -1, -1, 1};
        for (int i = 0; i < signs.length; i++) assertEquals(signs[i] * a, row.values()[i], 1e-7, "column " + i);
    }

    /**
     * sklearn 1.2.1, {@code HashingVectorizer(analyzer='char', ngram_range=(2,3), alternate_sign=False,
     * norm=None)}: a run of two spaces becomes one, a lone tab stays, 𝔘 is one character.
     */
    @Test
    void unicodeCharNgramsHashAsSklearnDoes() {
        var row = FeatureHasher.of(1 << 20)
                .charNgrams(2, 3)
                .wordNgrams(0, 0)
                .alternateSign(false)
                .norm(FeatureHasher.Norm.NONE)
                .hash("Straße  Ünï\tcödé 𝔘x");
        assertArrayEquals(
                new int[] {
                    58770, 81113, 82742, 110691, 177533, 231910, 245561, 260447, 264293, 296488, 357738, 392777, 446620,
                    456919, 467340, 485099, 496912, 560608, 598128, 616176, 639193, 659666, 723768, 794547, 804643,
                    821749, 867682, 915375, 927893, 964854, 1000981, 1030475, 1030567
                },
                row.columns());
        for (float v : row.values()) assertEquals(1f, v);
    }

    /**
     * Hashing on 1, 2 and 3 threads gives the same data set, each row the one {@link
     * FeatureHasher#hash} gives, in document order: ASCII and Unicode documents, empty ones, short
     * and long rows (both sorts), a document that grows the buffers.
     */
    @Test
    void transformIsIndependentOfThreads() {
        List<String> docs = new ArrayList<>();
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 20_000; i++) big.append("w").append(i % 3000).append(i % 7 == 0 ? " Ünï " : " ");
        for (int i = 0; i < 500; i++) {
            StringBuilder d = new StringBuilder("doc " + i + " word" + (i % 7) + " and more words " + (i * 31 % 97));
            for (int k = 0; k < i % 40; k++) d.append(" t").append(k * i % 101);
            if (i % 5 == 0) d.append(" straße ΣΊΣΥΦΟΣ 𝔘𝔫𝔦");
            docs.add(i % 50 == 7 ? "" : i == 250 ? big.toString() : d.toString());
        }
        float[] y = new float[docs.size()];
        for (FeatureHasher h : List.of(
                FeatureHasher.of(1 << 18).wordNgrams(1, 2),
                FeatureHasher.of(1000).wordNgrams(1, 3).norm(FeatureHasher.Norm.TF),
                FeatureHasher.of(1 << 20).charNgrams(2, 4).alternateSign(false))) {
            SparseDataset one = h.transform("docs", docs, y, 0, 1);
            for (int threads = 2; threads <= 3; threads++) {
                SparseDataset more = h.transform("docs", docs, y, 0, threads);
                assertArrayEquals(one.columns(), more.columns());
                assertArrayEquals(one.values(), more.values());
            }
            for (int r = 0; r < docs.size(); r++) {
                var row = h.hash(docs.get(r));
                int from = (int) one.rowStart(r);
                assertArrayEquals(
                        row.columns(), Arrays.copyOfRange(one.columns(), from, from + one.rowLength(r)), "row " + r);
                assertArrayEquals(
                        row.values(), Arrays.copyOfRange(one.values(), from, from + one.rowLength(r)), "row " + r);
            }
        }
    }

    @Test
    void badSettingsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> FeatureHasher.of(0));
        assertEquals("hashing dimension must be > 0, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FeatureHasher.of(16).wordNgrams(2, 1));
    }
}
