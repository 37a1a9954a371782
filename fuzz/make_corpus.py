#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/corpus/ (test keys only; run from fuzz/).

PEM seeds: the test keys of crates/portal-core/tests/fixtures plus a few
forms made here with OpenSSL from the same test key. JWT seeds: RS256 tokens
signed with that test key. Envelope seeds: answers shaped as docs/api/*.yaml
documents them (format: first line `STATUS [RETRY-AFTER]`, then the body).
Needs python3 and openssl. Existing files are overwritten, others kept.
"""
import base64, json, os, subprocess, tempfile

FIX = "../crates/portal-core/tests/fixtures"
KEY = f"{FIX}/rsa2048_pkcs8.pem"

def write(target, name, data):
    os.makedirs(f"corpus/{target}", exist_ok=True)
    with open(f"corpus/{target}/{name}", "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def openssl(*args, stdin=None):
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, check=True).stdout

# --- PEM and key import -------------------------------------------------
for f in sorted(os.listdir(FIX)):
    if f.endswith(".pem"):
        write("pem_import", "fixture_" + f[:-4], open(f"{FIX}/{f}").read())
write("pem_import", "made_scrypt_pkcs8",
      openssl("pkcs8", "-topk8", "-scrypt", "-scrypt_N", "1024", "-in", KEY, "-passout", "pass:test-pass"))
write("pem_import", "made_pbkdf2_sha1_pkcs8",
      openssl("pkcs8", "-topk8", "-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1", "-in", KEY,
              "-passout", "pass:test-pass"))
write("pem_import", "made_legacy_encrypted_pkcs1",
      openssl("rsa", "-traditional", "-aes128", "-in", KEY, "-passout", "pass:test-pass"))
write("pem_import", "made_crlf_leading_text_spki",
      "Public key for upload:\r\n" + open(f"{FIX}/rsa2048_spki.pem").read().replace("\n", "\r\n"))
write("pem_import", "made_openssh_line", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 me@host\n")
write("pem_import", "made_openssh_private",
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n")

# --- JWTs -----------------------------------------------------------------
def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def jwt(header, claims, sign=True):
    head = b64(json.dumps(header, separators=(",", ":")).encode())
    body = b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = f"{head}.{body}".encode()
    sig = openssl("dgst", "-sha256", "-sign", KEY, stdin=signing_input) if sign else b""
    return f"{head}.{body}.{b64(sig)}"

RS = {"alg": "RS256", "typ": "JWT", "kid": "key_1"}
# portal_core::fuzzing verifies at 1_800_000_000 (2027-01-15).
write("jwt_decode", "valid_video", jwt(RS, {"sub": "vid_1", "iat": 1_790_000_000, "exp": 1_900_000_000}))
write("jwt_decode", "valid_all_videos", jwt(RS, {"sub": "*", "iat": 1_790_000_000, "exp": 1_900_000_000}))
write("jwt_decode", "expired", jwt(RS, {"sub": "vid_1", "iat": 1_700_000_000, "exp": 1_700_003_600}))
write("jwt_decode", "no_sub", jwt(RS, {"iat": 1_790_000_000, "exp": 1_900_000_000}))
bad = jwt(RS, {"sub": "vid_1", "iat": 1_790_000_000, "exp": 1_900_000_000})
write("jwt_decode", "bad_signature", bad[:-6] + ("AAAAAA" if not bad.endswith("AAAAAA") else "BBBBBB"))
write("jwt_decode", "alg_none", jwt({"alg": "none"}, {"sub": "vid_1", "exp": 1_900_000_000}, sign=False))
write("jwt_decode", "alg_hs256", jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "x"}, sign=False) + "c2ln")
write("jwt_decode", "vault_access_token", jwt(
    {"alg": "HS256", "typ": "JWT"},
    {"sub": "0b9f6a52-6d4e-4c59-9a39-5e7c7c1f4a10", "tenantId": "7d4c2a1e-1111-4c2b-8a7e-2f0e6c1d9b33",
     "roles": ["organizer", "admin"], "email": "ada@example.com", "iat": 1_799_990_000,
     "exp": 1_800_076_400}, sign=False) + "c2lnbmF0dXJl")

# --- Envelopes ----------------------------------------------------------------
def resp(target, name, status, body, retry_after=None):
    head = f"{status} {retry_after}" if retry_after is not None else f"{status}"
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    write(target, name, f"{head}\n{text}")

TOKEN = {"id": "tok_abc123", "name": "CI/CD Pipeline", "scopes": ["content:read", "analytics:read"],
         "created_at": "2026-11-01T10:00:00Z", "expires_at": None, "last_used_at": "2026-11-20T08:30:00.123+01:00"}
VS = "envelope_vaultstream"
resp(VS, "list", 200, {"status": "ok", "data": [TOKEN, dict(TOKEN, id="tok_def456", expires_at="2027-01-01T00:00:00Z")],
                      "meta": {"request_id": "req_8rxn4bszr2wlkyoue146gud4", "per_page": 100, "total": 2, "next_cursor": "tok_def456"}})
resp(VS, "created", 201, {"status": "ok", "data": dict(TOKEN, token="vst_live_" + "A" * 43), "meta": {"request_id": "req_1"}})
resp(VS, "user_jwt", 200, {"status": "ok", "data": {"jwt": "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "expires_at": "2026-11-23T10:00:00Z"}, "meta": {"request_id": "req_2"}})
resp(VS, "error_401", 401, {"status": "error", "error": {"code": "invalid_token", "message": "The API key is invalid.", "request_id": "req_3"}})
resp(VS, "error_in_200", 200, {"status": "error", "error": {"code": "conflict", "message": "Name taken", "request_id": "req_4"}})
resp(VS, "rate_limited", 429, {"status": "error", "error": {"code": "rate_limited", "message": "Slow down", "request_id": "req_5"}}, 30)
resp(VS, "wrong_envelope", 200, {"success": True, "result": []})

KEYPEM = open(f"{FIX}/rsa2048_spki.pem").read()
JWTKEY = {"id": "8f0d2a3c4b5e6f708192a3b4c5d6e7f8", "name": "Production signing", "public_key": KEYPEM,
          "created_by": "ada@example.com", "created_time": "2026-11-01T10:00:00Z",
          "updated_by": None, "updated_time": "2026-11-01T10:00:00.000000Z"}
JK = "envelope_jwt_keys"
resp(JK, "list", 200, {"success": True, "result": [JWTKEY], "links": {"next": "/v1/keys?cursor=abc"}, "errors": []})
resp(JK, "created", 201, {"success": True, "result": JWTKEY, "links": None, "errors": []})
resp(JK, "deleted", 200, {"success": True, "result": {}, "links": None, "errors": []})
resp(JK, "failure_strings", 400, {"success": False, "result": None, "links": None, "errors": ["name is required", "public_key is not PEM"]})
resp(JK, "failure_objects", 200, {"success": False, "result": None, "links": None, "errors": [{"code": 1003, "message": "Invalid key"}, 42]})
resp(JK, "unavailable_retry_date", 503, "", "Wed, 21 Oct 2026 07:28:00 GMT")

ASSET = {"id": "5b6c7d8e-0000-4000-8000-000000000001", "tenant_id": "7d4c2a1e-1111-4c2b-8a7e-2f0e6c1d9b33",
         "name": "trailer.mp4", "content_type": "video/mp4", "size": 1048576, "folder_id": None,
         "tags": ["promo", "2026"], "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-02T10:00:00Z",
         "created_by": "ada@example.com", "updated_by": "ada@example.com", "legal_hold": False,
         "has_content": True, "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}
META = {"request_id": "9a1f0c3e-2b4d-4e6f-8a0b-1c2d3e4f5a6b"}
VA = "envelope_vault"
resp(VA, "assets_page", 200, {"data": [ASSET], "error": None, "page": {"total": 41, "page": 1, "limit": 20, "has_more": True}, "meta": META})
resp(VA, "asset", 200, {"data": ASSET, "error": None, "page": None, "meta": META})
resp(VA, "folders", 200, {"data": [{"id": "f1", "tenant_id": "t1", "name": "Promos", "parent_id": None, "created_at": "2026-11-01T10:00:00Z"}], "error": None, "page": None, "meta": META})
resp(VA, "quota", 200, {"data": {"tenant_id": "t1", "bytes_used": 10, "bytes_limit": 1073741824, "assets_used": 1, "assets_limit": 1000}, "error": None, "page": None, "meta": META})
resp(VA, "legal_hold", 200, {"data": {"asset_id": "a1", "active": True, "reason": "Litigation 42", "set_by": "ada@example.com", "set_at": "2026-11-01T10:00:00Z"}, "error": None, "page": None, "meta": META})
resp(VA, "transforms", 200, {"data": [{"id": "tr1", "asset_id": "a1", "type": "thumbnail", "params": {}, "status": "queued", "requested_at": "2026-11-01T10:00:00Z", "completed_at": None, "output": None}], "error": None, "page": None, "meta": META})
resp(VA, "share", 201, {"data": {"id": "sh1", "asset_id": "a1", "url": "https://vault.example/s/sh1", "expires_at": "2026-11-08T10:00:00Z"}, "error": None, "page": None, "meta": META})
resp(VA, "deleted", 200, {"data": {"id": "a1", "deleted": True}, "error": None, "page": None, "meta": META})
access = open("corpus/jwt_decode/vault_access_token").read()
resp(VA, "login", 200, {"data": {"accessToken": access, "refreshToken": "rt_" + "x" * 40, "tokenType": "Bearer", "expiresIn": 86400,
                                 "user": {"id": "u1", "email": "ada@example.com", "roles": ["admin"], "tenantId": "t1"}}, "error": None, "page": None, "meta": META})
resp(VA, "forbidden", 403, {"data": None, "error": {"code": "FORBIDDEN", "message": "Organizer role required", "details": []}, "page": None, "meta": META})
resp(VA, "error_in_200", 200, {"data": None, "error": {"code": "CONFLICT", "message": "On legal hold"}, "page": None, "meta": META})

HT = "http_response"
resp(HT, "html_502", 502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
resp(HT, "empty_503_retry", 503, "", 120)
resp(HT, "retry_after_date", 429, "{}", "Sun, 22 Nov 2026 19:00:00 GMT")
resp(HT, "truncated_json", 200, '{"status":"ok","data":[{"id":"tok_')
resp(HT, "teapot", 418, "I'm a teapot")
