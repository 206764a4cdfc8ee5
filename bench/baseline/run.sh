#!/usr/bin/env bash
# Builds and runs the OpenBLAS baseline (needs: apt-get install -y libopenblas-dev gcc) with 1 and 2 threads.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${TMPDIR:-/tmp}/descent-blas-baseline"
gcc -O2 -o "$out" "$here/blas_baseline.c" -lopenblas
for t in ${THREADS:-1 2}; do OPENBLAS_NUM_THREADS=$t "$out"; done
