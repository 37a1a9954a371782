#!/usr/bin/env bash
# Supply chain (issue 6): cargo-deny (licenses, bans, sources, advisories;
# deny.toml) over the Rust workspace, and an audit of the UI's production
# npm dependencies. Exits non-zero when a check fails.
#
# Both advisory checks need a database from outside the package registries:
# the RustSec database (a git repository cargo-deny fetches) and the npm
# registry's audit endpoint. When the RustSec database cannot be fetched, the
# snapshot in ../shared/advisory-db/ (a git bundle beside the repository;
# ADVISORY_DB_BUNDLE names another) is cloned to where cargo-deny looks, or a
# copy cargo-deny fetched earlier is used when it is newer; the output names
# the database's date. The advisories check then proves it can see a finding:
# scripts/supply-chain-fixture/ depends on a crate with an unfixed advisory,
# and the check must fail there. With no database at all, or no npm audit
# endpoint, the check is reported as NOT RUN, loudly, and does not fail the
# script unless SUPPLY_CHAIN_STRICT=1.
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
# Where cargo-deny 0.20 keeps the default database (the folder name is derived
# from its URL), and the snapshot to fall back on.
dbs="${CARGO_HOME:-$HOME/.cargo}/advisory-dbs"
db="$dbs/advisory-db-3157b0e258782691"
bundle="${ADVISORY_DB_BUNDLE:-$ROOT/../shared/advisory-db/rustsec.bundle}"
db_date() { git -C "$1" log -1 --format=%cs 2>/dev/null; }
db_commit() { git -C "$1" log -1 --format=%h 2>/dev/null; }
# The database cargo-deny will use, or nothing (then the check is NOT RUN).
advisory_db=""
fetch_log="$(mktemp)"
if timeout 300 cargo deny fetch db >/dev/null 2>"$fetch_log" && [ -d "$db/.git" ]; then
  advisory_db="the live RustSec database, fetched now"
elif [ -f "$bundle" ]; then
  snapshot="$(mktemp -d)/advisory-db"
  git -c init.defaultBranch=main clone -q "$bundle" "$snapshot"
  if [ -d "$db/.git" ] && [[ "$(db_date "$db")" > "$(db_date "$snapshot")" ]]; then
    rm -rf "$(dirname "$snapshot")"
    advisory_db="a copy fetched earlier (newer than the snapshot in $bundle)"
  else
    mkdir -p "$dbs"
    rm -rf "$db"
    mv "$snapshot" "$db"
    rmdir "$(dirname "$snapshot")"
    # The next `cargo deny fetch db` updates from the real database, so that
    # its success means a live fetch (from the bundle it would always succeed).
    git -C "$db" remote set-url origin https://github.com/RustSec/advisory-db
    advisory_db="the snapshot in $(cd "$(dirname "$bundle")" && pwd)/$(basename "$bundle")"
  fi
  echo "The RustSec advisory database could not be fetched:" >&2
  sed 's/^/    /' "$fetch_log" | tail -n 3 >&2 || true
elif [ -d "$db/.git" ]; then
  advisory_db="a copy fetched earlier (it may be out of date; no snapshot at $bundle)"
fi
rm -f "$fetch_log"

if [ -n "$advisory_db" ]; then
  echo "Advisories: checked against $advisory_db, dated $(db_date "$db") (commit $(db_commit "$db"))." >&2
  cargo deny --locked --offline check advisories || failed+=("cargo deny advisories")
  # The check must be able to fail: the fixture depends on rsa 0.9
  # (RUSTSEC-2023-0071, no fixed release) and ignores nothing.
  fixture="$ROOT/scripts/supply-chain-fixture"
  cargo fetch --locked --quiet --manifest-path "$fixture/Cargo.toml"
  self_test="$(mktemp)"
  if cargo deny --manifest-path "$fixture/Cargo.toml" --config "$fixture/deny.toml" \
      --locked --offline check advisories >"$self_test" 2>&1; then
    echo "Advisories self-test FAILED: the known advisory in scripts/supply-chain-fixture was not reported." >&2
    failed+=("cargo deny advisories self-test (nothing found where RUSTSEC-2023-0071 is)")
  elif grep -q 'RUSTSEC-2023-0071' "$self_test"; then
    echo "Advisories self-test: ok (RUSTSEC-2023-0071 found in the fixture)." >&2
  else
    sed 's/^/    /' "$self_test" | tail -n 20 >&2
    failed+=("cargo deny advisories self-test (failed without naming RUSTSEC-2023-0071)")
  fi
  rm -f "$self_test"
else
  echo "NOT RUN: cargo deny advisories — the RustSec advisory database could not be fetched, there is no snapshot at $bundle and no copy on this machine." >&2
  not_run+=("cargo deny advisories (no RustSec database)")
fi

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
