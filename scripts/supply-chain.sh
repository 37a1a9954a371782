#!/usr/bin/env bash
# Supply chain (issue 6): cargo-deny (licenses, bans, sources, advisories;
# deny.toml) over the Rust workspace, and an audit of the UI's production
# npm dependencies. Exits non-zero when a check fails.
#
# Both advisory checks need a database from outside the package registries:
# the RustSec database (a git repository cargo-deny fetches) and the npm
# registry's audit endpoint. When one cannot be reached, the check is
# reported as NOT RUN, loudly, and does not fail the script unless
# SUPPLY_CHAIN_STRICT=1 (set it where both are reachable, e.g. on a developer
# machine). A RustSec database cargo-deny fetched earlier (its cache in
# $CARGO_HOME/advisory-dbs) is used, with a warning, when the fetch fails.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
export PATH="$HOME/.cargo/bin:$PATH"
cd "$ROOT"

STRICT="${SUPPLY_CHAIN_STRICT:-0}"
CARGO_DENY_VERSION=0.20.2
failed=()
not_run=()

if ! cargo deny --version >/dev/null 2>&1; then
  say "Installing cargo-deny $CARGO_DENY_VERSION (cargo install, several minutes)"
  cargo install cargo-deny --version "$CARGO_DENY_VERSION" --locked --quiet
fi

# cargo deny reads `cargo metadata` offline: every crate of the lock file
# must be in the local cache, those of other platforms (wasm, Android…) too,
# which a Linux build never downloads.
say "Fetching every crate of Cargo.lock (all platforms)"
cargo fetch --locked --quiet

say "cargo deny: licenses, bans, sources"
if ! cargo deny --locked --offline check --hide-inclusion-graph licenses bans sources; then
  failed+=("cargo deny (licenses/bans/sources)")
fi

say "cargo deny: advisories"
dbs="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
advisories() { cargo deny --locked --offline check advisories; }
fetch_log="$(mktemp)"
if timeout 300 cargo deny fetch db >/dev/null 2>"$fetch_log"; then
  advisories || failed+=("cargo deny advisories")
elif compgen -G "$dbs/*/crates" >/dev/null; then
  echo "WARNING: the RustSec advisory database could not be fetched; checking against the copy in $dbs (it may be out of date)." >&2
  advisories || failed+=("cargo deny advisories")
else
  sed 's/^/    /' "$fetch_log" >&2 || true
  echo "NOT RUN: cargo deny advisories — the RustSec advisory database could not be fetched and no copy is on this machine." >&2
  not_run+=("cargo deny advisories (RustSec database unreachable)")
fi
rm -f "$fetch_log"

say "npm audit of the UI's production dependencies"
ensure_npm "$ROOT/ui"
audit_json="$(mktemp)"
set +e
(cd "$ROOT/ui" && npm audit --omit=dev --audit-level=high --json) > "$audit_json" 2>/dev/null
audit_rc=$?
set -e
audit_verdict="$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8") || "{}");
  if (r.error || r.statusCode || !r.metadata) {
    console.log("unreachable " + (r.message || (r.error && r.error.summary) || "no answer"));
  } else {
    const v = r.metadata.vulnerabilities;
    console.log(`ok high=${v.high} critical=${v.critical} moderate=${v.moderate} low=${v.low}`);
  }' "$audit_json" 2>/dev/null || echo "unreachable unreadable answer")"
rm -f "$audit_json"
case "$audit_verdict" in
  ok*)
    echo "npm audit (production dependencies): ${audit_verdict#ok }" >&2
    if [ "$audit_rc" -ne 0 ]; then
      (cd "$ROOT/ui" && npm audit --omit=dev --audit-level=high) >&2 || true
      failed+=("npm audit (high or critical)")
    fi
    ;;
  *)
    echo "NOT RUN: npm audit — the registry's audit endpoint did not answer: ${audit_verdict#unreachable }" >&2
    not_run+=("npm audit (audit endpoint unreachable)")
    ;;
esac

# What can be checked without the endpoint: every production package of the
# lock comes from the npm registry with an integrity hash (no git or tarball
# URLs), the npm counterpart of cargo-deny's sources check.
say "UI production dependencies: registry sources and integrity"
if ! node -e '
  const lock = require(process.argv[1]);
  let n = 0; const bad = [];
  for (const [path, p] of Object.entries(lock.packages || {})) {
    if (!path || p.dev || p.link) continue;
    n++;
    const from = p.resolved || "";
    if (!p.integrity || (from && !from.startsWith("https://registry.npmjs.org/"))) bad.push(`${path} ${from}`);
  }
  if (bad.length) { console.error("Not from the npm registry, or without integrity:\n  " + bad.join("\n  ")); process.exit(1); }
  console.error(`${n} production package(s), all from the registry with an integrity hash`);
' "$ROOT/ui/package-lock.json"; then
  failed+=("UI dependency sources")
fi

if [ ${#not_run[@]} -gt 0 ]; then
  echo >&2
  echo "Supply chain: NOT RUN here — ${not_run[*]}" >&2
  if [ "$STRICT" = 1 ]; then failed+=("${not_run[@]}"); fi
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "Supply chain checks FAILED: ${failed[*]}" >&2
  exit 1
fi
if [ ${#not_run[@]} -gt 0 ]; then
  say "Supply chain checks passed (${#not_run[@]} NOT RUN, see above)"
else
  say "Supply chain checks passed"
fi
