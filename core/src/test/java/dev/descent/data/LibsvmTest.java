package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibsvmTest {

    @TempDir
    Path dir;

    @Test
    void breastCancerEqualsTheCsvExactly() {
        Dataset csv = Csv.load(SharedData.file("breast_cancer.csv"));
        Dataset svm = Libsvm.load(SharedData.file("breast_cancer.libsvm"), Labels.classification());
        assertEquals("breast_cancer.libsvm", svm.name());
        assertEquals(569, svm.rows());
        assertEquals(30, svm.features());
        assertEquals(2, svm.classes());
        assertArrayEquals(csv.x(), svm.x());
        assertArrayEquals(csv.y(), svm.y());
        assertArrayEquals(
                csv.x(),
                Libsvm.load(SharedData.file("breast_cancer.libsvm"), Labels.classification(2), 30)
                        .x());
    }

    @Test
    void sparseRowsBecomeDense() throws IOException {
        Path f = write("a.libsvm", "1 2:0.5 4:-1\n\n0\t1:3   3:1e-1 \r\n2.5 4:2\n");
        Dataset d = Libsvm.load(f, Labels.regression());
        assertEquals(4, d.features());
        assertArrayEquals(new float[] {0, 0.5f, 0, -1, 3, 0, 0.1f, 0, 0, 0, 0, 2}, d.x());
        assertArrayEquals(new float[] {1, 0, 2.5f}, d.y());
        Dataset wide = Libsvm.load(f, Labels.regression(), 6);
        assertEquals(6, wide.features());
        assertEquals(-1f, wide.x()[3]);
        assertEquals(2f, wide.x()[2 * 6 + 3]);
    }

    @Test
    void errorsPointAtTheirLine() throws IOException {
        assertError("0 1:1\n1 2:1 2:3\n", 2, "expected a feature index above 2 (indices increase), found 2");
        assertError("0 1:1\n1 3:1 2:3\n", 2, "expected a feature index above 3 (indices increase), found 2");
        assertError("0 0:1\n", 1, "expected a feature index (an integer in [1, 2147483647]), found \"0\"");
        assertError("0 -1:1\n", 1, "found \"-1\"");
        assertError("0 1:1\n0 99999999999:1\n", 2, "found \"99999999999\"");
        assertError("0 1:1\n0 1\n", 2, "expected index:value, found \"1\"");
        assertError("0 1:\n", 1, "expected a number after 1:, found nothing");
        assertError("0 1:abc\n", 1, "expected a number after 1:, found \"abc\"");
        assertError("0 1:1\n\n-1 1:1\n", 3, "expected a class label at the start of the line");
        assertError("0 1:1\n1.5 1:1\n", 2, "found \"1.5\"");
        assertError("", 1, "expected a data row, found an empty file");
        assertError("0\n1\n", 3, "expected at least one index:value in the file, found only labels");
        assertError("0 1:1\n0 2000000:1\n", 2, "expected a feature index in [1, 1048576] (give the feature count");
    }

    @Test
    void indexAboveTheGivenFeatureCount() throws IOException {
        Path f = write("b.libsvm", "0 1:1 30:2\n1 31:1\n");
        DataFormatException e =
                assertThrows(DataFormatException.class, () -> Libsvm.load(f, Labels.classification(), 30));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().endsWith(":2: expected a feature index in [1, 30], found 31"), e.getMessage());
    }

    @Test
    void aDenseMatrixTooLargeForTheHeapFailsCleanly() throws IOException {
        Path f = write("c.libsvm", "0 1:1\n0 1048576:1\n" + "0 1:1\n".repeat(2100));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Libsvm.load(f, Labels.classification()));
        // refused while reading, as soon as the rows so far × the widest index cannot fit densified
        assertTrue(e.line() >= 2 && e.line() <= 2048, "line " + e.line());
        assertTrue(e.getMessage().contains(" rows × 1,048,576 features by this line, which "), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> Libsvm.load(f, Labels.classification(), Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains(" rows × 2,147,483,647 features"), e.getMessage());
    }

    @Test
    void missingFileNamesThePath() {
        Path f = dir.resolve("nowhere.libsvm");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Libsvm.load(f, Labels.regression()));
        assertTrue(e.getMessage().contains(f.toString()));
    }

    private void assertError(String content, long line, String expectedPart) throws IOException {
        Path f = write("err.libsvm", content);
        DataFormatException e =
                assertThrows(DataFormatException.class, () -> Libsvm.load(f, Labels.classification()), content);
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f + ":" + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
