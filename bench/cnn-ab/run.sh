#!/usr/bin/env bash
# Round-robin A/B of ./descent cnn's training step in one JVM: a revision's core (the base) against
# the working tree's, with the base loaded a second time as the A/A control, each build behind its own
# class loader (CnnRoundRobin.java, CnnStep.java), on the first 64 digits of MNIST-10k.
# Usage: bench/cnn-ab/run.sh [REV (default HEAD)] [THREADS (1)] [ROUNDS (25)]; extra JVM flags in JAVA_OPTS
# (JAVA_OPTS="-Dab.model=mlp -Dab.steps=200" times ./descent bench's MLP step instead, 200 steps a round).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rev="${1:-HEAD}" threads="${2:-1}" rounds="${3:-25}"
data="${DESCENT_DATA:-$root/../shared/data}/mnist10k"
(cd "$root" && mvn -q -B -o -Dspotless.check.skip=true -pl core compile)
work="$(mktemp -d)"
trap 'git -C "$root" worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$root" worktree add --detach -q "$work/base" "$rev"
(cd "$work/base" && mvn -q -B -o -Dspotless.check.skip=true -pl core compile)
mkdir -p "$work/harness"
if ! javac --add-modules jdk.incubator.vector --release 17 -nowarn -cp "$root/core/target/classes" \
  -d "$work/harness" "$root"/bench/cnn-ab/*.java > "$work/javac.log" 2>&1; then
  grep -v 'incubator' "$work/javac.log" >&2
  exit 1
fi
echo "base: $rev ($(git -C "$root" rev-parse --short "$rev")); new: the working tree; $threads thread(s)"
java --add-modules jdk.incubator.vector ${JAVA_OPTS:-} -cp "$work/harness" CnnRoundRobin "$threads" "$rounds" "$data" \
  "$work/harness" "$work/base/core/target/classes" "$root/core/target/classes" "$work/base/core/target/classes" \
  2>&1 | grep -v '^WARNING: Using incubator'
