#!/usr/bin/env bash
# The peers, measured in the same session as Descent's benchmarks, each with 1 and 2 threads:
#  - OpenBLAS cblas_sgemm / cblas_saxpy (needs: apt-get install -y libopenblas-dev gcc);
#  - the `descent bench` workload trained in NumPy (OpenBLAS sgemm under a Python loop), in a venv
#    made on first use (`pip install numpy`; set PIP_FIND_LINKS=DIR to install from a local mirror
#    without network; NUMPY=0 skips it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${TMPDIR:-/tmp}/descent-blas-baseline"
gcc -O2 -o "$out" "$here/blas_baseline.c" -lopenblas
for t in ${THREADS:-1 2}; do OPENBLAS_NUM_THREADS=$t "$out"; done

if [ "${NUMPY:-1}" != 0 ]; then
  venv="${TMPDIR:-/tmp}/descent-numpy-venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import numpy' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q ${PIP_FIND_LINKS:+--no-index --find-links "$PIP_FIND_LINKS"} numpy
  fi
  for t in ${THREADS:-1 2}; do OPENBLAS_NUM_THREADS=$t "$venv/bin/python" "$here/numpy_mlp.py" "$@" | tail -1; done
fi
