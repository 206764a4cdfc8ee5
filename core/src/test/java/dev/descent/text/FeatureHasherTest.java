package dev.descent.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.data.SparseDataset;
import java.util.ArrayList;
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

    /** Hashing on two threads gives the rows one thread gives, in document order. */
    @Test
    void parallelTransformEqualsSequential() {
        List<String> docs = new ArrayList<>();
        for (int i = 0; i < 500; i++) docs.add("doc " + i + " word" + (i % 7) + " and more words " + (i * 31 % 97));
        float[] y = new float[docs.size()];
        FeatureHasher h = FeatureHasher.of(1 << 18).wordNgrams(1, 2);
        SparseDataset one = h.transform("docs", docs, y, 0, 1), two = h.transform("docs", docs, y, 0, 2);
        assertArrayEquals(one.columns(), two.columns());
        assertArrayEquals(one.values(), two.values());
        for (int r = 0; r < docs.size(); r++) {
            var row = h.hash(docs.get(r));
            assertEquals(row.columns().length, one.rowLength(r));
            assertEquals(row.columns()[0], one.columns()[(int) one.rowStart(r)]);
        }
    }

    @Test
    void badSettingsAreNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> FeatureHasher.of(0));
        assertEquals("hashing dimension must be > 0, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FeatureHasher.of(16).wordNgrams(2, 1));
    }
}
