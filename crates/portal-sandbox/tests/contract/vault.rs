//! The Vault Service as documented: login and refresh, assets, folders,
//! uploads, quota, legal holds, shares and transforms, role by role.

use portal_sandbox::{QuotaLimits, SandboxConfig};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{claims, config, start, start_with, Env};

const A: &str = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";

async fn seeded(n: usize) -> Env {
    start_with(SandboxConfig {
        seed_assets: n,
        ..config()
    })
    .await
}

async fn new_asset(env: &Env, token: &str, name: &str) -> Value {
    let r =
        env.call(env.vault(Method::POST, "/vault/v1/assets", token).json(
            &json!({"name": name, "content_type": "video/mp4", "size": 1000, "tags": ["a"]}),
        ))
        .await;
    r.expect(201);
    r.body["data"].clone()
}

#[tokio::test]
async fn login_issues_documented_claims_and_refresh_rotates() {
    let env = start().await;
    let session = env.login_full("admin@eventzr.com").await;
    let c = claims(session["accessToken"].as_str().unwrap());
    assert_eq!(c["sub"], "550e8400-e29b-41d4-a716-446655440000");
    assert_eq!(c["tenantId"], A);
    assert_eq!(c["roles"], json!(["admin"]));
    assert_eq!(c["email"], "admin@eventzr.com");
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        86_400
    );

    let refresh = |token: &str| {
        env.req(Method::POST, "/vault/auth/v1/refresh")
            .json(&json!({"refreshToken": token}))
    };
    let old = session["refreshToken"].as_str().unwrap();
    let r = env.call(refresh(old)).await;
    r.expect(200);
    let access = r.body["data"]["accessToken"].as_str().unwrap();
    env.call(env.vault(Method::GET, "/vault/v1/quota", access))
        .await
        .expect(200);
    let again = env.call(refresh(old)).await;
    again.expect(401);
    assert_eq!(again.code(), "INVALID_REFRESH_TOKEN");

    for (email, password) in [
        ("admin@eventzr.com", "wrong"),
        ("nobody@eventzr.com", "Password123!"),
    ] {
        let r = env
            .call(
                env.req(Method::POST, "/vault/auth/v1/login")
                    .json(&json!({"email": email, "password": password})),
            )
            .await;
        r.expect(401);
        assert_eq!(r.code(), "INVALID_CREDENTIALS");
    }
    let r = env
        .call(
            env.req(Method::POST, "/vault/auth/v1/login")
                .json(&json!({"email": "dev@eventzr.com"})),
        )
        .await;
    r.expect(400);
    for user in env.sb.credentials().vault_users.iter() {
        env.login(&user.email).await;
    }
}

#[tokio::test]
async fn auth_failures() {
    let env = start().await;
    let r = env
        .call(env.req(Method::GET, "/vault/vault/v1/assets"))
        .await;
    r.expect(401);
    assert_eq!(r.code(), "UNAUTHORIZED");
    env.call(env.vault(Method::GET, "/vault/v1/assets", "eyJnope.eyJnope.sig"))
        .await
        .expect(401);
    let token = env.login("dev@eventzr.com").await;
    env.advance_clock(86_401).await;
    let r = env
        .call(env.vault(Method::GET, "/vault/v1/assets", &token))
        .await;
    r.expect(401);
    assert_eq!(r.code(), "TOKEN_EXPIRED");
}

#[tokio::test]
async fn roles_are_enforced_as_documented() {
    let env = seeded(3).await;
    let user = env.login("dev@eventzr.com").await;
    let organizer = env.login("organizer@eventzr.com").await;
    let admin = env.login("admin@eventzr.com").await;
    let asset = new_asset(&env, &organizer, "clip.mp4").await;
    let id = asset["id"].as_str().unwrap();
    let a = |p: &str| format!("/vault/v1/assets/{id}{p}");

    // user: reads everything.
    for path in [
        "/vault/v1/assets".to_owned(),
        a(""),
        a("/legal-hold"),
        a("/transforms"),
        "/vault/v1/folders".into(),
        "/vault/v1/quota".into(),
    ] {
        env.call(env.vault(Method::GET, &path, &user))
            .await
            .expect(200);
    }
    // user: no writes.
    let writes = |token: &str| {
        vec![
            env.vault(Method::POST, "/vault/v1/assets", token)
                .json(&json!({"name": "n"})),
            env.vault(Method::PATCH, &a(""), token)
                .json(&json!({"name": "n"})),
            env.vault(Method::POST, &a("/transforms"), token)
                .json(&json!({"type": "thumbnail"})),
            env.vault(Method::POST, "/vault/v1/folders", token)
                .json(&json!({"name": "f"})),
            env.vault(Method::POST, &a("/share"), token)
                .json(&json!({})),
        ]
    };
    for req in writes(&user) {
        let r = env.call(req).await;
        r.expect(403);
        assert_eq!(r.code(), "FORBIDDEN");
    }
    let admin_only = |token: &str| {
        vec![
            env.vault(Method::PUT, &a("/legal-hold"), token)
                .json(&json!({"reason": "r"})),
            env.vault(Method::DELETE, &a("/legal-hold"), token),
            env.vault(Method::DELETE, &a(""), token),
        ]
    };
    for req in admin_only(&user).into_iter().chain(admin_only(&organizer)) {
        let r = env.call(req).await;
        r.expect(403);
        assert!(r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("admin"));
    }
    // organizer: creates, updates, transforms, folders, shares.
    for req in writes(&organizer) {
        let r = env.call(req).await;
        assert!((200..300).contains(&r.status), "{}", r.text);
    }
    // admin: everything.
    for req in admin_only(&admin) {
        env.call(req).await.expect(200);
    }
}

#[tokio::test]
async fn tenants_are_isolated_even_by_id() {
    let env = seeded(5).await;
    let acme = env.login("admin@acme.test").await;
    let eventzr = env.login("admin@eventzr.com").await;
    let list = env
        .call(env.vault(Method::GET, "/vault/v1/assets", &acme))
        .await;
    assert_eq!(list.body["page"]["total"], 3);
    assert!(list.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["tenant_id"] != A));
    let theirs = new_asset(&env, &eventzr, "secret.mp4").await;
    let id = theirs["id"].as_str().unwrap();
    for req in [
        env.vault(Method::GET, &format!("/vault/v1/assets/{id}"), &acme),
        env.vault(Method::PATCH, &format!("/vault/v1/assets/{id}"), &acme)
            .json(&json!({"name": "mine"})),
        env.vault(Method::DELETE, &format!("/vault/v1/assets/{id}"), &acme),
        env.vault(
            Method::GET,
            &format!("/vault/v1/assets/{id}/legal-hold"),
            &acme,
        ),
        env.vault(
            Method::GET,
            &format!("/vault/v1/assets/{id}/transforms"),
            &acme,
        ),
        env.vault(Method::POST, &format!("/vault/v1/assets/{id}/share"), &acme)
            .json(&json!({})),
    ] {
        let r = env.call(req).await;
        r.expect(404);
        assert_eq!(r.code(), "NOT_FOUND");
    }
    let folders = env
        .call(env.vault(Method::GET, "/vault/v1/folders", &acme))
        .await;
    assert!(folders.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["tenant_id"] != A));
    let their_folder = env
        .call(env.vault(Method::GET, "/vault/v1/folders", &eventzr))
        .await
        .body["data"][0]["id"]
        .clone();
    let r = env
        .call(
            env.vault(Method::POST, "/vault/v1/assets", &acme)
                .json(&json!({"name": "x", "folder_id": their_folder})),
        )
        .await;
    r.expect(400);
    let q_a = env
        .call(env.vault(Method::GET, "/vault/v1/quota", &eventzr))
        .await;
    assert_eq!(q_a.body["data"]["assets_used"], 6);
    // x-tenant-id must agree with the JWT.
    let r = env
        .call(
            env.vault(Method::GET, "/vault/v1/assets", &acme)
                .header("x-tenant-id", A),
        )
        .await;
    r.expect(403);
    assert_eq!(r.code(), "TENANT_MISMATCH");
    env.call(
        env.vault(Method::GET, "/vault/v1/assets", &eventzr)
            .header("x-tenant-id", A),
    )
    .await
    .expect(200);
}

#[tokio::test]
async fn idempotent_replay_and_key_reuse() {
    let env = start().await;
    let token = env.login("organizer@eventzr.com").await;
    let post = |body: Value, key: &str| {
        env.vault(Method::POST, "/vault/v1/assets", &token)
            .header("Idempotency-Key", key)
            .json(&body)
    };
    let body = json!({"name": "once.mp4", "size": 10});
    let first = env.call(post(body.clone(), "key-1")).await;
    first.expect(201);
    assert!(first.header("idempotent-replayed").is_none());
    let second = env.call(post(body.clone(), "key-1")).await;
    second.expect(201);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        second.body, first.body,
        "a replay returns the first response"
    );
    let total = env
        .call(env.vault(Method::GET, "/vault/v1/assets", &token))
        .await
        .body["page"]["total"]
        .clone();
    assert_eq!(total, 1);
    let reused = env.call(post(json!({"name": "other.mp4"}), "key-1")).await;
    reused.expect(422);
    assert_eq!(reused.code(), "IDEMPOTENCY_KEY_REUSED");
    // Failures are replayed too; a different key acts.
    let bad = env.call(post(json!({"name": ""}), "key-2")).await;
    bad.expect(400);
    env.call(post(json!({"name": ""}), "key-2"))
        .await
        .expect(400);
    env.call(post(body.clone(), "key-3")).await.expect(201);
    // After 24 h the key may be used again.
    env.advance_clock(25 * 3600).await;
    let token2 = env.login("organizer@eventzr.com").await;
    let later = env
        .call(
            env.vault(Method::POST, "/vault/v1/assets", &token2)
                .header("Idempotency-Key", "key-1")
                .json(&body),
        )
        .await;
    later.expect(201);
    assert_ne!(later.body["data"]["id"], first.body["data"]["id"]);
    let log = env
        .sandbox(Method::GET, "/requests?idempotency_key=key-1", None)
        .await;
    let replayed: Vec<bool> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["replayed"].as_bool().unwrap())
        .collect();
    assert_eq!(replayed, [false, true, false, false]);
}

#[tokio::test]
async fn request_id_is_echoed() {
    let env = start().await;
    let token = env.login("dev@eventzr.com").await;
    let rid = "5b1c7a2e-0d4f-4a57-9a3c-2f6b8e1d0c9a";
    let r = env
        .call(
            env.vault(Method::GET, "/vault/v1/assets", &token)
                .header("x-request-id", rid),
        )
        .await;
    assert_eq!(r.body["meta"]["request_id"], rid);
    assert_eq!(r.header("x-request-id"), Some(rid));
    let e = env
        .call(
            env.vault(Method::GET, "/vault/v1/assets/nope", &token)
                .header("x-request-id", rid),
        )
        .await;
    assert_eq!(e.body["meta"]["request_id"], rid);
    let generated = env
        .call(env.vault(Method::GET, "/vault/v1/assets", &token))
        .await;
    assert!(uuid::Uuid::parse_str(generated.body["meta"]["request_id"].as_str().unwrap()).is_ok());
}

#[tokio::test]
async fn page_limit_paging_edges_filters_and_sorting() {
    let env = seeded(45).await;
    let token = env.login("dev@eventzr.com").await;
    let page = |q: &str| env.vault(Method::GET, &format!("/vault/v1/assets?{q}"), &token);
    let mut ids = Vec::new();
    for (p, len, more) in [(1, 20, true), (2, 20, true), (3, 5, false)] {
        let r = env.call(page(&format!("page={p}"))).await;
        assert_eq!(
            r.body["page"],
            json!({"total": 45, "page": p, "limit": 20, "has_more": more})
        );
        let data = r.body["data"].as_array().unwrap();
        assert_eq!(data.len(), len);
        ids.extend(data.iter().map(|a| a["id"].clone()));
    }
    ids.sort_by_key(|v| v.to_string());
    ids.dedup();
    assert_eq!(ids.len(), 45);
    let beyond = env.call(page("page=4")).await;
    assert_eq!(beyond.body["data"], json!([]));
    assert_eq!(beyond.body["page"]["has_more"], false);
    let one = env.call(page("limit=100")).await;
    assert_eq!(one.body["data"].as_array().unwrap().len(), 45);
    assert_eq!(one.body["page"]["has_more"], false);
    let empty = env.call(page("q=no-such-asset")).await;
    assert_eq!(empty.body["data"], json!([]));
    assert_eq!(
        empty.body["page"],
        json!({"total": 0, "page": 1, "limit": 20, "has_more": false})
    );
    for bad in ["limit=0", "limit=101", "page=0", "page=x", "sort=owner"] {
        let r = env.call(page(bad)).await;
        r.expect(400);
        assert_eq!(r.code(), "VALIDATION_ERROR");
    }
    let by_name = env.call(page("sort=name&limit=100")).await;
    let names: Vec<&str> = by_name.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let newest = env.call(page("limit=100")).await;
    let created: Vec<&str> = newest.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["created_at"].as_str().unwrap())
        .collect();
    assert!(
        created.windows(2).all(|w| w[0] >= w[1]),
        "default sort is newest first"
    );
    let keynotes = env.call(page("q=KEYNOTE&limit=100")).await;
    assert!(keynotes.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["name"].as_str().unwrap().contains("keynote")));
    let folder = env
        .call(env.vault(Method::GET, "/vault/v1/folders", &token))
        .await
        .body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let in_folder = env
        .call(page(&format!("folder_id={folder}&limit=100")))
        .await;
    assert!(in_folder.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["folder_id"] == folder.as_str()));
}

#[tokio::test]
async fn legal_hold_blocks_delete() {
    let env = start().await;
    let admin = env.login("admin@eventzr.com").await;
    let user = env.login("dev@eventzr.com").await;
    let id = new_asset(&env, &admin, "evidence.mp4").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hold = format!("/vault/v1/assets/{id}/legal-hold");
    let set = env
        .call(
            env.vault(Method::PUT, &hold, &admin)
                .json(&json!({"reason": "Case 42"})),
        )
        .await;
    set.expect(200);
    assert_eq!(set.body["data"]["active"], true);
    let status = env.call(env.vault(Method::GET, &hold, &user)).await;
    assert_eq!(status.body["data"]["reason"], "Case 42");
    let asset = env
        .call(env.vault(Method::GET, &format!("/vault/v1/assets/{id}"), &user))
        .await;
    assert_eq!(asset.body["data"]["legal_hold"], true);
    let del = env
        .call(env.vault(Method::DELETE, &format!("/vault/v1/assets/{id}"), &admin))
        .await;
    del.expect(409);
    assert_eq!(del.code(), "LEGAL_HOLD_ACTIVE");
    assert!(del.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Case 42"));
    env.call(
        env.vault(Method::PUT, &hold, &admin)
            .json(&json!({"reason": ""})),
    )
    .await
    .expect(400);
    let released = env.call(env.vault(Method::DELETE, &hold, &admin)).await;
    assert_eq!(released.body["data"]["active"], false);
    env.call(env.vault(Method::DELETE, &format!("/vault/v1/assets/{id}"), &admin))
        .await
        .expect(200);
    env.call(env.vault(Method::GET, &format!("/vault/v1/assets/{id}"), &admin))
        .await
        .expect(404);
}

#[tokio::test]
async fn transforms_progress_requested_queued_completed() {
    let env = start().await;
    let token = env.login("organizer@eventzr.com").await;
    let id = new_asset(&env, &token, "talk.mp4").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/vault/v1/assets/{id}/transforms");
    let r = env
        .call(
            env.vault(Method::POST, &path, &token)
                .json(&json!({"type": "thumbnail", "params": {"width": 320}})),
        )
        .await;
    r.expect(202);
    assert_eq!(r.body["data"]["status"], "requested");
    let status = || async {
        env.call(env.vault(Method::GET, &path, &token)).await.body["data"][0]["status"].clone()
    };
    assert_eq!(status().await, "requested");
    env.advance_clock(3).await; // delay is 8 s in tests
    assert_eq!(status().await, "queued");
    env.advance_clock(6).await;
    assert_eq!(status().await, "completed");
    let list = env.call(env.vault(Method::GET, &path, &token)).await;
    assert!(list.body["data"][0]["completed_at"].is_string());
    assert_eq!(list.body["page"]["total"], 1);
    env.call(
        env.vault(Method::POST, &path, &token)
            .json(&json!({"type": "explode"})),
    )
    .await
    .expect(400);
}

#[tokio::test]
async fn share_links_expire() {
    let env = start().await;
    let token = env.login("organizer@eventzr.com").await;
    let id = new_asset(&env, &token, "poster.png").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = env
        .call(
            env.vault(
                Method::POST,
                &format!("/vault/v1/assets/{id}/share"),
                &token,
            )
            .json(&json!({"expires_in_seconds": 3600})),
        )
        .await;
    r.expect(201);
    let url = r.body["data"]["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with(&env.origin));
    let opened = env.call(env.http.get(&url)).await;
    opened.expect(200);
    assert_eq!(opened.body["data"]["id"], id.as_str());
    env.advance_clock(3601).await;
    let gone = env.call(env.http.get(&url)).await;
    gone.expect(410);
    assert_eq!(gone.code(), "SHARE_EXPIRED");
    env.call(env.http.get(env.url("/vault/shares/unknown")))
        .await
        .expect(404);
    let token = env.login("organizer@eventzr.com").await;
    env.call(
        env.vault(
            Method::POST,
            &format!("/vault/v1/assets/{id}/share"),
            &token,
        )
        .json(&json!({"expires_in_seconds": 5})),
    )
    .await
    .expect(400);
}

#[tokio::test]
async fn multipart_upload_is_streamed_to_disk_with_a_limit() {
    let files = tempfile::tempdir().unwrap();
    let env = start_with(SandboxConfig {
        upload_limit: 64 * 1024,
        files_dir: Some(files.path().to_owned()),
        ..config()
    })
    .await;
    let token = env.login("organizer@eventzr.com").await;
    let bytes: Vec<u8> = (0..50_000u32).map(|i| (i % 251) as u8).collect();
    let form = |data: Vec<u8>| {
        Form::new()
            .part(
                "file",
                Part::bytes(data)
                    .file_name("clip.mp4")
                    .mime_str("video/mp4")
                    .unwrap(),
            )
            .text("tags", "launch, 2026")
    };
    let upload = |data: Vec<u8>| {
        env.vault(Method::POST, "/vault/v1/assets", &token)
            .header("Idempotency-Key", "up-1")
            .multipart(form(data))
    };
    let r = env.call(upload(bytes.clone())).await;
    r.expect(201);
    let asset = r.body["data"].clone();
    assert_eq!(asset["name"], "clip.mp4");
    assert_eq!(asset["content_type"], "video/mp4");
    assert_eq!(asset["size"], 50_000);
    assert_eq!(asset["has_content"], true);
    assert_eq!(asset["tags"], json!(["launch", "2026"]));
    use sha2::Digest;
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(asset["sha256"], digest.as_str());
    // Replayed upload: same asset, nothing stored twice.
    let again = env.call(upload(bytes.clone())).await;
    assert_eq!(again.body["data"]["id"], asset["id"]);
    assert_eq!(
        std::fs::read_dir(files.path()).unwrap().count(),
        1,
        "one stored file, no leftovers"
    );
    // The bytes come back through a share link.
    let share = env
        .call(
            env.vault(
                Method::POST,
                &format!("/vault/v1/assets/{}/share", asset["id"].as_str().unwrap()),
                &token,
            )
            .json(&json!({})),
        )
        .await;
    let got = env
        .http
        .get(share.body["data"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(got.headers()["content-type"], "video/mp4");
    assert_eq!(got.bytes().await.unwrap().to_vec(), bytes);
    // Over the limit: 413, nothing kept.
    let big = vec![7u8; 70 * 1024];
    let r = env
        .call(
            env.vault(Method::POST, "/vault/v1/assets", &token)
                .multipart(form(big)),
        )
        .await;
    r.expect(413);
    assert_eq!(r.code(), "PAYLOAD_TOO_LARGE");
    assert_eq!(std::fs::read_dir(files.path()).unwrap().count(), 1);
    let r = env
        .call(
            env.vault(Method::POST, "/vault/v1/assets", &token)
                .multipart(Form::new().text("name", "x")),
        )
        .await;
    r.expect(400);
    assert_eq!(
        env.call(env.vault(Method::GET, "/vault/v1/quota", &token))
            .await
            .body["data"]["assets_used"],
        1
    );
}

#[tokio::test]
async fn folders_patch_and_quota() {
    let env = start_with(SandboxConfig {
        quota: QuotaLimits {
            bytes: 10_000,
            assets: 100,
        },
        ..config()
    })
    .await;
    let token = env.login("organizer@eventzr.com").await;
    let r = env
        .call(
            env.vault(Method::POST, "/vault/v1/folders", &token)
                .json(&json!({"name": "Clips"})),
        )
        .await;
    r.expect(201);
    let folder = r.body["data"]["id"].as_str().unwrap().to_owned();
    let dup = env
        .call(
            env.vault(Method::POST, "/vault/v1/folders", &token)
                .json(&json!({"name": "Clips"})),
        )
        .await;
    dup.expect(409);
    assert_eq!(dup.code(), "FOLDER_EXISTS");
    env.call(
        env.vault(Method::POST, "/vault/v1/folders", &token)
            .json(&json!({"name": "Sub", "parent_id": folder})),
    )
    .await
    .expect(201);
    let sub = env
        .call(env.vault(
            Method::GET,
            &format!("/vault/v1/folders?parent_id={folder}"),
            &token,
        ))
        .await;
    assert_eq!(sub.body["page"]["total"], 1);
    let all = env
        .call(env.vault(Method::GET, "/vault/v1/folders?limit=2", &token))
        .await;
    assert_eq!(all.body["page"]["total"], 6);
    assert_eq!(all.body["page"]["has_more"], true);

    let id = new_asset(&env, &token, "a.mp4").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/vault/v1/assets/{id}");
    let r = env
        .call(
            env.vault(Method::PATCH, &path, &token)
                .json(&json!({"name": "b.mp4", "folder_id": folder, "tags": ["x", "x", "y"]})),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["data"]["name"], "b.mp4");
    assert_eq!(r.body["data"]["folder_id"], folder.as_str());
    assert_eq!(r.body["data"]["tags"], json!(["x", "y"]));
    let r = env
        .call(
            env.vault(Method::PATCH, &path, &token)
                .json(&json!({"folder_id": null})),
        )
        .await;
    assert_eq!(r.body["data"]["folder_id"], Value::Null);
    assert_eq!(r.body["data"]["name"], "b.mp4");
    env.call(
        env.vault(Method::PATCH, &path, &token)
            .json(&json!({"size": 5})),
    )
    .await
    .expect(400);
    env.call(
        env.vault(Method::PATCH, &path, &token)
            .json(&json!({"content_type": "nonsense"})),
    )
    .await
    .expect(400);

    let quota = env
        .call(env.vault(Method::GET, "/vault/v1/quota", &token))
        .await;
    assert_eq!(quota.body["data"]["bytes_used"], 1000);
    assert_eq!(quota.body["data"]["bytes_limit"], 10_000);
    assert_eq!(quota.body["data"]["assets_used"], 1);
    let over = env
        .call(
            env.vault(Method::POST, "/vault/v1/assets", &token)
                .json(&json!({"name": "huge", "size": 9_001})),
        )
        .await;
    over.expect(409);
    assert_eq!(over.code(), "QUOTA_EXCEEDED");
    env.call(
        env.vault(Method::POST, "/vault/v1/assets", &token)
            .json(&json!({"name": "fits", "size": 9_000})),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn health_and_unknown_routes() {
    let env = start().await;
    env.call(env.req(Method::GET, "/vault/health"))
        .await
        .expect(200);
    let token = env.login("dev@eventzr.com").await;
    let r = env
        .vault(Method::GET, "/vault/v1/nothing", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "NOT_FOUND"
    );
    // A client using the wrong base URL gets 404.
    let r = env
        .req(Method::GET, "/vault/v1/assets")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = env
        .req(Method::GET, "/v1/auth/tokens")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn uploads_have_their_own_rate_limit_in_each_envelope() {
    let limits = portal_sandbox::RateLimits {
        reads_per_minute: 2,
        writes_per_minute: 5,
        uploads_per_minute: 1,
        window_seconds: 60,
    };
    let env = start_with(SandboxConfig {
        rate_limits: limits,
        ..config()
    })
    .await;
    let token = env.login("organizer@eventzr.com").await;
    let upload = || {
        env.vault(Method::POST, "/vault/v1/assets", &token)
            .multipart(Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("x.bin")))
    };
    let first = env.call(upload()).await;
    first.expect(201);
    assert_eq!(first.header("x-ratelimit-limit"), Some("1"));
    let second = env.call(upload()).await;
    second.expect(429);
    assert_eq!(second.code(), "RATE_LIMITED");
    assert!(second.header("retry-after").is_some());
    // JSON writes are counted separately.
    new_asset(&env, &token, "still fine").await;
    // The JWT keys API answers 429 in its own envelope.
    for _ in 0..2 {
        env.call(env.jk(Method::GET, "/jwt_keys")).await.expect(200);
    }
    let r = env.call(env.jk(Method::GET, "/jwt_keys")).await;
    r.expect(429);
    assert_eq!(r.body["success"], false);
    assert_eq!(r.code(), "rate_limited");
}

/// The sandbox remembers a filter's count and where each page ended (to seek
/// rather than skip an OFFSET, or skip only the pages since a known end):
/// pages read in order, out of order, again, and
/// after writes must still be exactly the one-request list, in its order,
/// every row once, with the right total.
#[tokio::test]
async fn paging_by_page_number_matches_the_whole_list_in_any_order_and_after_writes() {
    let env = seeded(57).await;
    let token = env.login("admin@eventzr.com").await;
    let get = |q: String| {
        let env = &env;
        let token = &token;
        async move {
            let r = env
                .call(env.vault(Method::GET, &format!("/vault/v1/assets?{q}"), token))
                .await;
            r.expect(200);
            r.body
        }
    };
    let ids = |body: &Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    for round in 0..2 {
        if round == 1 {
            // Writes between reads: counts and page ends must be forgotten.
            new_asset(&env, &token, "aaa inserted").await;
            new_asset(&env, &token, "zzz inserted").await;
        }
        for sort in ["-created_at", "created_at", "name", "-name", "size"] {
            for filter in ["", "&q=e"] {
                let whole = get(format!("limit=100&sort={sort}{filter}")).await;
                let want = ids(&whole);
                let total = whole["page"]["total"].as_u64().unwrap();
                assert_eq!(total as usize, want.len());
                let pages = want.len().div_ceil(10);
                // Each page after the one after it (a page end known two
                // pages back: seek there and skip a page), in order twice
                // (the second time from the remembered page ends), then
                // backwards (no page end known for a page).
                let leapfrog = (1..=pages)
                    .map(|p| match p % 2 {
                        0 if p < pages => p + 1,
                        1 if p > 1 => p - 1,
                        _ => p,
                    })
                    .collect::<Vec<_>>();
                for order in [
                    leapfrog,
                    (1..=pages).collect::<Vec<_>>(),
                    (1..=pages).collect(),
                    (1..=pages).rev().collect(),
                ] {
                    let mut got = vec![Vec::new(); pages];
                    for p in order {
                        let body = get(format!("page={p}&limit=10&sort={sort}{filter}")).await;
                        assert_eq!(
                            body["page"]["total"],
                            json!(total),
                            "{sort}{filter} page {p}"
                        );
                        assert_eq!(body["page"]["has_more"], json!(p < pages));
                        got[p - 1] = ids(&body);
                    }
                    assert_eq!(got.concat(), want, "{sort}{filter}");
                }
            }
        }
    }
}

/// Found by Schemathesis: null was taken for "absent" in fields the
/// document does not mark nullable; empty `page=`/`limit=` for the
/// defaults; and lengths were counted after trimming.
#[tokio::test]
async fn fields_are_exactly_as_documented() {
    let env = start().await;
    let org = env.login("organizer@eventzr.com").await;
    let create = |body: Value| {
        env.vault(Method::POST, "/vault/v1/assets", &org)
            .json(&body)
    };
    for field in ["content_type", "tags", "size"] {
        let r = env.call(create(json!({"name": "n", field: null}))).await;
        r.expect(400);
        assert_eq!(r.code(), "VALIDATION_ERROR", "{field}");
    }
    // folder_id is nullable.
    let asset = env
        .call(create(json!({"name": "  padded  ", "folder_id": null})))
        .await;
    asset.expect(201);
    assert_eq!(asset.body["data"]["name"], "padded");
    let id = asset.body["data"]["id"].as_str().unwrap().to_owned();
    // maxLength counts the name as sent, surrounding spaces included.
    let long = format!(" {} ", "x".repeat(254));
    env.call(create(json!({"name": long}))).await.expect(400);
    env.call(create(json!({"name": "n", "tags": [" "]})))
        .await
        .expect(400);
    // Integers as JSON Schema counts them: 5.0 is one, 5.5 is not.
    let sized = env.call(create(json!({"name": "n", "size": 5.0}))).await;
    sized.expect(201);
    assert_eq!(sized.body["data"]["size"], 5);
    env.call(create(json!({"name": "n", "size": 5.5})))
        .await
        .expect(400);
    env.call(
        env.vault(Method::POST, &format!("/vault/v1/assets/{id}/share"), &org)
            .json(&json!({"expires_in_seconds": null})),
    )
    .await
    .expect(400);
    env.call(
        env.vault(
            Method::POST,
            &format!("/vault/v1/assets/{id}/transforms"),
            &org,
        )
        .json(&json!({"type": "thumbnail", "params": null})),
    )
    .await
    .expect(400);
    for bad in ["page=", "limit=", "page=1000000001"] {
        env.call(env.vault(Method::GET, &format!("/vault/v1/assets?{bad}"), &org))
            .await
            .expect(400);
    }
}

/// Found by Schemathesis: a share link to an uploaded file whose name held
/// a control character answered 500 (the name went into a header as is);
/// and media types allowed characters no header may carry.
#[tokio::test]
async fn share_links_serve_any_file_name_and_media_types_are_tokens() {
    let env = start().await;
    let org = env.login("organizer@eventzr.com").await;
    let r = env
        .call(
            env.vault(Method::POST, "/vault/v1/assets", &org)
                .json(&json!({"name": "n", "content_type": "\u{1}/x"})),
        )
        .await;
    r.expect(400);
    let name = "résumé\u{1}\"x.txt";
    let form = Form::new()
        .part(
            "file",
            Part::bytes(b"hello".to_vec()).file_name("upload.bin"),
        )
        .text("name", name)
        .text("content_type", "Text/Plain");
    let asset = env
        .call(
            env.vault(Method::POST, "/vault/v1/assets", &org)
                .multipart(form),
        )
        .await;
    asset.expect(201);
    assert_eq!(asset.body["data"]["name"], name);
    assert_eq!(asset.body["data"]["content_type"], "text/plain");
    let id = asset.body["data"]["id"].as_str().unwrap();
    let share = env
        .call(
            env.vault(Method::POST, &format!("/vault/v1/assets/{id}/share"), &org)
                .json(&json!({})),
        )
        .await;
    share.expect(201);
    let opened = env
        .http
        .get(share.body["data"]["url"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    assert_eq!(opened.headers()["content-type"], "text/plain");
    assert_eq!(
        opened.headers()["content-disposition"],
        "attachment; filename=\"r_sum___x.txt\"; filename*=UTF-8''r%C3%A9sum%C3%A9%01%22x.txt"
    );
    assert_eq!(&opened.bytes().await.unwrap()[..], b"hello");
}
