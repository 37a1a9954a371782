#!/usr/bin/env bash
# The benchmark (issue 8): start-up and memory against a blank Tauri window,
# sizes, RSA key generation against OpenSSL, a 100 000-asset list (CLI fetch,
# first page, scroll and filter in the real webview) and the CLI against curl.
# Installs what is missing, builds (release), prints the table and writes it
# with the machine's details to docs/PERFORMANCE.md.
#
#   scripts/bench.sh           full run (release builds, 5 interleaved launches, 100 000 assets)
#   scripts/bench.sh --quick   CI: debug builds, 2 launches, 2 000 assets, no .deb, no doc;
#                              fails only when something crashes, never on a timing
#
# BENCH_RUNS, BENCH_SEED and BENCH_KEYGEN_RUNS override the full run's counts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

QUICK=0
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $a" >&2; exit 2 ;;
  esac
done
LOAD_START="$(cut -d' ' -f1-3 /proc/loadavg)"

ensure_apt "${APT_APP[@]}" xvfb xauth webkit2gtk-driver gnome-keyring dbus hyperfine openssl
ensure_tauri_driver
build_ui

# The baseline is its own workspace (excluded from the main one) sharing the
# main target dir, so it reuses the compiled dependencies it has in common.
BASELINE_MANIFEST="$ROOT/bench/baseline/Cargo.toml"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR="$ROOT/$CARGO_TARGET_DIR" ;; esac

if [ "$QUICK" = 1 ]; then
  PROFILE=debug
  say "Building (debug: the builds scripts/test.sh makes anyway, plus the baseline)"
  cargo build --quiet -p partner-portal "${APP_FEATURES[@]}"
  cargo build --quiet -p portal-cli
  cargo build --quiet -p portal-core --example keygen_bench
  cargo build --quiet --manifest-path "$BASELINE_MANIFEST"
  BENCH_ARGS=(--quick --runs 2 --seed 2000 --scroll-runs 1 --filter-runs 2 --cli-runs 5 --fetch-runs 2 --settle-ms 1000)
  KEYGEN_ARGS=(--quick)
else
  PROFILE=release
  say "Building (release; the first build takes several minutes)"
  cargo build --quiet --release -p portal-cli -p partner-portal "${APP_FEATURES[@]}"
  cargo build --quiet --release -p portal-core --example keygen_bench
  cargo build --quiet --release --manifest-path "$BASELINE_MANIFEST"
  BENCH_ARGS=(--runs "${BENCH_RUNS:-5}" --seed "${BENCH_SEED:-100000}")
  KEYGEN_ARGS=(--runs "${BENCH_KEYGEN_RUNS:-20}" --bits 2048,4096)
fi
BIN="$CARGO_TARGET_DIR/$PROFILE"

WORK="$(mktemp -d -t portal-bench.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

DEB_SIZE=null
if [ "$QUICK" = 0 ]; then
  say "Bundling the .deb from the release binary (Tauri CLI from npm)"
  ensure_npm "$ROOT/bench"
  if (cd "$ROOT/src-tauri" && "$ROOT/bench/node_modules/.bin/tauri" bundle --bundles deb >"$WORK/deb.log" 2>&1); then
    DEB="$(ls -t "$BIN"/bundle/deb/*.deb 2>/dev/null | head -1)"
    [ -n "$DEB" ] && DEB_SIZE="$(stat -c %s "$DEB")"
  else
    echo "The .deb could not be bundled (its size stays empty):" >&2
    tail -5 "$WORK/deb.log" >&2
  fi
fi

size() { if [ -f "$1" ]; then stat -c %s "$1"; else echo null; fi; }
cat >"$WORK/sizes.json" <<EOF
{"appBinary": $(size "$BIN/partner-portal"), "baselineBinary": $(size "$BIN/portal-bench-baseline"),
 "portal": $(size "$BIN/portal"), "deb": $DEB_SIZE, "loadStart": "$LOAD_START", "profile": "$PROFILE"}
EOF

say "Key generation: ours against openssl genrsa"
"$BIN/examples/keygen_bench" "${KEYGEN_ARGS[@]}" | tee "$WORK/keygen.txt"

say "Start-up, memory, large list and CLI (Xvfb, private keyring, tauri-driver)"
# A private D-Bus session with its own unlocked keyring and throwaway XDG
# dirs: the bench profile's credentials never touch the user's keychain.
XDG_DATA_HOME="$WORK/xdg/data" XDG_CONFIG_HOME="$WORK/xdg/config" XDG_CACHE_HOME="$WORK/xdg/cache" \
dbus-run-session -- bash -c '
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
  eval "$(printf %s portal-bench-keyring | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
  export GNOME_KEYRING_CONTROL
  exec xvfb-run -a -s "-screen 0 1280x800x24" "$@"' bench \
  node "$ROOT/bench/bench.mjs" --app "$BIN/partner-portal" --baseline "$BIN/portal-bench-baseline" \
    --portal "$BIN/portal" --out "$WORK/results.json" "${BENCH_ARGS[@]}"

REPORT=(--results "$WORK/results.json" --sizes "$WORK/sizes.json" --keygen "$WORK/keygen.txt")
if [ "$QUICK" = 0 ]; then REPORT+=(--doc "$ROOT/docs/PERFORMANCE.md"); fi
node "$ROOT/bench/report.mjs" "${REPORT[@]}"

say "Leak sweep against ripgrep"
if [ "$QUICK" = 1 ]; then "$ROOT/scripts/bench-scan.sh" --quick; else "$ROOT/scripts/bench-scan.sh"; fi
