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

class CsvTest {

    @TempDir
    Path dir;

    static int[] labelCounts(Dataset d) {
        int[] counts = new int[d.classes()];
        for (int r = 0; r < d.rows(); r++) counts[d.label(r)]++;
        return counts;
    }

    @Test
    void loadsBreastCancer() {
        Dataset d = Csv.load(SharedData.file("breast_cancer.csv"));
        assertEquals("breast_cancer.csv", d.name());
        assertEquals(569, d.rows());
        assertEquals(30, d.features());
        assertEquals(2, d.classes());
        assertArrayEquals(new int[] {212, 357}, labelCounts(d));
        assertArrayEquals(new float[] {17.99f, 10.38f, 122.8f, 1001f}, java.util.Arrays.copyOf(d.x(), 4));
        assertEquals(1297f, d.x()[4 * 30 + 3]); // row 4, mean_area
        assertEquals(0.07039f, d.x()[568 * 30 + 29]);
        assertEquals(1, d.label(568));
    }

    @Test
    void loadsDigits() {
        Dataset d = Csv.load(SharedData.file("digits.csv"));
        assertEquals(1797, d.rows());
        assertEquals(64, d.features());
        assertEquals(10, d.classes());
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, labelCounts(d));
        assertArrayEquals(new float[] {0, 0, 5, 13, 9, 1, 0, 0}, java.util.Arrays.copyOf(d.x(), 8));
    }

    @Test
    void labelColumnByNameOrIndexClassesOrRegression() throws IOException {
        Path f = write("a.csv", "x,target,z\n1,0,2.5\n3,2,-4\n");
        Dataset byName = Csv.load(f, "target", Labels.classification());
        assertArrayEquals(new float[] {1, 2.5f, 3, -4}, byName.x());
        assertArrayEquals(new float[] {0, 2}, byName.y());
        assertEquals(3, byName.classes());
        assertEquals(5, Csv.load(f, 1, Labels.classification(5)).classes());

        Dataset regression = Csv.load(f, "z", Labels.regression());
        assertEquals(0, regression.classes());
        assertArrayEquals(new float[] {2.5f, -4}, regression.y());
        assertArrayEquals(new float[] {1, 0, 3, 2}, regression.x());
        assertArrayEquals(
                new float[] {0, 2.5f, 2, -4},
                Csv.load(f, 0, Labels.regression()).x());
    }

    @Test
    void toleratesBlanksCrLfAndBlankLines() throws IOException {
        Path f = write("b.csv", "a , label\r\n\r\n 1.5e1 ,1\r\n  \n-.5, +0 \r\n");
        Dataset d = Csv.load(f);
        assertArrayEquals(new float[] {15f, -0.5f}, d.x());
        assertArrayEquals(new float[] {1, 0}, d.y());
        assertEquals(2, Csv.load(f, "label", Labels.classification()).rows());
    }

    @Test
    void badNumberNamesFileLineAndColumn() throws IOException {
        Path f = write("bad.csv", "a,b,label\n1,2,0\n3,4,1\n5,x7,0\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Csv.load(f));
        assertEquals(4, e.line());
        assertEquals(-1, e.offset());
        assertEquals(f, e.file());
        assertEquals(f + ":4: expected a number in column 2 (b), found \"x7\"", e.getMessage());
    }

    @Test
    void errorsPointAtTheirLine() throws IOException {
        assertError("a,label\n1,0\n1,2,0\n", 3, "expected 2 fields as in the header, found 3 fields");
        assertError("a,label\n1,0\n1\n", 3, "expected 2 fields as in the header, found 1 fields");
        assertError("a,label\n1,0\n1,\n", 3, "expected a class label in column 2 (label)");
        assertError("", 1, "expected a header row, found an empty file");
        assertError("\n\n", 3, "expected a header row, found an empty file");
        assertError("a,label\n", 2, "expected a data row after the header, found the end of the file");
        assertError("label\n1\n", 1, "expected a header of at least 2 columns");
        assertError("a,label\n1,0.5\n", 2, "an integer in [0, 16777216)), found \"0.5\"");
        assertError("a,label\n1,-1\n", 2, "found \"-1\"");
        assertError("a,label\n1,1e9\n", 2, "found \"1e9\"");
        assertError("a,label\nNaN,1\n", 2, "expected a number in column 1 (a), found \"NaN\"");
        assertError("a,label\nInfinity,1\n", 2, "found \"Infinity\"");
        assertError("a,label\n1e39,1\n", 2, "expected a number in column 1 (a) within float range, found \"1e39\"");
        assertError("a,label\n0x10,1\n", 2, "found \"0x10\"");
        assertError("a,label\n1f,1\n", 2, "found \"1f\"");
        assertError("a,label\n1.2.3,1\n", 2, "found \"1.2.3\"");
        assertError("a,label\n1e,1\n", 2, "found \"1e\"");
        assertError("a,label\n1\u0000\u001b,1\n", 2, "found \"1\\u0000\\u001b\"");
    }

    @Test
    void labelOutsideGivenClasses() throws IOException {
        Path f = write("c.csv", "a,label\n1,0\n2,3\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Csv.load(f, Labels.classification(3)));
        assertEquals(3, e.line());
        assertTrue(e.getMessage().endsWith("(an integer in [0, 3)), found \"3\""), e.getMessage());
    }

    @Test
    void unknownOrAmbiguousLabelColumn() throws IOException {
        Path f = write("d.csv", "a,b,c\n1,2,3\n");
        DataFormatException e =
                assertThrows(DataFormatException.class, () -> Csv.load(f, "label", Labels.regression()));
        assertEquals(1, e.line());
        assertTrue(e.getMessage().contains("expected a label column named \"label\", found only \"a,b,c\""));
        e = assertThrows(DataFormatException.class, () -> Csv.load(f, 3, Labels.regression()));
        assertTrue(e.getMessage().contains("expected a label column index below 3"), e.getMessage());
        Path g = write("e.csv", "a,b,a\n1,2,3\n");
        e = assertThrows(DataFormatException.class, () -> Csv.load(g, "a", Labels.regression()));
        assertTrue(e.getMessage().endsWith("expected one label column named \"a\", found columns 1 and 3"));
        assertThrows(IllegalArgumentException.class, () -> Csv.load(f, -1, Labels.regression()));
    }

    @Test
    void longGarbageIsShortenedInTheMessage() throws IOException {
        Path f = write("long.csv", "a,label\n" + "9".repeat(30) + "z".repeat(100) + ",1\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> Csv.load(f));
        assertTrue(e.getMessage().length() < f.toString().length() + 120, e.getMessage());
        assertTrue(e.getMessage().endsWith("zzzzzzzzzz…\""), e.getMessage());
    }

    @Test
    void missingFileNamesThePath() {
        Path f = dir.resolve("nowhere.csv");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Csv.load(f));
        assertEquals("cannot read " + f + ": no such file", e.getMessage());
    }

    private void assertError(String content, long line, String expectedPart) throws IOException {
        Path f = write("err.csv", content);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Csv.load(f), content);
        assertEquals(line, e.line(), e.getMessage());
        assertTrue(e.getMessage().startsWith(f + ":" + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
