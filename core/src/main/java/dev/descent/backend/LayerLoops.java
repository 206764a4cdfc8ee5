package dev.descent.backend;

import java.util.Arrays;

/**
 * The plain-Java loops behind {@link Backend}'s layer operations (im2col, pooling, normalisation,
 * dropout), the reference every other backend's kernels are tested against. Each method is the
 * default of the {@link Backend} method of the same name; see there for what it reads and
 * overwrites.
 */
final class LayerLoops {
    private LayerLoops() {}

    /** {@link Backend#sparseLinear} for the rows {@code [from, to)} only. */
    static void sparseLinear(
            int[] rowStart,
            int[] columns,
            float[] values,
            int from,
            int to,
            float[] w,
            int wOff,
            int inputs,
            float[] bias,
            int biasOff,
            float[] z,
            int zOff,
            int outputs) {
        for (int r = from; r < to; r++) {
            int lo = rowStart[r], hi = rowStart[r + 1];
            for (int o = 0; o < outputs; o++) {
                int row = wOff + o * inputs;
                float sum = 0;
                for (int k = lo; k < hi; k++) sum += values[k] * w[row + columns[k]];
                z[zOff + r * outputs + o] = sum + bias[biasOff + o];
            }
        }
    }

    /**
     * {@link Backend#sparseWeightGradient} into the columns {@code [from, to)} only: each gradient
     * element receives its terms in row order however the columns are split.
     */
    static void sparseWeightGradient(
            float[] dz,
            int dzOff,
            int outputs,
            int[] rowStart,
            int[] columns,
            float[] values,
            int rows,
            float[] g,
            int gOff,
            int inputs,
            int from,
            int to) {
        for (int r = 0; r < rows; r++) {
            int lo = rowStart[r], hi = rowStart[r + 1];
            for (int o = 0; o < outputs; o++) {
                float d = dz[dzOff + r * outputs + o];
                int row = gOff + o * inputs;
                for (int k = lo; k < hi; k++) {
                    int c = columns[k];
                    if (c >= from && c < to) g[row + c] += d * values[k];
                }
            }
        }
    }

    /** First output column whose kernel column j reads inside the image: {@code ow·sw − pw + j >= 0}. */
    private static int firstInside(ImageWindow v, int j) {
        int need = v.paddingWidth() - j;
        return need <= 0 ? 0 : (need + v.strideWidth() - 1) / v.strideWidth();
    }

    /** One past the last output column whose kernel column j reads inside the image. */
    private static int endInside(ImageWindow v, int j, int ow) {
        return Math.min(ow, Math.floorDiv(v.width() - 1 + v.paddingWidth() - j, v.strideWidth()) + 1);
    }

    static void im2col(ImageWindow v, float[] x, int xOff, int rows, float[] col, int colOff) {
        int h = v.height(), w = v.width(), oh = v.outHeight(), ow = v.outWidth(), kh = v.kernelHeight();
        int kw = v.kernelWidth(), sh = v.strideHeight(), sw = v.strideWidth(), ph = v.paddingHeight();
        int plane = oh * ow, gp = rows * plane, hw = h * w, inWidth = v.inputSize();
        for (int ch = 0; ch < v.channels(); ch++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++) {
                    int r = (ch * kh + i) * kw + j;
                    int lo = firstInside(v, j), hi = endInside(v, j, ow);
                    for (int e = 0; e < rows; e++) {
                        int xBase = xOff + e * inWidth + ch * hw, cBase = colOff + r * gp + e * plane;
                        for (int a = 0; a < oh; a++) {
                            int ih = a * sh - ph + i, d = cBase + a * ow;
                            if (ih < 0 || ih >= h || lo >= hi) {
                                Arrays.fill(col, d, d + ow, 0f);
                                continue;
                            }
                            if (lo > 0) Arrays.fill(col, d, d + lo, 0f);
                            int src = xBase + ih * w - v.paddingWidth() + j;
                            if (sw == 1) System.arraycopy(x, src + lo, col, d + lo, hi - lo);
                            else for (int q = lo; q < hi; q++) col[d + q] = x[src + q * sw];
                            if (hi < ow) Arrays.fill(col, d + hi, d + ow, 0f);
                        }
                    }
                }
    }

    static void col2im(ImageWindow v, float[] col, int colOff, int rows, float[] dx, int dxOff) {
        int h = v.height(), w = v.width(), oh = v.outHeight(), ow = v.outWidth(), kh = v.kernelHeight();
        int kw = v.kernelWidth(), sh = v.strideHeight(), sw = v.strideWidth(), ph = v.paddingHeight();
        int plane = oh * ow, gp = rows * plane, hw = h * w, inWidth = v.inputSize();
        Arrays.fill(dx, dxOff, dxOff + rows * inWidth, 0f);
        for (int ch = 0; ch < v.channels(); ch++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++) {
                    int r = (ch * kh + i) * kw + j;
                    int lo = firstInside(v, j), hi = endInside(v, j, ow);
                    if (lo >= hi) continue;
                    for (int e = 0; e < rows; e++) {
                        int xBase = dxOff + e * inWidth + ch * hw, cBase = colOff + r * gp + e * plane;
                        for (int a = 0; a < oh; a++) {
                            int ih = a * sh - ph + i;
                            if (ih < 0 || ih >= h) continue;
                            int d = cBase + a * ow, dst = xBase + ih * w - v.paddingWidth() + j;
                            if (sw == 1) for (int q = lo; q < hi; q++) dx[dst + q] += col[d + q];
                            else for (int q = lo; q < hi; q++) dx[dst + q * sw] += col[d + q];
                        }
                    }
                }
    }

    static void channelMajorToRows(
            float[] src,
            int srcOff,
            int rows,
            int channels,
            int plane,
            float[] bias,
            int biasOff,
            float[] dst,
            int dstOff) {
        int gp = rows * plane, width = channels * plane;
        for (int o = 0; o < channels; o++) {
            float b = bias[biasOff + o];
            for (int e = 0; e < rows; e++) {
                int s = srcOff + o * gp + e * plane, d = dstOff + e * width + o * plane;
                for (int q = 0; q < plane; q++) dst[d + q] = src[s + q] + b;
            }
        }
    }

    static void rowsToChannelMajor(
            float[] src, int srcOff, int rows, int channels, int plane, float[] dst, int dstOff) {
        int gp = rows * plane, width = channels * plane;
        for (int o = 0; o < channels; o++)
            for (int e = 0; e < rows; e++)
                System.arraycopy(src, srcOff + e * width + o * plane, dst, dstOff + o * gp + e * plane, plane);
    }

    /**
     * Four rows at a time: four independent float sums in flight instead of one latency-bound
     * chain; each row is still summed alone in column order.
     */
    static void sumEachRow(float[] a, int aOff, int rows, int cols, float[] out, int outOff, boolean accumulate) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int q = aOff + r * cols, end = q + cols; q < end; q++) {
                s0 += a[q];
                s1 += a[q + cols];
                s2 += a[q + 2 * cols];
                s3 += a[q + 3 * cols];
            }
            int o = outOff + r;
            out[o] = accumulate ? out[o] + s0 : s0;
            out[o + 1] = accumulate ? out[o + 1] + s1 : s1;
            out[o + 2] = accumulate ? out[o + 2] + s2 : s2;
            out[o + 3] = accumulate ? out[o + 3] + s3 : s3;
        }
        for (; r < rows; r++) {
            float sum = 0;
            for (int q = aOff + r * cols, end = q + cols; q < end; q++) sum += a[q];
            if (accumulate) out[outOff + r] += sum;
            else out[outOff + r] = sum;
        }
    }

    static void maxPool(ImageWindow v, float[] x, int xOff, int rows, float[] y, int yOff, float[] arg, int argOff) {
        int ch = v.channels(), h = v.height(), w = v.width(), oh = v.outHeight(), ow = v.outWidth();
        int kh = v.kernelHeight(), kw = v.kernelWidth(), sh = v.strideHeight(), sw = v.strideWidth();
        int inWidth = v.inputSize(), outWidth = ch * oh * ow;
        for (int n = 0; n < rows; n++) {
            int xRow = xOff + n * inWidth, o = n * outWidth;
            for (int k = 0; k < ch; k++)
                for (int a = 0; a < oh; a++)
                    for (int b = 0; b < ow; b++, o++) {
                        int first = k * h * w + a * sh * w + b * sw, best = first;
                        float max = x[xRow + first];
                        for (int i = 0; i < kh; i++)
                            for (int j = 0; j < kw; j++) {
                                int at = first + i * w + j;
                                float val = x[xRow + at];
                                if (val > max || Float.isNaN(val)) {
                                    max = val;
                                    best = at;
                                }
                            }
                        y[yOff + o] = max;
                        arg[argOff + o] = best;
                    }
        }
    }

    static void maxPoolBackward(
            ImageWindow v, float[] dy, int dyOff, float[] arg, int argOff, int rows, float[] dx, int dxOff) {
        int inWidth = v.inputSize(), outWidth = v.channels() * v.plane();
        boolean apart = v.strideHeight() >= v.kernelHeight() && v.strideWidth() >= v.kernelWidth();
        for (int n = 0; n < rows; n++) {
            int row = dxOff + n * inWidth;
            Arrays.fill(dx, row, row + inWidth, 0f); // an image at a time: its row is in cache for the scatter
            if (apart) // windows apart: each element gets one gradient at most, 0 + dy without reading it back
            for (int o = n * outWidth, end = o + outWidth; o < end; o++)
                    dx[row + (int) arg[argOff + o]] = 0f + dy[dyOff + o];
            else
                for (int o = n * outWidth, end = o + outWidth; o < end; o++)
                    dx[row + (int) arg[argOff + o]] += dy[dyOff + o];
        }
    }

    static void avgPool(ImageWindow v, float[] x, int xOff, int rows, float[] y, int yOff) {
        int ch = v.channels(), h = v.height(), w = v.width(), oh = v.outHeight(), ow = v.outWidth();
        int kh = v.kernelHeight(), kw = v.kernelWidth(), sh = v.strideHeight(), sw = v.strideWidth();
        int inWidth = v.inputSize(), outWidth = ch * oh * ow;
        float inv = 1f / (kh * kw);
        for (int n = 0; n < rows; n++) {
            int xRow = xOff + n * inWidth, o = n * outWidth;
            for (int k = 0; k < ch; k++)
                for (int a = 0; a < oh; a++)
                    for (int b = 0; b < ow; b++, o++) {
                        int first = xRow + k * h * w + a * sh * w + b * sw;
                        float sum = 0;
                        for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++) sum += x[first + i * w + j];
                        y[yOff + o] = sum * inv;
                    }
        }
    }

    static void avgPoolBackward(ImageWindow v, float[] dy, int dyOff, int rows, float[] dx, int dxOff) {
        int ch = v.channels(), h = v.height(), w = v.width(), oh = v.outHeight(), ow = v.outWidth();
        int kh = v.kernelHeight(), kw = v.kernelWidth(), sh = v.strideHeight(), sw = v.strideWidth();
        int inWidth = v.inputSize(), outWidth = ch * oh * ow;
        float inv = 1f / (kh * kw);
        Arrays.fill(dx, dxOff, dxOff + rows * inWidth, 0f);
        for (int n = 0; n < rows; n++) {
            int xRow = dxOff + n * inWidth, o = dyOff + n * outWidth;
            for (int k = 0; k < ch; k++)
                for (int a = 0; a < oh; a++)
                    for (int b = 0; b < ow; b++, o++) {
                        int first = xRow + k * h * w + a * sh * w + b * sw;
                        float g = dy[o] * inv;
                        for (int i = 0; i < kh; i++) for (int j = 0; j < kw; j++) dx[first + i * w + j] += g;
                    }
        }
    }

    static void batchNormForward(
            float[] x,
            int xOff,
            int rows,
            int channels,
            int positions,
            float[] p,
            int weightOff,
            int biasOff,
            float[] buf,
            int meanOff,
            int varOff,
            int trackedOff,
            boolean training,
            boolean cumulative,
            double momentum,
            double eps,
            float[] s,
            int xhatOff,
            int rstdOff,
            float[] y,
            int yOff) {
        int width = channels * positions;
        long n = (long) rows * positions;
        double factor = 0;
        if (training) {
            buf[trackedOff] += 1;
            factor = cumulative ? 1.0 / buf[trackedOff] : momentum;
        }
        for (int ch = 0; ch < channels; ch++) {
            double mu, rstd;
            if (training) {
                double sum = 0;
                for (int r = 0; r < rows; r++)
                    for (int o = xOff + r * width + ch * positions, e = o + positions; o < e; o++) sum += x[o];
                mu = sum / n;
                double squares = 0;
                for (int r = 0; r < rows; r++)
                    for (int o = xOff + r * width + ch * positions, e = o + positions; o < e; o++) {
                        double d = x[o] - mu;
                        squares += d * d;
                    }
                rstd = 1 / Math.sqrt(squares / n + eps);
                buf[meanOff + ch] = (float) ((1 - factor) * buf[meanOff + ch] + factor * mu);
                buf[varOff + ch] = (float) ((1 - factor) * buf[varOff + ch] + factor * squares / (n - 1));
            } else {
                mu = buf[meanOff + ch];
                rstd = 1 / Math.sqrt(buf[varOff + ch] + eps);
            }
            s[rstdOff + ch] = (float) rstd;
            float g = p[weightOff + ch], beta = p[biasOff + ch];
            for (int r = 0; r < rows; r++)
                for (int o = r * width + ch * positions, e = o + positions; o < e; o++) {
                    float hat = (float) ((x[xOff + o] - mu) * rstd);
                    s[xhatOff + o] = hat;
                    y[yOff + o] = hat * g + beta;
                }
        }
    }

    static void batchNormBackward(
            float[] dy,
            int dyOff,
            int rows,
            int channels,
            int positions,
            float[] p,
            float[] g,
            int weightOff,
            int biasOff,
            boolean accumulate,
            boolean training,
            float[] s,
            int xhatOff,
            int rstdOff,
            float[] dx,
            int dxOff) {
        int width = channels * positions;
        double n = (double) rows * positions;
        for (int ch = 0; ch < channels; ch++) {
            double sumDy = 0, sumDyH = 0;
            for (int r = 0; r < rows; r++)
                for (int o = r * width + ch * positions, e = o + positions; o < e; o++) {
                    sumDy += dy[dyOff + o];
                    sumDyH += (double) dy[dyOff + o] * s[xhatOff + o];
                }
            if (accumulate) {
                g[weightOff + ch] += (float) sumDyH;
                g[biasOff + ch] += (float) sumDy;
            } else {
                g[weightOff + ch] = (float) sumDyH;
                g[biasOff + ch] = (float) sumDy;
            }
            if (dx == null) continue;
            double gamma = p[weightOff + ch], rstd = s[rstdOff + ch];
            double meanD = training ? gamma * sumDy / n : 0, meanDH = training ? gamma * sumDyH / n : 0;
            for (int r = 0; r < rows; r++)
                for (int o = r * width + ch * positions, e = o + positions; o < e; o++)
                    dx[dxOff + o] = (float) ((dy[dyOff + o] * gamma - meanD - s[xhatOff + o] * meanDH) * rstd);
        }
    }

    static void layerNormForward(
            float[] x,
            int xOff,
            int rows,
            int n,
            float[] p,
            int weightOff,
            int biasOff,
            double eps,
            float[] s,
            int xhatOff,
            int rstdOff,
            float[] y,
            int yOff) {
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            double mean = 0;
            for (int j = 0; j < n; j++) mean += x[xOff + o + j];
            mean /= n;
            double var = 0;
            for (int j = 0; j < n; j++) {
                double d = x[xOff + o + j] - mean;
                var += d * d;
            }
            float rstd = (float) (1 / Math.sqrt(var / n + eps));
            s[rstdOff + r] = rstd;
            for (int j = 0; j < n; j++) {
                float hat = (float) (x[xOff + o + j] - mean) * rstd;
                s[xhatOff + o + j] = hat;
                y[yOff + o + j] = hat * p[weightOff + j] + p[biasOff + j];
            }
        }
    }

    /** The weight gradient and dx of layer norm (the bias gradient is {@link Backend#sumRows} of dy). */
    static void layerNormBackward(
            float[] dy,
            int dyOff,
            int rows,
            int n,
            float[] p,
            float[] g,
            int weightOff,
            boolean accumulate,
            float[] s,
            int xhatOff,
            int rstdOff,
            float[] dx,
            int dxOff) {
        if (!accumulate) Arrays.fill(g, weightOff, weightOff + n, 0f);
        for (int r = 0; r < rows; r++) {
            int o = r * n;
            for (int j = 0; j < n; j++) g[weightOff + j] += dy[dyOff + o + j] * s[xhatOff + o + j];
            if (dx == null) continue;
            double mean = 0, meanDot = 0;
            for (int j = 0; j < n; j++) {
                double d = dy[dyOff + o + j] * p[weightOff + j];
                mean += d;
                meanDot += d * s[xhatOff + o + j];
            }
            mean /= n;
            meanDot /= n;
            float rstd = s[rstdOff + r];
            for (int j = 0; j < n; j++)
                dx[dxOff + o + j] =
                        (float) ((dy[dyOff + o + j] * p[weightOff + j] - mean - s[xhatOff + o + j] * meanDot) * rstd);
        }
    }

    static void dropout(
            float[] x, int xOff, float[] y, int yOff, float[] mask, int maskOff, int n, long key, double p) {
        float keep = (float) (1 / (1 - p));
        for (int i = 0; i < n; i++) {
            mask[maskOff + i] = CounterRandom.uniform(key, i) < p ? 0f : keep;
            y[yOff + i] = x[xOff + i] * mask[maskOff + i];
        }
    }
}
