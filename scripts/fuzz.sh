#!/usr/bin/env bash
# Fuzzing (issue 6): builds the cargo-fuzz targets in fuzz/ and runs each one
# for a bounded time, starting from the committed seed corpus.
#
#   scripts/fuzz.sh                      # every target, FUZZ_SECONDS each
#   FUZZ_SECONDS=3600 scripts/fuzz.sh pem_import
#
# Environment:
#   FUZZ_SECONDS    seconds per target (default 20)
#   FUZZ_SANITIZER  none (default) or address: ASan builds in fuzz/target/asan
#   FUZZ_TIMEOUT    seconds one input may take before it counts as a hang (default 25)
#   FUZZ_RSS_MB     memory limit in MiB before it counts as a blow-up (default 2048)
#   FUZZ_SEED       libFuzzer's random seed (default: a new one each run);
#                   scripts/test.sh fixes it, so that CI replays the same
#                   mutations each run and a finding reproduces by hand
#
# A crash, hang or memory blow-up is saved under fuzz/artifacts/<target>/ and
# the script exits non-zero after running the other targets. New inputs that
# reach new code go to fuzz/target/corpus/<target>/ (not committed; see the
# README's "Fuzzing" section to add them to fuzz/corpus/).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"

SECONDS_EACH="${FUZZ_SECONDS:-20}"
SANITIZER="${FUZZ_SANITIZER:-none}"
TIMEOUT="${FUZZ_TIMEOUT:-25}"
RSS_MB="${FUZZ_RSS_MB:-2048}"
SEED_ARGS=()
[ -n "${FUZZ_SEED:-}" ] && SEED_ARGS=(-seed="$FUZZ_SEED")

CARGO_FUZZ_VERSION=0.13.2
if ! cargo fuzz --version >/dev/null 2>&1; then
  say "Installing cargo-fuzz $CARGO_FUZZ_VERSION (cargo install, ~1 min)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --quiet
fi

# cargo-fuzz passes nightly-only flags to rustc (-Zsanitizer=…, coverage
# options); the stable toolchain accepts them when bootstrapping is allowed.
export RUSTC_BOOTSTRAP=1

cd "$ROOT/fuzz"
TARGET_DIR="target"
[ "$SANITIZER" = none ] || TARGET_DIR="target/$SANITIZER"
FUZZ=(cargo fuzz)
FLAGS=(--sanitizer "$SANITIZER" --target-dir "$TARGET_DIR")

if [ $# -gt 0 ]; then
  TARGETS=("$@")
else
  mapfile -t TARGETS < <(cargo fuzz list)
fi

say "Building ${#TARGETS[@]} fuzz target(s) (sanitizer: $SANITIZER)"
start=$(date +%s)
if [ $# -gt 0 ]; then
  for t in "${TARGETS[@]}"; do "${FUZZ[@]}" build "${FLAGS[@]}" "$t"; done
else
  "${FUZZ[@]}" build "${FLAGS[@]}"
fi
say "Built in $(($(date +%s) - start)) s"

failed=()
for t in "${TARGETS[@]}"; do
  [ -d "corpus/$t" ] || { echo "No seed corpus fuzz/corpus/$t" >&2; failed+=("$t"); continue; }
  work="target/corpus/$t"
  mkdir -p "$work" "artifacts/$t"
  say "Fuzzing $t for ${SECONDS_EACH} s"
  # New inputs go to the first directory; the committed seeds are only read.
  if ! "${FUZZ[@]}" run "${FLAGS[@]}" "$t" "$work" "corpus/$t" -- \
      -max_total_time="$SECONDS_EACH" -timeout="$TIMEOUT" -rss_limit_mb="$RSS_MB" \
      -print_final_stats=1 "${SEED_ARGS[@]}" 2> "target/$t.log"; then
    tail -n 40 "target/$t.log" >&2
    echo "fuzz target $t FAILED: the input is in fuzz/artifacts/$t/ (full log: fuzz/target/$t.log)" >&2
    failed+=("$t")
  else
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' "target/$t.log" | tr '\n' ' ' >&2
    echo >&2
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "Fuzzing failed: ${failed[*]}" >&2
  exit 1
fi
say "Fuzzing: ${#TARGETS[@]} target(s) ran ${SECONDS_EACH} s each with no crash in $(($(date +%s) - start)) s"
