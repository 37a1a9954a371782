#!/usr/bin/env bash
# API conformance: Schemathesis, a property-based API tester written outside
# this project, runs against the standalone sandbox (`portal sandbox`) with
# each document in docs/api/. It fails on a server error, a response whose
# status, content type, headers or body the document does not allow, and on
# a request the document forbids that the sandbox accepts anyway.
#
# Each document gets its own sandbox (a free port, a throwaway data file,
# rate limits off), so one document's calls (faults, clock, rate limits,
# deleted assets) cannot disturb another's. Bounded: at most
# API_FUZZ_EXAMPLES test cases per operation and phase (default 50; the
# four documents take about 2 minutes on 2 cores), and a document still
# running after API_FUZZ_SECONDS (default 120) is stopped and fails. A fixed
# seed (API_FUZZ_SEED, default 20261205) makes a finding reproduce.
#
# Environment:
#   PORTAL_BIN                  the `portal` binary to run (default: build
#                               it with `cargo build -p portal-cli`)
#   API_FUZZ_DOCS               documents to run (default: all four)
#   API_FUZZ_REPORT_DIR         keep Schemathesis's JUnit reports here
#   API_FUZZ_CHECKS             Schemathesis checks (default: see below)
#   PORTAL_SANDBOX_CONTROL      secret for the sandbox controls, when the
#                               sandbox does not print one itself
#   PORTAL_SANDBOX_CONTROL_HEADER  its header (default X-Sandbox-Control)
# Exits non-zero when any document fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

SCHEMATHESIS_VERSION=4.32.5
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/portal/schemathesis-venv"
EXAMPLES="${API_FUZZ_EXAMPLES:-50}"
SECONDS_PER_DOC="${API_FUZZ_SECONDS:-120}"
SEED="${API_FUZZ_SEED:-20261205}"
DOCS="${API_FUZZ_DOCS:-vaultstream jwt-keys vault sandbox}"
DEFAULT_CHECKS=not_a_server_error,status_code_conformance,content_type_conformance
DEFAULT_CHECKS+=,response_headers_conformance,response_schema_conformance,negative_data_rejection
# positive_data_acceptance is left out: some rules cannot be written in JSON
# Schema (a future expires_at, an existing folder_id or cursor, a valid RSA
# key, a fresh Idempotency-Key); API_FUZZ_CHECKS=all shows them.
CHECKS="${API_FUZZ_CHECKS:-$DEFAULT_CHECKS}"

# Schemathesis in its own venv, pinned; re-installed only when the version
# changes.
ensure_schemathesis() {
  local stamp="$VENV/.portal-schemathesis-$SCHEMATHESIS_VERSION"
  [ -f "$stamp" ] && "$VENV/bin/st" --version >/dev/null 2>&1 && return 0
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    ensure_apt python3 python3-venv
  fi
  say "Installing Schemathesis $SCHEMATHESIS_VERSION in ${VENV/#$HOME/\~}"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  touch "$stamp"
}

ensure_schemathesis
PY="$VENV/bin/python"

if [ -z "${PORTAL_BIN:-}" ]; then
  say "Building portal (cargo build -p portal-cli)"
  cargo build -p portal-cli --quiet
  PORTAL_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/debug/portal"
fi

WORK="$(mktemp -d -t portal-api-fuzz.XXXXXX)"
SANDBOX_PID=""
stop_sandbox() {
  if [ -n "$SANDBOX_PID" ]; then
    kill "$SANDBOX_PID" 2>/dev/null || true
    wait "$SANDBOX_PID" 2>/dev/null || true
    SANDBOX_PID=""
  fi
}
# The work dir holds the sandboxes' credentials: it goes with the run.
trap 'stop_sandbox; rm -rf "$WORK"' EXIT
# Schemathesis hides headers and fields whose names hold these markers in
# what it prints (curl reproductions): its own list plus "control", for
# the sandbox controls' X-Sandbox-Control secret.
cat >"$WORK/schemathesis.toml" <<'EOF'
[output.sanitization]
sensitive-markers = ["token", "key", "secret", "password", "auth", "session", "passwd", "credential", "control"]
EOF

# One field of the sandbox's connection JSON (empty when absent).
field() { "$PY" -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v.get(k) if isinstance(v, dict) else None
print(v if isinstance(v, str) else "")' "$1" "$2"; }

# Starts a sandbox for document $1; sets SANDBOX_PID and writes its
# connection JSON to $WORK/$1/sandbox.json.
start_sandbox() {
  local dir="$WORK/$1" i
  mkdir -p "$dir"
  # --seed: assets, tokens and JWT keys to list, so responses carry real rows.
  "$PORTAL_BIN" sandbox --port 0 --json --data "$dir/sandbox.db" --seed 5 \
    --read-limit 0 --write-limit 0 --upload-limit 0 --transform-delay-ms 500 \
    >"$dir/sandbox.json" 2>"$dir/sandbox.log" &
  SANDBOX_PID=$!
  for i in $(seq 1 100); do
    [ -s "$dir/sandbox.json" ] && "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' \
      "$dir/sandbox.json" 2>/dev/null && return 0
    kill -0 "$SANDBOX_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "The sandbox did not start:" >&2
  cat "$dir/sandbox.log" >&2
  return 1
}

# The headers document $1 needs: its credential, as a client would send
# it. Fails when the credential is missing (a run without it would only
# test the 401s).
auth_headers() {
  local json="$WORK/$1/sandbox.json" origin token="" email password control header
  origin="http://$(field "$json" addr)"
  case "$1" in
    vaultstream) token="$(field "$json" credentials.vaultstream_admin_token)" ;;
    jwt-keys) token="$(field "$json" credentials.jwt_keys_api_key)" ;;
    vault)
      # Log in as the seeded admin (every call, deletes and legal holds too).
      read -r email password < <("$PY" -c 'import json,sys
u = [u for u in json.load(open(sys.argv[1]))["credentials"]["vault_users"] if u["role"] == "admin"][0]
print(u["email"], u["password"])' "$json")
      token="$("$PY" - "$origin/vault/auth/v1/login" "$email" "$password" <<'EOF'
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1], method="POST",
    data=json.dumps({"email": sys.argv[2], "password": sys.argv[3]}).encode(),
    headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req, timeout=20))["data"]["accessToken"])
EOF
)" || token="" ;;
    sandbox)
      # The controls' per-run secret, as the sandbox prints it (or from the
      # environment for a sandbox that does not).
      control="$(field "$json" control_secret)"
      control="${control:-${PORTAL_SANDBOX_CONTROL:-}}"
      header="$(field "$json" control_header)"
      header="${header:-${PORTAL_SANDBOX_CONTROL_HEADER:-X-Sandbox-Control}}"
      [ -n "$control" ] && echo "$header: $control"
      return 0 ;;
  esac
  if [ -z "$token" ]; then
    echo "No credential for the $1 document (did the sandbox or the Vault login fail?)" >&2
    return 1
  fi
  echo "Authorization: Bearer $token"
}

# (Called as `run_doc || …`, where `set -e` does not apply: every step
# checks its own failure.)
run_doc() {
  local doc="$1" dir="$WORK/$1" base args=() headers line rc
  start_sandbox "$doc" || return 1
  # 127.0.0.1:PORT: the Host the sandbox accepts.
  base="http://$(field "$dir/sandbox.json" addr)"
  case "$doc" in
    jwt-keys) base+=/jwt-keys/v2 ;;
    *) base+="/$doc" ;;
  esac
  headers="$(auth_headers "$doc")" || { stop_sandbox; return 1; }
  while IFS= read -r line; do
    [ -n "$line" ] && args+=(-H "$line")
  done <<<"$headers"
  if [ -n "${API_FUZZ_REPORT_DIR:-}" ]; then
    mkdir -p "$API_FUZZ_REPORT_DIR"
    args+=(--report junit --report-junit-path "$API_FUZZ_REPORT_DIR/$doc.xml")
  fi
  say "Schemathesis: docs/api/$doc.yaml against $base"
  # Run from the work dir: Schemathesis writes its scratch files there.
  (cd "$dir" && timeout --kill-after=10 "$SECONDS_PER_DOC" \
    "$VENV/bin/st" --config-file "$WORK/schemathesis.toml" run "$ROOT/docs/api/$doc.yaml" --url "$base" "${args[@]}" \
      --checks "$CHECKS" --max-examples "$EXAMPLES" \
      --seed "$SEED" --workers 1 --continue-on-failure --generation-database none \
      --request-timeout 20 --no-color --output-truncate true)
  rc=$?
  if ! kill -0 "$SANDBOX_PID" 2>/dev/null; then
    echo "The sandbox stopped during the run (a crash?); its log:" >&2
    tail -n 40 "$dir/sandbox.log" >&2
    rc=1
  fi
  stop_sandbox
  return "$rc"
}

FAILED=()
for doc in $DOCS; do
  run_doc "$doc" || FAILED+=("$doc")
done
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "Schemathesis found problems with: ${FAILED[*]} (see above; rerun one with API_FUZZ_DOCS=NAME)" >&2
  exit 1
fi
say "Schemathesis: no failure in $DOCS"
