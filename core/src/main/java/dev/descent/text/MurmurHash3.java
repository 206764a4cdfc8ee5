package dev.descent.text;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * MurmurHash3 x86_32 (Austin Appleby's public-domain reference, {@code MurmurHash3_x86_32}): the hash
 * scikit-learn's {@code murmurhash3_32} and {@code HashingVectorizer} use, so hashed features land
 * in the same columns as theirs. Results are signed ints as sklearn's {@code positive=False}; {@code
 * Integer.toUnsignedLong} gives its {@code positive=True}.
 *
 * <p>The hash is incremental: {@link #blocks} mixes whole 4-byte blocks into a running state and
 * {@link #finish} mixes the last 0–3 bytes and the length, so keys that share a prefix (a word and
 * the bigram it starts) can share the work over the prefix's whole blocks.
 */
public final class MurmurHash3 {

    private static final int C1 = 0xcc9e2d51, C2 = 0x1b873593;
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private MurmurHash3() {}

    /** The hash of {@code data[off, off + len)} with {@code seed}. Reads only that range. */
    public static int hash(byte[] data, int off, int len, int seed) {
        int body = off + (len & ~3);
        return finish(blocks(seed, data, off, body), data, body, len);
    }

    /**
     * The running state {@code h} after mixing the 4-byte blocks of {@code data[from, to)} (a whole
     * number of blocks); the state of a new key is its seed.
     */
    public static int blocks(int h, byte[] data, int from, int to) {
        if (((to - from) & 3) != 0)
            throw new IllegalArgumentException("blocks of 4 bytes: range [" + from + ", " + to + ") is not");
        for (int i = from; i < to; i += 4) h = mixH(h, mixK((int) INT_LE.get(data, i)));
        return h;
    }

    /**
     * The hash of a key of {@code len} bytes whose whole blocks are mixed into {@code h}: mixes its
     * {@code len & 3} last bytes, {@code data[tail, tail + (len & 3))}, and its length.
     */
    public static int finish(int h, byte[] data, int tail, int len) {
        int k = 0;
        switch (len & 3) {
            case 3:
                k ^= (data[tail + 2] & 0xff) << 16;
            // fall through
            case 2:
                k ^= (data[tail + 1] & 0xff) << 8;
            // fall through
            case 1:
                k ^= data[tail] & 0xff;
                h ^= mixK(k);
            // fall through
            default:
        }
        return fmix(h ^ len);
    }

    /** The hash of the 4 little-endian bytes of {@code key} (sklearn's {@code murmurhash3_32(int)}). */
    public static int hashInt(int key, int seed) {
        return fmix(mixH(seed, mixK(key)) ^ 4);
    }

    private static int mixK(int k) {
        k *= C1;
        k = Integer.rotateLeft(k, 15);
        return k * C2;
    }

    private static int mixH(int h, int k) {
        h ^= k;
        h = Integer.rotateLeft(h, 13);
        return h * 5 + 0xe6546b64;
    }

    private static int fmix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
