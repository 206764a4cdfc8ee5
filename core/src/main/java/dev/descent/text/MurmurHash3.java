package dev.descent.text;

/**
 * MurmurHash3 x86_32 (Austin Appleby's public-domain reference, {@code MurmurHash3_x86_32}): the hash
 * scikit-learn's {@code murmurhash3_32} and {@code HashingVectorizer} use, so hashed features land
 * in the same columns as theirs. Results are signed ints as sklearn's {@code positive=False}; {@code
 * Integer.toUnsignedLong} gives its {@code positive=True}.
 */
public final class MurmurHash3 {

    private static final int C1 = 0xcc9e2d51, C2 = 0x1b873593;

    private MurmurHash3() {}

    /** The hash of {@code data[off, off + len)} with {@code seed}. Reads only that range. */
    public static int hash(byte[] data, int off, int len, int seed) {
        int h = seed;
        int end = off + (len & ~3);
        for (int i = off; i < end; i += 4) {
            int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | data[i + 3] << 24;
            h = mixH(h, mixK(k));
        }
        int k = 0;
        switch (len & 3) {
            case 3:
                k ^= (data[end + 2] & 0xff) << 16;
            // fall through
            case 2:
                k ^= (data[end + 1] & 0xff) << 8;
            // fall through
            case 1:
                k ^= data[end] & 0xff;
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
