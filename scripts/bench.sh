#!/usr/bin/env bash
# The benchmark (issue 8): start-up and memory against a blank Tauri window,
# sizes, RSA key generation against OpenSSL, a 100 000-asset list (CLI fetch,
# first page, scroll and filter in the real webview), the CLI against curl and
# `portal exec -- true` against `true`.
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

parse_bench_args 2,12 "$@"
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

say "portal exec overhead: \`portal exec -- true\` against \`true\` (hyperfine)"
# What exec adds to a command: start-up, the profile, one credential (from
# the environment, so no keychain round trip is counted), the activity
# entry, the masked pipes and the wait. Target: median difference <= 15 ms.
mkdir -p "$WORK/exec-data"
# Rounds whose order alternates (as bench.mjs does), so a change in the
# machine's load weighs on both commands alike.
EXEC_ROUNDS=$([ "$QUICK" = 1 ] && echo 1 || echo 4)
EXEC_RUNS=$([ "$QUICK" = 1 ] && echo 5 || echo "${BENCH_EXEC_RUNS:-25}")
EXEC_CMDS=("$BIN/portal exec -- true" true)
for round in $(seq 1 "$EXEC_ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then order=(0 1); else order=(1 0); fi
  PORTAL_DATA_DIR="$WORK/exec-data" PORTAL_SECRET_BACKEND=memory \
  PORTAL_VAULTSTREAM_URL=http://127.0.0.1:9/vaultstream PORTAL_VAULTSTREAM_TOKEN=bench-exec-placeholder \
    hyperfine -N --style none --warmup 3 --runs "$EXEC_RUNS" --export-json "$WORK/exec-$round.json" \
      "${EXEC_CMDS[${order[0]}]}" "${EXEC_CMDS[${order[1]}]}"
done
node - "$(git -C "$ROOT" rev-parse --short HEAD)" "$([ "$QUICK" = 0 ] && echo "$ROOT/docs/PERFORMANCE.md")" "$WORK"/exec-*.json <<'JS'
const fs = require('node:fs');
const [commit, doc, ...files] = process.argv.slice(2);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const samples = { exec: [], direct: [] };
for (const f of files) {
  for (const r of JSON.parse(fs.readFileSync(f, 'utf8')).results) {
    samples[r.command === 'true' ? 'direct' : 'exec'].push(...r.times.map((t) => t * 1000));
  }
}
const [exec, direct] = [median(samples.exec), median(samples.direct)];
const diff = exec - direct;
const runs = samples.exec.length;
const row = `| \`portal exec\` overhead | \`portal exec -- true\` vs \`true\`, hyperfine, ${runs} runs each in ${files.length} alternating rounds, difference of the medians | ${exec.toFixed(1)} ms | ${direct.toFixed(1)} ms | +${diff.toFixed(1)} ms | ≤ +15 ms | ${diff <= 15 ? 'met' : 'missed'} |`;
console.log(`portal exec: median ${exec.toFixed(1)} ms, true ${direct.toFixed(1)} ms, overhead ${diff.toFixed(1)} ms (target <= 15 ms)`);
if (doc) {
  const block = `<!-- bench-exec:begin (generated by scripts/bench.sh) -->\n| figure | how | portal exec | the command alone | difference | target | |\n|---|---|---|---|---|---|---|\n${row}\n\n- Date: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; commit ${commit}; load average (1/5/15 min) at the end: ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n<!-- bench-exec:end -->`;
  const text = fs.readFileSync(doc, 'utf8');
  const re = /<!-- bench-exec:begin[^>]*-->[\s\S]*?<!-- bench-exec:end -->/;
  fs.writeFileSync(doc, re.test(text) ? text.replace(re, block) : text.replace('<!-- bench:end -->', `<!-- bench:end -->\n\n${block}`));
}
JS

REPORT=(--results "$WORK/results.json" --sizes "$WORK/sizes.json" --keygen "$WORK/keygen.txt")
if [ "$QUICK" = 0 ]; then REPORT+=(--doc "$ROOT/docs/PERFORMANCE.md"); fi
node "$ROOT/bench/report.mjs" "${REPORT[@]}"

say "Leak sweep against ripgrep"
if [ "$QUICK" = 1 ]; then "$ROOT/scripts/bench-scan.sh" --quick; else "$ROOT/scripts/bench-scan.sh"; fi
