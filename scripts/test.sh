#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite: formatting,
# lints, Rust tests (with a private Secret Service), the UI's checks and unit
# tests, and the end-to-end tests in a real window under Xvfb.
# Exits non-zero when any step fails.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

set -e
ensure_apt "${APT_APP[@]}" "${APT_TEST[@]}"
ensure_tauri_driver
ensure_npm "$ROOT/ui"
ensure_npm "$ROOT/tests/e2e"
set +e

# A private D-Bus session with an unlocked GNOME Keyring, and throwaway XDG
# dirs: tests never touch the developer's keychain or app data.
TEST_ROOT="$(mktemp -d -t portal-test.XXXXXX)"
trap 'rm -rf "$TEST_ROOT"' EXIT
in_keyring() {
  XDG_DATA_HOME="$TEST_ROOT/data" XDG_CONFIG_HOME="$TEST_ROOT/config" XDG_CACHE_HOME="$TEST_ROOT/cache" \
  dbus-run-session -- bash -c '
    mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
    eval "$(printf %s portal-test-keyring | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
    export GNOME_KEYRING_CONTROL PORTAL_TEST_KEYCHAIN=1
    exec "$@"' in_keyring "$@"
}

FAILED=()
PASSED=()
step() {
  local name="$1"; shift
  say "$name"
  local start=$SECONDS
  if "$@"; then PASSED+=("$name"); else FAILED+=("$name"); fi
  echo "    ($name: $((SECONDS - start)) s)" >&2
}

bindings_fresh() {
  # `cargo test` regenerates ui/src/lib/bindings; committed files must match.
  local stale
  stale=$(git status --porcelain -- ui/src/lib/bindings)
  if [ -n "$stale" ]; then
    echo "TypeScript bindings are stale; commit the regenerated files:" >&2
    echo "$stale" >&2
    return 1
  fi
}

ui() { (cd "$ROOT/ui" && npm run --silent "$@"); }

step "UI build" build_ui
step "cargo fmt" cargo fmt --all --check
step "cargo clippy" cargo clippy --workspace --all-targets "${APP_FEATURES[@]}" --quiet -- -D warnings
step "cargo test" in_keyring cargo test --workspace "${APP_FEATURES[@]}"
step "bindings up to date" bindings_fresh
step "svelte-check" ui check
step "vitest" ui test
step "app build (debug)" cargo build -p partner-portal "${APP_FEATURES[@]}" --quiet
step "app end-to-end (WebDriver, Xvfb)" in_keyring xvfb-run -a -s "-screen 0 1280x800x24" \
  node --test --test-concurrency=1 tests/e2e/

echo
echo "Steps passed: ${#PASSED[@]}; failed: ${#FAILED[@]}"
for f in "${FAILED[@]}"; do echo "  FAILED: $f"; done
[ ${#FAILED[@]} -eq 0 ]
