package dev.descent.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MurmurHash3Test {

    /**
     * Values of scikit-learn 1.2.1's {@code sklearn.utils.murmurhash3_32(key, seed)} (Debian's
     * python3-sklearn), pasted: {@code [(k, m(k, seed=0), m(k, seed=42)) for k in keys]}.
     */
    @Test
    void stringsHashAsSklearnDoes() {
        check("", 0, 142593372);
        check("a", 1009084850, -1293573533);
        check("ab", -1681926305, -684913081);
        check("abc", -1277324294, 1313807976);
        check("abcd", 1139631978, -396302900);
        check("hello", 613153351, -488910111);
        check("hello world", 1586663183, -368272391);
        check("free money", -905306296, 1295745317);
        check("ünïcödé", 2069557956, -632336725);
        check("日本語", -1515949417, -976822600);
        // positive=True is the unsigned reading
        assertEquals(3389661000L, Integer.toUnsignedLong(hash("free money", 0)));
        assertEquals(2779017879L, Integer.toUnsignedLong(hash("日本語", 0)));
    }

    /** {@code murmurhash3_32(i, seed=0)} for int keys (the 4 little-endian bytes). */
    @Test
    void intsHashAsSklearnDoes() {
        assertEquals(593689054, MurmurHash3.hashInt(0, 0));
        assertEquals(-68075478, MurmurHash3.hashInt(1, 0));
        assertEquals(-1134849565, MurmurHash3.hashInt(42, 0));
        assertEquals(1982413648, MurmurHash3.hashInt(-1, 0));
        assertEquals(-1653689534, MurmurHash3.hashInt(Integer.MAX_VALUE, 0));
        assertEquals(-1294369584, MurmurHash3.hashInt(123456, 0));
    }

    @Test
    void aRangeHashesLikeItsCopy() {
        byte[] b = "xxhello worldyy".getBytes(StandardCharsets.UTF_8);
        assertEquals(1586663183, MurmurHash3.hash(b, 2, 11, 0));
    }

    /** A key's hash continued from its prefix's whole blocks equals the hash of the key alone. */
    @Test
    void hashingContinuesFromAPrefix() {
        byte[] b = "hello world, free money".getBytes(StandardCharsets.UTF_8);
        int h = MurmurHash3.blocks(0, b, 0, 4); // "hell"
        for (int len = 4; len <= b.length; len++) {
            int body = len & ~3;
            int continued = MurmurHash3.finish(MurmurHash3.blocks(h, b, 4, body), b, body, len);
            assertEquals(MurmurHash3.hash(b, 0, len, 0), continued, "length " + len);
        }
        assertEquals(1586663183, MurmurHash3.finish(MurmurHash3.blocks(h, b, 4, 8), b, 8, 11)); // "hello world"
        var e = assertThrows(IllegalArgumentException.class, () -> MurmurHash3.blocks(0, b, 0, 6));
        assertEquals("blocks of 4 bytes: range [0, 6) is not", e.getMessage());
    }

    private static void check(String key, int seed0, int seed42) {
        assertEquals(seed0, hash(key, 0), key);
        assertEquals(seed42, hash(key, 42), key);
    }

    private static int hash(String key, int seed) {
        byte[] b = key.getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash(b, 0, b.length, seed);
    }
}
