package dev.descent.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"a\": [1, -2.5, 3e2, true, false, null, \"x\"], \"b\": {}, \"c\": []} ");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", Arrays.asList(1L, -2.5, 300.0, true, false, null, "x"));
        expected.put("b", Map.of());
        expected.put("c", List.of());
        assertEquals(expected, v);
        assertEquals(List.of("a", "b", "c"), new ArrayList<>(((Map<?, ?>) v).keySet()), "member order kept");
    }

    @Test
    void integersAreLongsAndEverythingElseDoubles() {
        assertEquals(Long.MAX_VALUE, Json.parse("9223372036854775807"));
        assertEquals(Long.MIN_VALUE, Json.parse("-9223372036854775808"));
        assertEquals(9.223372036854775808e18, Json.parse("9223372036854775808"));
        assertEquals(0L, Json.parse("-0"));
        assertEquals(-0.0, Json.parse("-0.0"));
        assertEquals(1.0, Json.parse("1.0"));
        assertEquals(1e-5, Json.parse("1E-5"));
        assertEquals(4.9e-324, Json.parse("4.9e-324"));
    }

    @Test
    void escapesReadAndWritten() {
        assertEquals(
                "\"\\/\b\f\n\r\t\u00e9\ud83d\ude00", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00E9\\ud83d\\uDE00\""));
        assertEquals("\"a\\\"b\\\\c\\n\\u0001\\u001f\"", Json.write("a\"b\\c\n\u0001\u001f"));
        assertEquals("\"\ud83d\ude00\"", Json.write("\ud83d\ude00"), "a surrogate pair is written as is");
        assertEquals("\"\\ud800x\\udc00\"", Json.write("\ud800x\udc00"), "lone surrogates are escaped");
        for (String s : List.of("", "plain", "\u0000\u007f\u2028", "\ud800", "\udc00\ud800", "é\"\\/"))
            assertEquals(s, Json.parse(Json.write(s)));
    }

    @Test
    void doublesFloatsAndLongsRoundTrip() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            double d = Double.longBitsToDouble(r.nextLong());
            if (!Double.isFinite(d)) continue;
            assertEquals(d, Json.parse(Json.write(d)));
            float f = Float.intBitsToFloat(r.nextInt());
            if (Float.isFinite(f)) assertEquals(f, ((Double) Json.parse(Json.write(f))).floatValue());
            long l = r.nextLong();
            assertEquals(l, Json.parse(Json.write(l)));
        }
        for (double d : new double[] {0.0, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, 0.1, 1e21, 123456789.0})
            assertEquals(d, Json.parse(Json.write(d)));
        assertEquals(0.1f, ((Double) Json.parse(Json.write(0.1f))).floatValue());
    }

    @Test
    void nestedStructuresRoundTripCompactAndPretty() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("step", 1234L);
        state.put("lr", 0.05);
        state.put("name", "mlp \"small\"");
        state.put("history", List.of(Map.of("epoch", 1L, "loss", 2.25), Map.of("epoch", 2L, "loss", 1.5)));
        state.put("empty", Map.of());
        state.put("nested", List.of(List.of(), List.of(List.of(1L, 2L)), Arrays.asList((Object) null)));
        for (String text : List.of(Json.write(state), Json.writePretty(state))) assertEquals(state, Json.parse(text));
        assertEquals("{\"a\":[1,2.5],\"b\":{\"c\":null}}", Json.write(sorted("a", List.of(1, 2.5), "b", mapOfNull())));
        assertEquals(
                "{\n  \"a\": [1, 2.5],\n  \"b\": {}\n}\n",
                Json.writePretty(sorted("a", List.of(1, 2.5), "b", Map.of())));
    }

    @Test
    void writesPrimitiveArraysAsLists() {
        assertEquals("[1,2]", Json.write(new int[] {1, 2}));
        assertEquals("[1,-2]", Json.write(new long[] {1, -2}));
        assertEquals("[0.5,1.0E-5]", Json.write(new double[] {0.5, 1e-5}));
        assertEquals("[0.1]", Json.write(new float[] {0.1f}));
        assertEquals("[\"a\",null]", Json.write(new Object[] {"a", null}));
    }

    @Test
    void refusesWhatIsNotJsonNamingThePath() {
        var e = assertThrows(
                IllegalArgumentException.class, () -> Json.write(Map.of("history", List.of(1.0, 2.0, Double.NaN))));
        assertEquals("$.history[2]: NaN is not a JSON number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Json.write(new float[] {Float.POSITIVE_INFINITY}));
        assertEquals("$[0]: Infinity is not a JSON number", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of(1, 2)));
        assertTrue(e.getMessage().contains("object key 1 is not a String"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Json.write(Map.of("x", new Object())));
        assertTrue(e.getMessage().startsWith("$.x: cannot write a java.lang.Object"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|1:1: expected a value, found the end of the text",
                "'  '|1:3: expected a value, found the end of the text",
                "'{\"a\":1,}'|1:8: expected '\"' starting an object member name, found \"}\"",
                "'[1,]'|1:4: expected a value, found \"]\"",
                "'[1 2]'|1:4: expected ',' or ']' after an array element, found \"2]\"",
                "'{\"a\" 1}'|1:6: expected ':' after an object member name, found \"1}\"",
                "'{\"a\":1\n \"b\":2}'|2:2: expected ',' or '}' after an object member, found \"\\\"b\\\":2}\"",
                "'01'|1:2: expected the end of the text after the value, found \"1\"",
                "'1.'|1:3: expected a digit after '.', found the end of the text",
                "'.5'|1:1: expected a value, found \".5\"",
                "'-'|1:2: expected a digit, found the end of the text",
                "'1e'|1:3: expected a digit in the exponent, found the end of the text",
                "'1e999'|1:1: number 1e999 is out of the range of a double, found \"1e999\"",
                "'tru'|1:1: expected a value, found \"tru\"",
                "'NaN'|1:1: expected a value, found \"NaN\"",
                "'\"abc'|1:5: expected '\"' closing the string, found the end of the text",
                "'\"\\x\"'|1:2: expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found \"\\\\x\\\"\"",
                "'\"\\u12g4\"'|1:2: expected 4 hex digits after \\u, found \"\\\\u12g4\\\"\"",
                "'{\"a\":1,\"a\":2}'|1:8: duplicate object member name \"a\", found \"\\\"a\\\":2}\"",
                "'[1] x'|1:5: expected the end of the text after the value, found \"x\"",
            })
    void malformedInputNamesLineAndColumn(String text, String message) {
        var e = assertThrows(JsonException.class, () -> Json.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void rawControlCharactersAndDeepNestingAreRejected() {
        var e = assertThrows(JsonException.class, () -> Json.parse("\"a\tb\""));
        assertEquals(1, e.line());
        assertEquals(3, e.column());
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        e = assertThrows(JsonException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than 512 levels"), e.getMessage());
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertTrue(Json.parse(ok) instanceof List);
    }

    @ParameterizedTest
    @ValueSource(strings = {"true", "false", "null", "\"\"", "0", "-1.5e-3", "[]", "{}"})
    void scalarsAndEmptiesParse(String text) {
        Object v = Json.parse(text);
        if (text.equals("null")) assertNull(v);
        else assertEquals(text.replace("-1.5e-3", "-0.0015"), Json.write(v));
    }

    /** Seeded mutations of valid documents: each parses or throws JsonException; nothing else, no hang. */
    @Test
    void fuzzedInputsOnlyThrowJsonException() {
        String[] seeds = {
            Json.writePretty(sorted("step", 12L, "lr", 0.1, "h", List.of(1.5, 2.5), "s", "a\\b\u00e9")),
            "{\"t\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},\"__metadata__\":{\"format\":\"pt\"}}",
            "[[[\"\\u0041\\n\"]], -0.0e+10, true, null, {\"\":false}]",
        };
        String alphabet = "{}[],:\"\\/ \n-+.eE0123456789tfnrualsx\u0000\ud800";
        SplittableRandom r = new SplittableRandom(20_261_123L);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            int parsed = 0, rejected = 0;
            for (int i = 0; i < 30_000; i++) {
                StringBuilder s = new StringBuilder(seeds[i % seeds.length]);
                for (int m = r.nextInt(1, 4); m > 0 && s.length() > 0; m--) {
                    int at = r.nextInt(s.length());
                    switch (r.nextInt(4)) {
                        case 0 -> s.setCharAt(at, alphabet.charAt(r.nextInt(alphabet.length())));
                        case 1 -> s.deleteCharAt(at);
                        case 2 -> s.insert(at, alphabet.charAt(r.nextInt(alphabet.length())));
                        default -> s.setLength(at);
                    }
                }
                try {
                    Object v = Json.parse(s.toString());
                    assertEquals(v, Json.parse(Json.write(v)), "round trip of a fuzzed value that parsed: " + s);
                    parsed++;
                } catch (JsonException expected) {
                    rejected++;
                } catch (RuntimeException | StackOverflowError e) {
                    fail("case " + i + " threw " + e + " for input " + s, e);
                }
            }
            assertTrue(parsed > 100 && rejected > 100, parsed + " parsed, " + rejected + " rejected");
        });
    }

    private static Map<String, Object> mapOfNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("c", null);
        return m;
    }

    private static Map<String, Object> sorted(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
