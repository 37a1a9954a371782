//! What a new sandbox holds: two Vault tenants with their users and
//! folders, the bootstrap credentials, and with `--seed N` N assets plus a
//! few tokens and JWT keys. Everything is idempotent, so a persisted
//! sandbox is never seeded twice: assets are topped up to N.

use crate::BootstrapCredentials;
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{params, Connection};
use serde_json::json;

use crate::clock::to_db;
use crate::config::QuotaLimits;
use crate::credentials::VaultUser;
use crate::db::{get_setting, set_setting, setting_or_insert};
use crate::vault::auth::{insert_user, set_password, NewUser};
use crate::vault::{Role, SEEDED_PASSWORD};
use crate::{ids, jwt_keys, vaultstream};

/// The documented example tenant: the staging test users live here.
pub const TENANT_A: (&str, &str) = ("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "EventZR Demo");
/// A second tenant, to show row-level isolation.
pub const TENANT_B: (&str, &str) = ("b7e4c2a9-3f1d-4e8b-9c6a-5d2f8e1a7b30", "Acme Events");

/// (user id, tenant, email, role).
const USERS: [(&str, (&str, &str), &str, Role); 5] = [
    (
        "550e8400-e29b-41d4-a716-446655440000",
        TENANT_A,
        "admin@eventzr.com",
        Role::Admin,
    ),
    (
        "6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f",
        TENANT_A,
        "dev@eventzr.com",
        Role::User,
    ),
    (
        "7a8b9c0d-1e2f-4a3b-9c4d-5e6f7a8b9c0d",
        TENANT_A,
        "organizer@eventzr.com",
        Role::Organizer,
    ),
    (
        "8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f",
        TENANT_B,
        "admin@acme.test",
        Role::Admin,
    ),
    (
        "9d0e1f2a-3b4c-4d5e-9f6a-7b8c9d0e1f2a",
        TENANT_B,
        "organizer@acme.test",
        Role::Organizer,
    ),
];

const FOLDERS: [&str; 4] = ["Marketing", "Keynotes", "Legal", "Raw footage"];

/// The seeded Vault users, for the banner, with the password they have.
pub fn vault_users(password: &str) -> Vec<VaultUser> {
    USERS
        .iter()
        .map(|(_, (tenant_id, tenant), email, role)| VaultUser {
            email: (*email).to_owned(),
            password: password.to_owned(),
            role: role.as_str().to_owned(),
            tenant: (*tenant).to_owned(),
            tenant_id: (*tenant_id).to_owned(),
        })
        .collect()
}

/// Tenants, users, folders and the second tenant's assets (once).
pub fn base(
    conn: &Connection,
    now: DateTime<Utc>,
    quota: QuotaLimits,
    seed_assets: usize,
) -> anyhow::Result<()> {
    let assets_limit = quota.assets.max(seed_assets as u64 + 1_000);
    for (id, name) in [TENANT_A, TENANT_B] {
        conn.execute(
            "INSERT INTO tenants (id, name, bytes_limit, assets_limit) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT(id) DO UPDATE SET bytes_limit = excluded.bytes_limit,
                                           assets_limit = MAX(assets_limit, excluded.assets_limit)",
            params![
                id,
                name,
                i64::try_from(quota.bytes)?,
                i64::try_from(assets_limit)?
            ],
        )?;
    }
    if get_setting(conn, "seeded_base")?.is_some() {
        return Ok(());
    }
    for (id, (tenant_id, _), email, role) in USERS {
        insert_user(
            conn,
            &NewUser {
                id,
                tenant_id,
                email,
                password: SEEDED_PASSWORD,
                role,
            },
        )?;
    }
    let stamp = to_db(now);
    for (tenant_id, owner) in [(TENANT_A.0, USERS[0].0), (TENANT_B.0, USERS[3].0)] {
        for name in FOLDERS {
            crate::vault::insert_folder(conn, tenant_id, name, None, owner, &stamp)?;
        }
    }
    insert_assets(conn, TENANT_B.0, USERS[3].0, 3, now, 7)?;
    set_setting(conn, "seeded_base", &stamp)?;
    Ok(())
}

/// Give every seeded user `password` (a new salt each), replacing the
/// documented one or a previous run's.
pub fn set_vault_password(conn: &Connection, password: &str) -> anyhow::Result<()> {
    for (id, ..) in USERS {
        set_password(conn, id, password)?;
    }
    Ok(())
}

/// Top the first tenant up to `n` assets.
pub fn assets(conn: &Connection, n: usize, now: DateTime<Utc>) -> anyhow::Result<usize> {
    let have: i64 = conn.query_row(
        "SELECT COUNT(*) FROM assets WHERE tenant_id = ?1",
        params![TENANT_A.0],
        |r| r.get(0),
    )?;
    let missing = n.saturating_sub(usize::try_from(have)?);
    if missing > 0 {
        insert_assets(conn, TENANT_A.0, USERS[0].0, missing, now, have as u64)?;
    }
    Ok(missing)
}

const WORDS: [&str; 12] = [
    "keynote",
    "teaser",
    "interview",
    "backstage",
    "recap",
    "trailer",
    "panel",
    "highlights",
    "workshop",
    "promo",
    "livestream",
    "b-roll",
];
const KINDS: [(&str, &str); 5] = [
    ("mp4", "video/mp4"),
    ("mov", "video/quicktime"),
    ("jpg", "image/jpeg"),
    ("png", "image/png"),
    ("pdf", "application/pdf"),
];
const TAGS: [&str; 6] = ["2026", "public", "internal", "draft", "approved", "social"];

fn insert_assets(
    conn: &Connection,
    tenant_id: &str,
    owner: &str,
    n: usize,
    now: DateTime<Utc>,
    seed: u64,
) -> anyhow::Result<()> {
    let folders: Vec<String> = {
        let mut stmt =
            conn.prepare("SELECT id FROM folders WHERE tenant_id = ?1 ORDER BY created_at, id")?;
        let ids = stmt
            .query_map(params![tenant_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let span_ms = Duration::days(365).num_milliseconds();
    let step = (span_ms / (n as i64 + 1)).max(1);
    let start = now - Duration::milliseconds(step * (n as i64 + 1));
    let tx = conn.unchecked_transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO assets (id, tenant_id, name, content_type, size, folder_id, tags,
                                 created_at, updated_at, created_by, updated_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?9)",
        )?;
        for i in 0..n {
            let (ext, content_type) = KINDS[rng.gen_range(0..KINDS.len())];
            let name = format!(
                "{} {:06}.{ext}",
                WORDS[rng.gen_range(0..WORDS.len())],
                seed as usize + i + 1
            );
            let size: i64 = rng.gen_range(10_000..50_000_000);
            let folder = (!folders.is_empty() && rng.gen_bool(0.7))
                .then(|| folders[rng.gen_range(0..folders.len())].as_str());
            let tags = json!([TAGS[rng.gen_range(0..TAGS.len())]]).to_string();
            let created = to_db(start + Duration::milliseconds(step * (i as i64 + 1)));
            stmt.execute(params![
                ids::uuid(),
                tenant_id,
                name,
                content_type,
                size,
                folder,
                tags,
                created,
                owner
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

/// Bootstrap credentials: the VaultStream admin token (all six scopes, no
/// expiry) and the JWT keys API key. Kept in plain text in `settings` so a
/// persisted sandbox prints the same ones after a restart (the tables hold
/// only hashes); regenerated if the token was revoked.
///
/// With `provided` (the embedded sandbox, whose owner keeps the values in a
/// keychain), no plain copy is kept: the given values are registered (as
/// hashes) unless present, and any earlier plain copy is removed. A provided
/// token that was revoked or expired is replaced by a fresh one, returned.
pub fn credentials(
    conn: &Connection,
    now: DateTime<Utc>,
    provided: Option<&BootstrapCredentials>,
) -> anyhow::Result<(String, String)> {
    if let Some(given) = provided {
        return provided_credentials(conn, now, given);
    }
    let token = match get_setting(conn, "vaultstream_admin_token")? {
        Some(value) if admin_token_usable(conn, &value, now)? => value,
        _ => {
            let scopes: Vec<String> = vaultstream::SCOPES
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            let (_, value) = vaultstream::insert_token(conn, "Sandbox admin", &scopes, None, now)?;
            set_setting(conn, "vaultstream_admin_token", &value)?;
            value
        }
    };
    let user_id = setting_or_insert(conn, "jwt_keys_user_id", || ids::lower_alnum(21))?;
    let api_key = match get_setting(conn, "jwt_keys_api_key")? {
        Some(value) if jwt_keys::api_key_exists(conn, &value)? => value,
        _ => {
            let value = jwt_keys::insert_api_key(conn, &user_id, now)?;
            set_setting(conn, "jwt_keys_api_key", &value)?;
            value
        }
    };
    Ok((token, api_key))
}

fn all_scopes() -> Vec<String> {
    vaultstream::SCOPES
        .iter()
        .map(|s| (*s).to_owned())
        .collect()
}

fn provided_credentials(
    conn: &Connection,
    now: DateTime<Utc>,
    given: &BootstrapCredentials,
) -> anyhow::Result<(String, String)> {
    conn.execute(
        "DELETE FROM settings WHERE key IN ('vaultstream_admin_token', 'jwt_keys_api_key')",
        [],
    )?;
    let token = if admin_token_usable(conn, &given.admin_token, now)? {
        given.admin_token.clone()
    } else if vaultstream::find_by_value(conn, &given.admin_token)?.is_some() {
        // Revoked or expired: the same value cannot come back to life.
        vaultstream::insert_token(conn, "Sandbox admin", &all_scopes(), None, now)?.1
    } else {
        let value = given.admin_token.clone();
        vaultstream::insert_token_with_value(
            conn,
            "Sandbox admin",
            &all_scopes(),
            None,
            now,
            value,
        )?
        .1
    };
    let user_id = setting_or_insert(conn, "jwt_keys_user_id", || ids::lower_alnum(21))?;
    let api_key = if jwt_keys::api_key_exists(conn, &given.api_key)? {
        given.api_key.clone()
    } else {
        jwt_keys::insert_api_key_with_value(conn, &user_id, now, given.api_key.clone())?
    };
    Ok((token, api_key))
}

fn admin_token_usable(conn: &Connection, value: &str, now: DateTime<Utc>) -> anyhow::Result<bool> {
    Ok(vaultstream::find_by_value(conn, value)?
        .is_some_and(|t| vaultstream::usable(&t, now).is_ok()))
}

/// A JWT signing secret (`vaultstream_jwt_secret`, `vault_jwt_secret`).
/// Given bootstrap credentials (the app's embedded sandbox, which keeps them
/// in the keychain), it is derived from them and never written to the
/// database, so the data file holds nothing that can mint tokens; otherwise
/// it is random and kept in `settings`.
pub fn secret(
    conn: &Connection,
    name: &str,
    bootstrap: Option<&BootstrapCredentials>,
) -> anyhow::Result<Vec<u8>> {
    let hex = match bootstrap {
        Some(b) => {
            // One kept by an earlier version goes.
            conn.execute("DELETE FROM settings WHERE key = ?1", params![name])?;
            ids::sha256_hex(
                format!("portal-sandbox {name}\0{}\0{}", b.admin_token, b.api_key).as_bytes(),
            )
        }
        None => setting_or_insert(conn, name, || ids::hex(&ids::random_bytes(32)))?,
    };
    crate::ledger::record("signing_secret", &hex);
    Ok(hex.into_bytes())
}

/// With `--seed`: a few tokens (their values are discarded) and JWT keys.
pub fn extras(conn: &Connection, now: DateTime<Utc>) -> anyhow::Result<()> {
    if get_setting(conn, "seeded_extras")?.is_some() {
        return Ok(());
    }
    // Ages and expiries that show each hygiene case: overdue rotation, no
    // expiry, expiring soon, healthy.
    let day = chrono::Duration::days(1);
    let tokens: [(&str, &[&str], i32, Option<i32>); 3] = [
        (
            "CI/CD Pipeline",
            &["content:write", "content:read"],
            120,
            None,
        ),
        ("Analytics export", &["analytics:read"], 80, Some(10)),
        ("Webhook relay", &["webhook:manage"], 30, Some(335)),
    ];
    for (name, scopes, age_days, expires_in_days) in tokens {
        let scopes: Vec<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        let expires = expires_in_days.map(|d| now + day * d);
        vaultstream::insert_token(conn, name, &scopes, expires, now - day * age_days)?;
    }
    let user_id = setting_or_insert(conn, "jwt_keys_user_id", || ids::lower_alnum(21))?;
    for (name, pem) in [("Web player", SEED_KEY_1), ("Mobile apps", SEED_KEY_2)] {
        jwt_keys::insert_key(conn, name, pem.trim(), &user_id, now)?;
    }
    set_setting(conn, "seeded_extras", &to_db(now))?;
    Ok(())
}

/// Public halves of two throw-away RSA-2048 keys (private halves discarded).
const SEED_KEY_1: &str = include_str!("seed_key_1.pem");
const SEED_KEY_2: &str = include_str!("seed_key_2.pem");
