package dev.descent.backend;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels of {@link SimdBackend}'s layer operations where the plain loops of {@link
 * LayerLoops} are slow: each gives the same result as the loop it replaces (same values, same
 * argmax), which stays the reference.
 */
final class ConvKernels {
    private ConvKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    /** Outputs of a 2×2 max-pool handled per chunk: the five staging arrays stay in L1. */
    private static final int POOL_CHUNK = 1024;

    /** Per-thread staging of {@link #maxPool2x2}: the four corners of each window and its first index. */
    private static final ThreadLocal<float[]> POOL_STAGE = ThreadLocal.withInitial(() -> new float[5 * POOL_CHUNK]);

    /**
     * {@link Backend#maxPool} for a 2×2 window with stride 2. A max-pool's comparisons, branchy as
     * plain Java, mispredict on real activations (half of them go either way); here each chunk of
     * outputs first has its window's four corners (top-left, top-right, bottom-left, bottom-right)
     * copied side by side, then vector compares and blends pick the winner, under {@link
     * LayerLoops#maxPool}'s rule taken in the same row-major order (a larger value or a NaN replaces
     * the maximum so far), so y and argmax are the same.
     */
    static void maxPool2x2(ImageWindow v, float[] x, int xOff, int rows, float[] y, int yOff, float[] arg, int argOff) {
        int ch = v.channels(), w = v.width(), oh = v.outHeight(), ow = v.outWidth(), hw = v.height() * w;
        int inWidth = v.inputSize(), plane = oh * ow, outWidth = ch * plane;
        float[] st = POOL_STAGE.get();
        int t0 = 0, t1 = POOL_CHUNK, b0 = 2 * POOL_CHUNK, b1 = 3 * POOL_CHUNK, at = 4 * POOL_CHUNK;
        float right = 1, below = w, diagonal = w + 1;
        // whole output rows per chunk (an output row longer than a chunk is split)
        for (int n = 0; n < rows; n++) {
            int xRow = xOff + n * inWidth;
            for (int o0 = 0; o0 < outWidth; ) {
                int count = 0, o = o0;
                while (o < outWidth && count < POOL_CHUNK) {
                    int k = o / plane, rem = o - k * plane, a = rem / ow, b = rem - a * ow;
                    int take = Math.min(ow - b, POOL_CHUNK - count);
                    int first = k * hw + 2 * a * w + 2 * b;
                    for (int q = 0; q < take; q++, count++) {
                        int src = xRow + first + 2 * q;
                        st[t0 + count] = x[src];
                        st[t1 + count] = x[src + 1];
                        st[b0 + count] = x[src + w];
                        st[b1 + count] = x[src + w + 1];
                        st[at + count] = first + 2 * q;
                    }
                    o += take;
                }
                int out = yOff + n * outWidth + o0, args = argOff + n * outWidth + o0, q = 0;
                for (int bound = S.loopBound(count); q < bound; q += L) {
                    var max = FloatVector.fromArray(S, st, t0 + q);
                    var off = FloatVector.zero(S);
                    var c = FloatVector.fromArray(S, st, t1 + q);
                    VectorMask<Float> t = c.compare(VectorOperators.GT, max).or(c.test(VectorOperators.IS_NAN));
                    max = max.blend(c, t);
                    off = off.blend(right, t);
                    c = FloatVector.fromArray(S, st, b0 + q);
                    t = c.compare(VectorOperators.GT, max).or(c.test(VectorOperators.IS_NAN));
                    max = max.blend(c, t);
                    off = off.blend(below, t);
                    c = FloatVector.fromArray(S, st, b1 + q);
                    t = c.compare(VectorOperators.GT, max).or(c.test(VectorOperators.IS_NAN));
                    max = max.blend(c, t);
                    off = off.blend(diagonal, t);
                    max.intoArray(y, out + q);
                    FloatVector.fromArray(S, st, at + q).add(off).intoArray(arg, args + q);
                }
                for (; q < count; q++) {
                    float max = st[t0 + q], off = 0;
                    float c = st[t1 + q];
                    if (c > max || Float.isNaN(c)) {
                        max = c;
                        off = right;
                    }
                    c = st[b0 + q];
                    if (c > max || Float.isNaN(c)) {
                        max = c;
                        off = below;
                    }
                    c = st[b1 + q];
                    if (c > max || Float.isNaN(c)) {
                        max = c;
                        off = diagonal;
                    }
                    y[out + q] = max;
                    arg[args + q] = st[at + q] + off;
                }
                o0 = o;
            }
        }
    }
}
