#!/usr/bin/env bash
# The peers and Descent, measured in one run on this machine with 1 and 2 threads, alternating
# rounds: `descent bench` vs NumPy/OpenBLAS (native kernel and machine setting) vs PyTorch's CPU,
# and sgemm vs OpenBLAS; prints one table with the ratios (see compare.py).
# Needs: apt-get install -y python3-numpy python3-threadpoolctl python3-torch
# C=1 also runs the cblas_sgemm/saxpy program (apt-get install -y libopenblas-dev gcc).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "${C:-0}" = 1 ]; then
  out="${TMPDIR:-/tmp}/descent-blas-baseline"
  gcc -O2 -o "$out" "$here/blas_baseline.c" -lopenblas
  for t in ${THREADS:-1 2}; do OPENBLAS_NUM_THREADS=$t "$out"; done
fi
exec /usr/bin/python3 "$here/compare.py" --threads ${THREADS:-1 2} "$@"
