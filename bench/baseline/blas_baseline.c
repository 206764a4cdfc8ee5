/*
 * OpenBLAS baseline for Descent's benchmarks: cblas_sgemm GFLOP/s in the three layouts of a
 * dense layer (NN, TN, NT) at the MNIST MLP sizes and at 1024/2048 squares, and cblas_saxpy
 * bandwidth over 64M floats. Prints one line per case: the median of the timed repetitions.
 * Threads: OPENBLAS_NUM_THREADS (run.sh sets 1 and 2).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static float *randoms(size_t n, unsigned seed) {
    float *x = malloc(n * sizeof(float));
    srand(seed);
    for (size_t i = 0; i < n; i++) x[i] = (float)rand() / RAND_MAX * 2 - 1;
    return x;
}

/* C[m×n] = op(A)·op(B), row-major, like Backend.matmul / matmulTN / matmulNT. */
static void gemm(const char *layout, int m, int n, int k) {
    float *a = randoms((size_t)m * k, 1), *b = randoms((size_t)k * n, 2), *c = calloc((size_t)m * n, sizeof(float));
    int ta = layout[0] == 'T', tb = layout[1] == 'T';
    double flops = 2.0 * m * n * k;
    int reps = flops > 1e9 ? 1 : (int)(2e8 / flops) + 1, samples = 15;
    double t[15];
    for (int s = -3; s < samples; s++) {
        double t0 = now();
        for (int r = 0; r < reps; r++)
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
                        a, ta ? m : k, b, tb ? k : n, 0.0f, c, n);
        if (s >= 0) t[s] = (now() - t0) / reps;
    }
    qsort(t, samples, sizeof(double), cmp);
    printf("sgemm %s m=%d n=%d k=%d threads=%s  median %.3f ms  %.1f GFLOP/s\n", layout, m, n, k,
           getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "?", t[samples / 2] * 1e3,
           flops / t[samples / 2] / 1e9);
    free(a), free(b), free(c);
}

static void saxpy(int n) {
    float *x = randoms(n, 3), *y = randoms(n, 4);
    int samples = 9;
    double t[9];
    for (int s = -2; s < samples; s++) {
        double t0 = now();
        cblas_saxpy(n, 1e-3f, x, 1, y, 1);
        if (s >= 0) t[s] = now() - t0;
    }
    qsort(t, samples, sizeof(double), cmp);
    double bytes = 3.0 * n * sizeof(float); /* read x, read y, write y */
    printf("saxpy n=%d threads=%s  median %.2f ms  %.1f GB/s\n", n,
           getenv("OPENBLAS_NUM_THREADS") ? getenv("OPENBLAS_NUM_THREADS") : "?", t[samples / 2] * 1e3,
           bytes / t[samples / 2] / 1e9);
    free(x), free(y);
}

int main(void) {
    const char *layouts[] = {"NN", "TN", "NT"};
    /* the MNIST MLP step (batch 64): forward X·Wᵀ, weight gradient dYᵀ·X, input gradient dY·W */
    gemm("NT", 64, 128, 784);
    gemm("TN", 128, 784, 64);
    gemm("NN", 64, 784, 128);
    for (int l = 0; l < 3; l++) gemm(layouts[l], 1024, 1024, 1024);
    for (int l = 0; l < 3; l++) gemm(layouts[l], 2048, 2048, 2048);
    saxpy(64 << 20);
    return 0;
}
