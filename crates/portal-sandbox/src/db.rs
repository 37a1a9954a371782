//! SQLite storage: one connection behind a mutex, in memory or in a file.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- VaultStream API tokens: only the SHA-256 of the value is kept.
CREATE TABLE IF NOT EXISTS vs_tokens (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  token_hash   TEXT NOT NULL UNIQUE,
  scopes       TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  expires_at   TEXT,
  revoked_at   TEXT,
  last_used_at TEXT
);

-- JWT keys API: API keys (hashed) and uploaded public keys.
CREATE TABLE IF NOT EXISTS jk_api_keys (
  id           TEXT PRIMARY KEY,
  key_hash     TEXT NOT NULL UNIQUE,
  user_id      TEXT NOT NULL,
  created_time TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jk_keys (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  name         TEXT NOT NULL,
  public_key   TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  created_time TEXT NOT NULL,
  updated_by   TEXT NOT NULL,
  updated_time TEXT NOT NULL
);

-- Vault: tenants, users, refresh tokens, folders, assets and friends.
CREATE TABLE IF NOT EXISTS tenants (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL,
  bytes_limit  INTEGER NOT NULL,
  assets_limit INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
  id            TEXT PRIMARY KEY,
  tenant_id     TEXT NOT NULL REFERENCES tenants(id),
  email         TEXT NOT NULL UNIQUE,
  password_salt TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  roles         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS folders (
  id         TEXT PRIMARY KEY,
  tenant_id  TEXT NOT NULL,
  name       TEXT NOT NULL,
  parent_id  TEXT,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS folders_unique_name
  ON folders (tenant_id, COALESCE(parent_id, ''), name);
CREATE INDEX IF NOT EXISTS folders_tenant ON folders (tenant_id, created_at, id);
CREATE TABLE IF NOT EXISTS assets (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL,
  name         TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  folder_id    TEXT,
  tags         TEXT NOT NULL,
  created_at   TEXT NOT NULL,
  updated_at   TEXT NOT NULL,
  created_by   TEXT NOT NULL,
  updated_by   TEXT NOT NULL,
  file_name    TEXT,
  sha256       TEXT,
  hold_reason  TEXT,
  hold_set_by  TEXT,
  hold_set_at  TEXT
);
CREATE INDEX IF NOT EXISTS assets_created ON assets (tenant_id, created_at, id);
CREATE INDEX IF NOT EXISTS assets_name ON assets (tenant_id, name, id);
CREATE INDEX IF NOT EXISTS assets_folder ON assets (tenant_id, folder_id, created_at);
CREATE TABLE IF NOT EXISTS transforms (
  id           TEXT PRIMARY KEY,
  tenant_id    TEXT NOT NULL,
  asset_id     TEXT NOT NULL,
  kind         TEXT NOT NULL,
  params       TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  requested_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS transforms_asset ON transforms (tenant_id, asset_id, requested_at);
CREATE TABLE IF NOT EXISTS shares (
  id         TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  tenant_id  TEXT NOT NULL,
  asset_id   TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS idempotency (
  tenant_id  TEXT NOT NULL,
  key        TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status     INTEGER NOT NULL,
  body       TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
"#;

/// The sandbox's database.
pub struct Db {
    conn: Mutex<Connection>,
    list_cache: Mutex<ListCache>,
}

/// Facts about list queries that stay true while the database is unchanged:
/// how many rows a filter matches, and where a page ended (so that the next
/// page can seek in the index instead of skipping an OFFSET). Any change
/// (a write on the sandbox's connection, or a commit by another connection)
/// empties it.
#[derive(Default)]
pub struct ListCache {
    version: Option<(u64, i64)>,
    counts: HashMap<String, u64>,
    /// (query, offset of the next row) -> sort key and id of the row before.
    page_ends: HashMap<(String, u64), (String, String)>,
}

/// Entries kept per kind before the cache starts again (bounds its memory).
const LIST_CACHE_MAX: usize = 4096;

/// Pages back a list page looks for a known page end to seek from.
const PAGE_END_REACH: u64 = 16;

impl ListCache {
    /// Empties the cache when the database changed since it was filled.
    fn sync(&mut self, conn: &Connection) {
        let data_version: i64 = conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .unwrap_or(-1);
        let version = (conn.total_changes(), data_version);
        if self.version != Some(version) || data_version < 0 {
            self.counts.clear();
            self.page_ends.clear();
            self.version = Some(version);
        }
    }

    pub fn count(&self, query: &str) -> Option<u64> {
        self.counts.get(query).copied()
    }

    pub fn set_count(&mut self, query: &str, total: u64) {
        if self.counts.len() >= LIST_CACHE_MAX {
            self.counts.clear();
        }
        self.counts.insert(query.to_owned(), total);
    }

    /// Where the nearest page end at or before `offset` is: the sort key and
    /// id of the row before it, and how many rows lie between it and
    /// `offset`. Looked for `step` rows apart (a page), at most
    /// [`PAGE_END_REACH`] pages back: pages asked for a few at a time
    /// arrive out of order, and a page whose previous one is not done yet
    /// seeks from an earlier one and skips the rows in between.
    pub fn page_end_before(
        &self,
        query: &str,
        offset: u64,
        step: u64,
    ) -> Option<(&(String, String), u64)> {
        let mut key = (query.to_owned(), offset);
        for back in 0..=PAGE_END_REACH {
            let skip = back.checked_mul(step)?;
            key.1 = offset.checked_sub(skip).filter(|o| *o > 0)?;
            if let Some(end) = self.page_ends.get(&key) {
                return Some((end, skip));
            }
        }
        None
    }

    pub fn set_page_end(&mut self, query: &str, offset: u64, key: String, id: String) {
        if self.page_ends.len() >= LIST_CACHE_MAX {
            self.page_ends.clear();
        }
        self.page_ends.insert((query.to_owned(), offset), (key, id));
    }
}

impl Db {
    pub fn open(path: Option<&Path>) -> anyhow::Result<Db> {
        let conn = match path {
            Some(path) => {
                let conn = Connection::open(path)?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "NORMAL")?;
                conn
            }
            None => Connection::open_in_memory()?,
        };
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted rows (e.g. an older sandbox's plain bootstrap credentials) are
        // overwritten, not left in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Db {
            conn: Mutex::new(conn),
            list_cache: Mutex::default(),
        })
    }

    /// The connection. Calls are short and never held across an await.
    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The list cache, checked against `conn` (which must come from
    /// [`Db::lock`]; taken in that order).
    pub fn list_cache<'a>(&'a self, conn: &Connection) -> MutexGuard<'a, ListCache> {
        let mut cache = self
            .list_cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.sync(conn);
        cache
    }
}

pub fn get_setting(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT value FROM settings WHERE key = ?1",
        params![key],
        |r| r.get(0),
    )
    .optional()
}

pub fn set_setting(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// The setting, created with `make` the first time.
pub fn setting_or_insert(
    conn: &Connection,
    key: &str,
    make: impl FnOnce() -> String,
) -> rusqlite::Result<String> {
    if let Some(value) = get_setting(conn, key)? {
        return Ok(value);
    }
    let value = make();
    set_setting(conn, key, &value)?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_seeks_from_the_nearest_known_end_within_reach() {
        let mut cache = ListCache::default();
        assert_eq!(cache.page_end_before("q", 50, 10), None);
        cache.set_page_end("q", 10, "k10".into(), "i10".into());
        let found = |c: &ListCache, offset, step| {
            c.page_end_before("q", offset, step)
                .map(|((k, _), skip)| (k.clone(), skip))
        };
        assert_eq!(found(&cache, 10, 10), Some(("k10".into(), 0)));
        assert_eq!(found(&cache, 30, 10), Some(("k10".into(), 20)));
        cache.set_page_end("q", 20, "k20".into(), "i20".into());
        assert_eq!(found(&cache, 30, 10), Some(("k20".into(), 10)));
        // Only page ends `step` apart, within reach, never offset 0, and
        // only for the same list.
        assert_eq!(found(&cache, 25, 10), None);
        let far = 20 + 10 * (PAGE_END_REACH + 1);
        assert_eq!(found(&cache, far, 10), None);
        assert_eq!(
            found(&cache, far - 10, 10),
            Some(("k20".into(), 10 * PAGE_END_REACH))
        );
        assert_eq!(cache.page_end_before("other", 30, 10), None);
        assert_eq!(found(&cache, 5, 10), None);
    }
}
