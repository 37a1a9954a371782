#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite: formatting,
# lints, Rust tests (with a private Secret Service), the UI's checks and unit
# tests, and the end-to-end tests in a real window under Xvfb.
# Exits non-zero when any step fails.
set -uo pipefail
SELF="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

generated_fresh() {
  # `cargo test` regenerates ui/src/lib/bindings (ts-rs, and the command
  # client from src-tauri/src/commands/list.rs), the capability made from that
  # list, and the fault matrix's docs/RELIABILITY.md; the committed files must
  # match.
  local stale
  stale=$(git status --porcelain -- ui/src/lib/bindings src-tauri/capabilities docs/RELIABILITY.md)
  if [ -n "$stale" ]; then
    echo "Generated files are stale; commit the regenerated files:" >&2
    echo "$stale" >&2
    return 1
  fi
}

# Installing packages (ensure_npm, here and in bench.sh and package.sh) must
# leave the committed lock files as they are.
locks_untouched() {
  local changed
  changed=$(git status --porcelain -- '*package-lock.json')
  if [ -n "$changed" ]; then
    echo "The run changed lock files (an install rewrote them):" >&2
    echo "$changed" >&2
    return 1
  fi
}

ui() { (cd "$ROOT/ui" && npm run --silent "$@"); }

# Runs a command with its output on the terminal and in a file.
captured() { local file="$1"; shift; "$@" 2>&1 | tee "$file"; }

# Each step runs as `test.sh --step-run CMD…` under `timeout`, so that the
# functions above are there and a hung step is killed with all it started.
if [ "${1:-}" = --step-run ]; then
  shift
  "$@"
  exit $?
fi

# Free space where the build goes: a first run (cold caches) writes ~12 GB.
NEED_GB=15
free_gb() {
  local dir="${CARGO_TARGET_DIR:-$ROOT/target}"
  [ -d "$dir" ] || dir="$ROOT"
  df -Pk "$dir" | awk 'NR == 2 { printf "%d", $4 / 1048576 }'
}
FREE_GB="$(free_gb)"
say "Disk: $FREE_GB GB free for the build"
if [ "$FREE_GB" -lt "$NEED_GB" ]; then
  echo "WARNING: under $NEED_GB GB free. A first run needs ~12 GB (builds, fuzz targets," >&2
  echo "the benchmark's baseline); steps may fail with 'No space left on device'." >&2
fi

set -e
ensure_apt "${APT_APP[@]}" "${APT_TEST[@]}"
ensure_tauri_driver
ensure_npm "$ROOT/ui"
ensure_npm "$ROOT/tests/e2e"
set +e

# CI builds from nothing: incremental compilation buys nothing there and
# writes ~2 GB more.
[ "${CI:-}" = true ] && export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

TEST_ROOT="$(mktemp -d -t portal-test.XXXXXX)"
export TEST_ROOT
# PORTAL_TEST_KEEP=1 keeps it (it holds the run's throwaway test credentials).
trap '[ -n "${PORTAL_TEST_KEEP:-}" ] && echo "kept $TEST_ROOT" >&2 || rm -rf "$TEST_ROOT"' EXIT

# PORTAL_TEST_ONLY="app build,end-to-end,CLI,secrets": run only the steps
# whose names contain one of these (comma-separated); all steps otherwise.
selected() {
  [ -z "${PORTAL_TEST_ONLY:-}" ] && return 0
  local IFS=, s
  for s in $PORTAL_TEST_ONLY; do [[ "$1" == *"$s"* ]] && return 0; done
  return 1
}

FAILED=()
PASSED=()
# Each step's output also goes to a file, so that the summary at the end can
# repeat the last lines of a failed step (CI logs are often read from the end).
STEP_LOGS="$TEST_ROOT/steps"
mkdir -p "$STEP_LOGS"
step_log() { echo "$STEP_LOGS/$(printf %s "$1" | tr -c 'A-Za-z0-9' '_').log"; }
# A step that runs longer than PORTAL_STEP_TIMEOUT seconds (default 25 min;
# a cold `cargo test` takes ~5 min on 2 cores) is stopped and fails, so one
# hang cannot use up CI's time.
STEP_TIMEOUT="${PORTAL_STEP_TIMEOUT:-1500}"
step() {
  local name="$1"; shift
  selected "$name" || return 0
  say "$name"
  local start=$SECONDS log rc
  log="$(step_log "$name")"
  timeout --kill-after=30 "$STEP_TIMEOUT" "$SELF" --step-run "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "TIMED OUT: $name was stopped after $STEP_TIMEOUT s" | tee -a "$log" >&2
  fi
  if [ "$rc" -eq 0 ]; then PASSED+=("$name"); else FAILED+=("$name"); fi
  echo "    ($name: $((SECONDS - start)) s)" >&2
}

step "UI build" build_ui
step "cargo fmt" cargo fmt --all --check
step "cargo clippy" cargo clippy --workspace --all-targets "${APP_FEATURES[@]}" --quiet -- -D warnings
step "cargo test" in_keyring cargo test --workspace --no-fail-fast "${APP_FEATURES[@]}"
step "generated files up to date" generated_fresh
step "svelte-check" ui check
step "UI lint" ui lint
step "vitest" ui test
step "app build (debug)" cargo build -p partner-portal -p portal-cli "${APP_FEATURES[@]}" --quiet
# A third-party API tester: Schemathesis runs each docs/api/ document against
# the standalone sandbox (the `portal` just built), bounded in examples.
step "API conformance (Schemathesis)" env PORTAL_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/portal" \
  "$ROOT/scripts/api-fuzz.sh"
# Bad input: each cargo-fuzz target for a bounded time from the committed corpus.
# A fixed seed: each run replays the same mutations (further on a faster
# machine), so a finding reproduces; scripts/fuzz.sh alone draws a new seed.
step "fuzz (each target ${FUZZ_SECONDS:=10} s)" env FUZZ_SECONDS="$FUZZ_SECONDS" FUZZ_SEED="${FUZZ_SEED:-20261122}" \
  "$ROOT/scripts/fuzz.sh"
# The benchmark's short version (debug builds, small seeds): it fails when
# something crashes or a page never shows, never on a timing. It makes its
# own private keyring, so it runs outside in_keyring.
step "benchmark, short (fails on crashes only)" "$ROOT/scripts/bench.sh" --quick
# Supply chain: cargo deny (advisories, licenses, bans, sources), npm audit.
step "supply chain (cargo deny, npm audit)" "$ROOT/scripts/supply-chain.sh"

# Secrets never at rest or in logs (tests/e2e/secrets/): the E2E suite and a
# CLI scenario run with trace logs; the debug sandbox writes every secret it
# issues or accepts to a ledger (a test seam), the tests add what they saw
# and the keyring's items; then every file under $TEST_ROOT is scanned (XDG
# dirs, app data, logs, captured output, step logs). The ledger, the
# sandbox's own credentials and the scanner's scratch live in $SECRETS, the
# one directory not scanned.
SECRETS="$TEST_ROOT/secrets" LOGS="$TEST_ROOT/logs" E2E_DATA="$TEST_ROOT/e2e-data"
mkdir -p "$SECRETS" "$LOGS" "$E2E_DATA"
WITH_LEDGER=(env PORTAL_LOG=trace PORTAL_SANDBOX_SECRET_LEDGER="$SECRETS/ledger.jsonl")
step "app end-to-end (WebDriver, Xvfb)" captured "$LOGS/e2e.out" in_keyring "${WITH_LEDGER[@]}" \
  PORTAL_E2E_DATA_ROOT="$E2E_DATA" PORTAL_APP_OUTPUT="$LOGS/app" \
  PORTAL_APP_BIN="$ROOT/tests/e2e/secrets/app-with-output.sh" xvfb-run -a -s "-screen 0 1280x800x24" \
  node --test --test-concurrency=1 --test-timeout=300000 tests/e2e/
# The real install path: the .deb (of the debug build) installed with apt-get,
# the installed /usr/bin/partner-portal opened through WebDriver, uninstalled.
step "installed package (.deb, WebDriver)" "$ROOT/scripts/package.sh" --install-test
step "CLI scenario (trace logs)" in_keyring "${WITH_LEDGER[@]}" node tests/e2e/secrets/cli-scenario.mjs \
  --out "$LOGS/cli" --private "$SECRETS/cli" --exemptions "$SECRETS/exemptions.jsonl"
step "secrets at rest and in logs" in_keyring node tests/e2e/secrets/scan.mjs \
  --ledger "$SECRETS/ledger.jsonl" --keyring --exemptions "$SECRETS/exemptions.jsonl" \
  --scratch "$SECRETS/scratch" --root "$TEST_ROOT" --exclude "$SECRETS" \
  --expect '/portal-e2e-[^/]+/settings\.json$' --expect '/logs/[^/]+\.log$' \
  --expect '/sandbox/sandbox\.db$' --expect '/cli/.*\.stderr$' --expect '/e2e\.out$' \
  --expect '/app/app\.stdout$' --expect-in '/app/app\.stdout$=\]\[TRACE\]' \
  --expect-in '/logs/[^/]+\.log$=\]\[TRACE\]' --expect-in '/cli/.*\.stderr$= TRACE '

step "lock files untouched by the run" locks_untouched

echo
for f in "${FAILED[@]}"; do
  echo "---- the last lines of the failed step: $f ----"
  tail -n 40 "$(step_log "$f")"
done
[ ${#FAILED[@]} -gt 0 ] && echo "Disk: $(free_gb) GB free for the build"
echo "Steps passed: ${#PASSED[@]}; failed: ${#FAILED[@]}"
for f in "${FAILED[@]}"; do echo "  FAILED: $f"; done
[ ${#FAILED[@]} -eq 0 ]
