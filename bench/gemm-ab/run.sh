#!/usr/bin/env bash
# Round-robin A/B of the SIMD backend's matrix product in one JVM: a revision's Gemm.java (the base)
# against the working tree's, with a second copy of the base as the A/A control (GemmRoundRobin.java).
# Usage: bench/gemm-ab/run.sh [REV (default HEAD)] [THREADS (1)] [ROUNDS (7)]; extra JVM flags in
# JAVA_OPTS, e.g. JAVA_OPTS=-XX:UseAVX=2 for the 6-row kernel.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rev="${1:-HEAD}" threads="${2:-1}" rounds="${3:-7}"
src=core/src/main/java/dev/descent/backend/Gemm.java
(cd "$root" && mvn -q -B -Dspotless.check.skip=true -pl core compile)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src" "$work/classes"
git -C "$root" show "$rev:$src" > "$work/base.java"
sed 's/\bGemm\b/GemmBase/g' "$work/base.java" > "$work/src/GemmBase.java"
sed 's/\bGemm\b/GemmBaseCopy/g' "$work/base.java" > "$work/src/GemmBaseCopy.java"
cp "$root/bench/gemm-ab/GemmRoundRobin.java" "$work/src/"
if ! javac --add-modules jdk.incubator.vector --release 17 -nowarn -cp "$root/core/target/classes" \
  -d "$work/classes" "$work"/src/*.java > "$work/javac.log" 2>&1; then
  grep -v 'incubator' "$work/javac.log" >&2
  exit 1
fi
echo "base: $rev ($(git -C "$root" rev-parse --short "$rev")); new: the working tree"
java --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -cp "$work/classes:$root/core/target/classes" \
  dev.descent.backend.GemmRoundRobin "$threads" "$rounds" 2>&1 | grep -v '^WARNING: Using incubator'
