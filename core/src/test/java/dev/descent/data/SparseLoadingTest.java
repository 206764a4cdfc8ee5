package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LIBSVM kept sparse, hashed, and the text readers: values and bad input with file:line. */
class SparseLoadingTest {

    @TempDir
    Path dir;

    @Test
    void breastCancerSparseDensifiesToTheDenseLoad() {
        Path f = SharedData.file("breast_cancer.libsvm");
        Dataset dense = Libsvm.load(f, Labels.classification());
        SparseDataset sparse = Libsvm.loadSparse(f, Labels.classification(), 0);
        assertEquals(569, sparse.rows());
        assertEquals(30, sparse.features());
        assertEquals(2, sparse.classes());
        assertArrayEquals(dense.x(), sparse.densify().x());
        assertArrayEquals(dense.y(), sparse.y());
    }

    @Test
    void indicesUpTo2To31Minus1StaySparse() throws IOException {
        Path f = write("wide.libsvm", "1 3:0.5 2147483647:2\n0 1:1\n");
        SparseDataset d = Libsvm.loadSparse(f, Labels.classification(), 0);
        assertEquals(Integer.MAX_VALUE, d.features());
        assertArrayEquals(new int[] {2, Integer.MAX_VALUE - 1, 0}, d.columns());
        assertArrayEquals(new float[] {0.5f, 2, 1}, d.values());
        assertEquals(2, d.rowLength(0));
    }

    @Test
    void hashedIndicesLandInTheDimensionAndAddUp() throws IOException {
        Path f = write("h.libsvm", "1 5:1 7:2 2000000000:3\n");
        SparseDataset d = Libsvm.loadHashed(f, Labels.regression(), 1);
        assertArrayEquals(new int[] {0}, d.columns());
        assertArrayEquals(new float[] {6}, d.values());
        SparseDataset wide = Libsvm.loadHashed(f, Labels.regression(), 1 << 20);
        assertEquals(1 << 20, wide.features());
        int[] expected = {
            (int) (Integer.toUnsignedLong(dev.descent.text.MurmurHash3.hashInt(5, 0)) % (1 << 20)),
            (int) (Integer.toUnsignedLong(dev.descent.text.MurmurHash3.hashInt(7, 0)) % (1 << 20)),
            (int) (Integer.toUnsignedLong(dev.descent.text.MurmurHash3.hashInt(2000000000, 0)) % (1 << 20))
        };
        Arrays.sort(expected);
        assertArrayEquals(expected, wide.columns());
    }

    @Test
    void badIndicesNameFileAndLine() throws IOException {
        expect("1 1:1\n0 0:1\n", 0, ":2: expected a feature index (an integer in [1, 2147483647])", "found \"0\"");
        expect("1 1:1\n0 -3:1\n", 0, ":2: expected a feature index", "found \"-3\"");
        expect("1 4:1 2:1\n", 0, ":1: expected a feature index above 4 (indices increase)", "found 2");
        expect("1 4:1\n1 9:1\n", 8, ":2: expected a feature index in [1, 8]", "found 9");
        expect("1 4:x\n", 0, ":1: expected a number after 4:", "found \"x\"");
        expect("1 4\n", 0, ":1: expected index:value", "found \"4\"");
        expect("spam 1:1\n", 0, ":1: expected a class label", "found \"spam\"");
        expect("", 0, ":1: expected a data row", "found an empty file");
    }

    @Test
    void jsonLinesReadTextAndSortedLabels() throws IOException {
        Path f = write(
                "m.jsonl",
                "{\"id\": 1, \"label\": \"spam\", \"text\": \"Buy now\"}\n\n"
                        + "{\"label\": \"ham\", \"text\": \"caf\\u00e9 ☕ meeting\"}\n");
        TextFiles.LabeledTexts t = TextFiles.readJsonLines(f, "text", "label");
        assertEquals(List.of("Buy now", "café ☕ meeting"), t.texts());
        assertEquals(List.of("ham", "spam"), t.classes());
        assertArrayEquals(new int[] {1, 0}, t.labels());
    }

    @Test
    void textAndLabelFilesPairLineByLine() throws IOException {
        Path texts = write("t.txt", "first doc\n\nthird\n");
        Path labels = write("l.txt", "a\nb\na\n");
        TextFiles.LabeledTexts t = TextFiles.readLines(texts, labels);
        assertEquals(List.of("first doc", "", "third"), t.texts());
        assertArrayEquals(new int[] {0, 1, 0}, t.labels());
        var e = assertThrows(DataFormatException.class, () -> TextFiles.readLines(texts, write("l2.txt", "a\nb\n")));
        assertTrue(e.getMessage().contains("l2.txt:3") && e.getMessage().contains("2 labels"), e.getMessage());
    }

    @Test
    void invalidUtf8AndBinaryJunkAreErrorsAtTheirLine() throws IOException {
        Path bad = dir.resolve("bad.jsonl");
        byte[] good = "{\"label\": \"ham\", \"text\": \"ok\"}\n".getBytes(StandardCharsets.UTF_8);
        byte[] junk = {'{', '"', 'a', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
        try (OutputStream o = Files.newOutputStream(bad)) {
            o.write(good);
            o.write(good);
            o.write(junk);
        }
        var e = assertThrows(DataFormatException.class, () -> TextFiles.readJsonLines(bad, "text", "label"));
        assertTrue(e.getMessage().contains("bad.jsonl:3") && e.getMessage().contains("not UTF-8"), e.getMessage());
        Path nul = write("nul.txt", "text\nbin\u0000ary\n");
        var n = assertThrows(DataFormatException.class, () -> TextFiles.readLines(nul, nul));
        assertTrue(n.getMessage().contains("nul.txt:2") && n.getMessage().contains("NUL"), n.getMessage());
        Path notJson = write("x.jsonl", "{\"label\": \"ham\", \"text\": \"ok\"}\nnot json\n");
        var j = assertThrows(DataFormatException.class, () -> TextFiles.readJsonLines(notJson, "text", "label"));
        assertTrue(j.getMessage().contains("x.jsonl:2: expected a JSON object"), j.getMessage());
        var missing = assertThrows(
                DataFormatException.class,
                () -> TextFiles.readJsonLines(write("y.jsonl", "{\"text\": \"ok\"}\n"), "text", "label"));
        assertTrue(missing.getMessage().contains("y.jsonl:1: expected a field \"label\""), missing.getMessage());
    }

    @Test
    void aTruncatedGzipStreamIsNamed() throws IOException {
        Path full = dir.resolve("c.jsonl.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(full))) {
            for (int i = 0; i < 2000; i++)
                o.write(("{\"label\": \"ham\", \"text\": \"mail number " + i + "\"}\n")
                        .getBytes(StandardCharsets.UTF_8));
        }
        byte[] b = Files.readAllBytes(full);
        Path cut = dir.resolve("cut.jsonl.gz");
        Files.write(cut, Arrays.copyOf(b, b.length / 2));
        var e = assertThrows(UncheckedIOException.class, () -> TextFiles.readJsonLines(cut, "text", "label"));
        assertTrue(
                e.getMessage().contains("cut.jsonl.gz") && e.getMessage().contains("truncated gzip"), e.getMessage());
        assertEquals(2000, TextFiles.readJsonLines(full, "text", "label").size());
    }

    /**
     * One line of two million features (about 22 MB of text) loads as one sparse row, with no dense
     * copy; the same line over a lowered line limit is refused at its line number, not with an
     * OutOfMemoryError.
     */
    @Test
    void aLineOfMillionsOfFeaturesStaysSparseOrIsRefusedAtItsLine() throws IOException {
        int n = 2_000_000;
        Path f = dir.resolve("wide.libsvm");
        try (var w = Files.newBufferedWriter(f, StandardCharsets.US_ASCII)) {
            w.write("0 1:1\n1");
            for (int i = 1; i <= n; i++) w.write(" " + (2 * i) + ":1");
            w.write("\n");
        }
        SparseDataset d = Libsvm.loadSparse(f, Labels.classification(), 0);
        assertEquals(2, d.rows());
        assertEquals(1 + n, d.nonZeros());
        assertEquals(2 * n, d.features());
        System.setProperty(LineReader.MAX_LINE_PROPERTY, "1000000");
        try {
            var e = assertThrows(DataFormatException.class, () -> Libsvm.loadSparse(f, Labels.classification(), 0));
            assertEquals(2, e.line(), e.getMessage());
        } finally {
            System.clearProperty(LineReader.MAX_LINE_PROPERTY);
        }
    }

    private void expect(String content, int features, String expected, String found) throws IOException {
        Path f = write("bad.libsvm", content);
        var e = assertThrows(DataFormatException.class, () -> Libsvm.loadSparse(f, Labels.classification(), features));
        assertTrue(e.getMessage().contains("bad.libsvm" + expected), e.getMessage());
        assertTrue(e.getMessage().contains(found), e.getMessage());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
