//! Profiles: a name, an environment and a base URL per service. Non-secret;
//! kept in the settings file (the app's `tauri-plugin-store` file, which the
//! CLI reads and writes through [`SettingsFile`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::fsutil::write_private;
use crate::network::{NetworkInfo, NetworkSettings};
use crate::secrets::SecretBackend;
use crate::service::Service;
use crate::time::describe_seconds;

/// Name of the settings file in the app data directory.
pub const SETTINGS_FILE: &str = "settings.json";
const KEY_PROFILES: &str = "profiles";
const KEY_ACTIVE: &str = "activeProfile";
const KEY_BACKEND: &str = "secretBackend";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Environment {
    Production,
    Staging,
    Sandbox,
    Other,
}

impl std::str::FromStr for Environment {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "production" | "prod" => Ok(Self::Production),
            "staging" => Ok(Self::Staging),
            "sandbox" => Ok(Self::Sandbox),
            "other" => Ok(Self::Other),
            _ => Err(Error::validation(format!(
                "Unknown environment '{s}': use production, staging, sandbox or other."
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ServiceUrls {
    pub vaultstream: String,
    /// Includes the `/v2` prefix.
    pub jwt_keys: String,
    pub vault: String,
}

impl Default for ServiceUrls {
    fn default() -> Self {
        Self {
            vaultstream: Service::VaultStream.default_url().into(),
            jwt_keys: Service::JwtKeys.default_url().into(),
            vault: Service::Vault.default_url().into(),
        }
    }
}

impl ServiceUrls {
    pub fn get(&self, service: Service) -> &str {
        match service {
            Service::VaultStream => &self.vaultstream,
            Service::JwtKeys => &self.jwt_keys,
            Service::Vault => &self.vault,
        }
    }

    pub fn set(&mut self, service: Service, url: String) {
        match service {
            Service::VaultStream => self.vaultstream = url,
            Service::JwtKeys => self.jwt_keys = url,
            Service::Vault => self.vault = url,
        }
    }

    /// Every URL must be absolute `https://`, or `http://` to this machine
    /// (127.0.0.0/8, ::1, localhost: the local sandbox); see
    /// [`crate::origin::check_base_url`].
    pub fn validate(&self) -> Result<()> {
        for service in Service::ALL {
            crate::origin::check_base_url(service, self.get(service))?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Profile {
    pub name: String,
    pub environment: Environment,
    pub urls: ServiceUrls,
    /// The app runs the sandbox in-process for this profile; its URLs are
    /// filled in at start-up.
    #[serde(default)]
    pub embedded_sandbox: bool,
    /// The vault login email (not secret; the password is in the keychain).
    #[serde(default)]
    pub vault_email: Option<String>,
    /// A PEM file of CA certificates this profile trusts on top of the
    /// system's (a company CA). An absolute path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub ca_file: Option<String>,
    /// The proxy for this profile's requests (`http://host:port`); wins over
    /// `HTTPS_PROXY` and the like. Never a login: see [`crate::network::check_proxy`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub proxy: Option<String>,
    /// The longest lifetime a private-video JWT signed here may have, in
    /// seconds (default 7 days; see `signing::sign_for_profile`).
    #[serde(default = "default_jwt_max_ttl")]
    pub jwt_max_ttl_seconds: u32,
}

fn default_jwt_max_ttl() -> u32 {
    DEFAULT_MAX_TTL_SECONDS
}

/// The longest lifetime of a JWT signed under a profile, unless the profile
/// says otherwise (`Profile::jwt_max_ttl_seconds`): 7 days.
pub const DEFAULT_MAX_TTL_SECONDS: u32 = 7 * 24 * 3600;
/// The bounds of that cap: 1 minute to 365 days.
pub const TTL_CAP_RANGE: std::ops::RangeInclusive<u32> = 60..=365 * 24 * 3600;

/// A profile's cap must lie in [`TTL_CAP_RANGE`].
pub fn validate_ttl_cap(seconds: u32) -> Result<()> {
    if TTL_CAP_RANGE.contains(&seconds) {
        Ok(())
    } else {
        Err(Error::validation(format!(
            "The longest JWT lifetime must be between 1 minute and 365 days, not {}.",
            describe_seconds(i64::from(seconds))
        )))
    }
}

impl Profile {
    /// How this profile's client reaches its services: the embedded sandbox
    /// directly, anything else through its CA file and proxy.
    pub fn network(&self) -> NetworkSettings {
        if self.embedded_sandbox {
            return NetworkSettings::direct();
        }
        NetworkSettings {
            ca_file: self.ca_file.as_ref().map(PathBuf::from),
            proxy: self.proxy.clone(),
            direct: false,
        }
    }

    /// Which proxy and which extra CA this profile's client uses.
    pub fn network_info(&self) -> NetworkInfo {
        crate::network::describe(&self.network(), |s| self.urls.get(s))
    }

    pub fn new(name: impl Into<String>, environment: Environment) -> Self {
        Self {
            name: name.into(),
            environment,
            urls: ServiceUrls::default(),
            embedded_sandbox: false,
            vault_email: None,
            jwt_max_ttl_seconds: default_jwt_max_ttl(),
            ca_file: None,
            proxy: None,
        }
    }

    /// The name, the URLs, and the shape of the network settings (the CA
    /// file's content is read when a client is built: see
    /// [`crate::network::load_ca_file`]).
    pub fn validate(&self) -> Result<()> {
        validate_name(&self.name)?;
        validate_ttl_cap(self.jwt_max_ttl_seconds)?;
        self.urls.validate()?;
        if let Some(proxy) = &self.proxy {
            crate::network::check_proxy(proxy)?;
        }
        if let Some(ca) = &self.ca_file {
            if !Path::new(ca).is_absolute() {
                return Err(Error::validation(format!(
                    "The CA certificate file must be given by its full path, not '{ca}'."
                )));
            }
        }
        Ok(())
    }

    /// The URLs of a profile about to be used. The settings file may have
    /// been edited by hand, so they are checked again; the error names the
    /// profile.
    pub fn check_urls(&self) -> Result<()> {
        self.urls.validate().map_err(|mut e| {
            e.code = crate::error::ErrorCode::Config;
            e.hint = Some(format!(
                "Remove profile '{}' and add it again with an https:// URL (Settings in the app, \
                 or `portal profile remove` and `portal profile add`).",
                self.name
            ));
            e.during(&format!("Profile '{}'", self.name))
        })
    }

    pub fn is_production(&self) -> bool {
        self.environment == Environment::Production
    }
}

pub fn validate_name(name: &str) -> Result<()> {
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 40 {
        return Err(Error::validation(
            "A profile name needs 1 to 40 characters.",
        ));
    }
    if name == crate::secrets::APP_SCOPE {
        return Err(Error::validation(format!(
            "'{name}' is reserved for the app's own entries: choose another profile name."
        )));
    }
    if trimmed != name || name.contains('/') || name.chars().any(char::is_control) {
        return Err(Error::validation(
            "A profile name cannot contain '/', control characters, or leading or trailing spaces.",
        ));
    }
    Ok(())
}

/// A flat JSON object of settings, the format of `tauri-plugin-store`.
pub trait KeyValueStore: Send + Sync {
    fn get(&self, key: &str) -> Option<Value>;
    /// Sets and persists.
    fn set(&self, key: &str, value: Value) -> Result<()>;
}

/// The items of a stored JSON list, read liberally: an absent or non-list
/// value is empty, and an item this version cannot read is skipped.
pub(crate) fn readable_items<T: DeserializeOwned>(list: Option<Value>) -> Vec<T> {
    list.and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect()
}

/// The settings file read and written directly (the CLI; tests).
pub struct SettingsFile {
    path: PathBuf,
    map: Mutex<Map<String, Value>>,
}

impl SettingsFile {
    pub fn open(path: impl Into<PathBuf>) -> Result<Self> {
        let path = path.into();
        let map = match std::fs::read(&path) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => Map::new(),
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::config(format!(
                    "{} is not a valid settings file: {e}",
                    path.display()
                ))
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Map::new(),
            Err(e) => return Err(e.into()),
        };
        Ok(Self {
            path,
            map: Mutex::new(map),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl KeyValueStore for SettingsFile {
    fn get(&self, key: &str) -> Option<Value> {
        self.map.lock().ok()?.get(key).cloned()
    }

    fn set(&self, key: &str, value: Value) -> Result<()> {
        let mut map = self
            .map
            .lock()
            .map_err(|_| Error::internal("settings lock poisoned"))?;
        map.insert(key.to_owned(), value);
        let bytes = serde_json::to_vec_pretty(&*map).map_err(|e| Error::internal(e.to_string()))?;
        write_private(&self.path, &bytes)
    }
}

/// The app data directory shared by the app and the CLI
/// (`$XDG_DATA_HOME/dev.partnerportal.app` on Linux), unless `PORTAL_DATA_DIR` says otherwise.
pub fn data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PORTAL_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join(crate::secrets::APP_ID))
        .ok_or_else(|| Error::config("Cannot find the user's data directory (is HOME set?)."))
}

/// Profile operations over any [`KeyValueStore`].
pub struct Profiles<'a> {
    store: &'a dyn KeyValueStore,
}

impl<'a> Profiles<'a> {
    pub fn new(store: &'a dyn KeyValueStore) -> Self {
        Self { store }
    }

    pub fn list(&self) -> Vec<Profile> {
        // Liberal: skip entries this version cannot read instead of failing.
        readable_items(self.store.get(KEY_PROFILES))
    }

    pub fn get(&self, name: &str) -> Result<Profile> {
        self.list()
            .into_iter()
            .find(|p| p.name == name)
            .ok_or_else(|| Error::config(format!("No profile named '{name}'.")))
    }

    fn save(&self, profiles: &[Profile]) -> Result<()> {
        let v = serde_json::to_value(profiles).map_err(|e| Error::internal(e.to_string()))?;
        self.store.set(KEY_PROFILES, v)
    }

    /// Adds a profile; the first one becomes active.
    pub fn add(&self, profile: Profile) -> Result<()> {
        profile.validate()?;
        let mut all = self.list();
        if all.iter().any(|p| p.name == profile.name) {
            return Err(Error::validation(format!(
                "A profile named '{}' exists already.",
                profile.name
            )));
        }
        let first = all.is_empty();
        let name = profile.name.clone();
        all.push(profile);
        self.save(&all)?;
        if first {
            self.set_active(&name)?;
        }
        Ok(())
    }

    /// Replaces the profile of the same name.
    pub fn update(&self, profile: Profile) -> Result<()> {
        profile.validate()?;
        let mut all = self.list();
        let slot = all
            .iter_mut()
            .find(|p| p.name == profile.name)
            .ok_or_else(|| Error::config(format!("No profile named '{}'.", profile.name)))?;
        *slot = profile;
        self.save(&all)
    }

    /// Sets the longest lifetime of a JWT signed under profile `name`.
    pub fn set_jwt_max_ttl(&self, name: &str, seconds: u32) -> Result<Profile> {
        let mut profile = self.get(name)?;
        profile.jwt_max_ttl_seconds = seconds;
        self.update(profile.clone())?;
        Ok(profile)
    }

    /// Removes a profile (its secrets are the caller's to delete: see
    /// `profile_secrets::remove_profile`).
    pub fn remove(&self, name: &str) -> Result<()> {
        let mut all = self.list();
        let before = all.len();
        all.retain(|p| p.name != name);
        if all.len() == before {
            return Err(Error::config(format!("No profile named '{name}'.")));
        }
        self.save(&all)?;
        if self.active_name().as_deref() == Some(name) {
            let next = all
                .first()
                .map(|p| Value::String(p.name.clone()))
                .unwrap_or(Value::Null);
            self.store.set(KEY_ACTIVE, next)?;
        }
        Ok(())
    }

    pub fn active_name(&self) -> Option<String> {
        self.store
            .get(KEY_ACTIVE)
            .and_then(|v| v.as_str().map(str::to_owned))
    }

    pub fn active(&self) -> Option<Profile> {
        let name = self.active_name()?;
        self.list().into_iter().find(|p| p.name == name)
    }

    pub fn set_active(&self, name: &str) -> Result<()> {
        self.get(name)?;
        self.store.set(KEY_ACTIVE, Value::String(name.to_owned()))
    }

    pub fn secret_backend(&self) -> SecretBackend {
        self.store
            .get(KEY_BACKEND)
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    }

    pub fn set_secret_backend(&self, backend: SecretBackend) -> Result<()> {
        let v = serde_json::to_value(backend).map_err(|e| Error::internal(e.to_string()))?;
        self.store.set(KEY_BACKEND, v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file() -> (tempfile::TempDir, SettingsFile) {
        let dir = tempfile::tempdir().unwrap();
        let f = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
        (dir, f)
    }

    #[test]
    fn add_list_activate_remove() {
        let (dir, f) = file();
        let profiles = Profiles::new(&f);
        profiles
            .add(Profile::new("Staging", Environment::Staging))
            .unwrap();
        profiles
            .add(Profile::new("Prod", Environment::Production))
            .unwrap();
        assert_eq!(profiles.active_name().as_deref(), Some("Staging"));
        profiles.set_active("Prod").unwrap();
        assert!(profiles.active().unwrap().is_production());

        // Another reader of the same file sees the same thing (app and CLI share it).
        let again = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
        let names: Vec<_> = Profiles::new(&again)
            .list()
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["Staging", "Prod"]);

        profiles.remove("Prod").unwrap();
        assert_eq!(profiles.active_name().as_deref(), Some("Staging"));
        assert!(profiles.set_active("Prod").is_err());
    }

    #[test]
    fn duplicate_and_bad_names_and_urls_are_refused() {
        let (_dir, f) = file();
        let profiles = Profiles::new(&f);
        profiles.add(Profile::new("A", Environment::Other)).unwrap();
        assert!(profiles.add(Profile::new("A", Environment::Other)).is_err());
        assert!(profiles
            .add(Profile::new(" A", Environment::Other))
            .is_err());
        assert!(profiles
            .add(Profile::new("a/b", Environment::Other))
            .is_err());
        let mut p = Profile::new("B", Environment::Other);
        p.urls.vault = "ftp://example".into();
        let err = profiles.add(p).unwrap_err();
        assert!(err.message.contains("Vault URL"), "{}", err.message);
    }

    #[test]
    fn file_is_a_flat_store_object_and_unknown_keys_survive() {
        let (dir, f) = file();
        f.set("theme", Value::String("dark".into())).unwrap();
        Profiles::new(&f)
            .add(Profile::new("A", Environment::Sandbox))
            .unwrap();
        let raw: Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(SETTINGS_FILE)).unwrap())
                .unwrap();
        assert_eq!(raw["theme"], "dark");
        assert_eq!(raw["activeProfile"], "A");
        assert_eq!(
            raw["profiles"][0]["urls"]["jwtKeys"],
            "https://api.vidbeo.com/v2"
        );
    }

    #[test]
    fn plain_http_to_another_machine_is_refused_on_add_and_on_use() {
        let (dir, f) = file();
        let profiles = Profiles::new(&f);
        let mut p = Profile::new("Lab", Environment::Staging);
        p.urls.vaultstream = "http://vaultstream.example.com".into();
        let e = profiles.add(p.clone()).unwrap_err();
        assert!(
            e.message.contains("must use https://") && e.message.contains("example.com"),
            "{}",
            e.message
        );
        // Loopback stays allowed (the sandbox).
        p.urls.vaultstream = "http://127.0.0.1:9000".into();
        profiles.add(p).unwrap();

        // A settings file edited by hand: read, but refused when used.
        let raw = std::fs::read_to_string(dir.path().join(SETTINGS_FILE))
            .unwrap()
            .replace("http://127.0.0.1:9000", "http://example.com");
        std::fs::write(dir.path().join(SETTINGS_FILE), raw).unwrap();
        let again = SettingsFile::open(dir.path().join(SETTINGS_FILE)).unwrap();
        let lab = Profiles::new(&again).get("Lab").unwrap();
        let e = lab.check_urls().unwrap_err();
        assert_eq!(e.code, crate::error::ErrorCode::Config);
        assert!(
            e.message.starts_with(
                "Profile 'Lab': VaultStream URL 'http://example.com' must use https://"
            ),
            "{}",
            e.message
        );
        assert!(e.hint.unwrap().contains("'Lab'"));
    }

    #[test]
    fn the_jwt_ttl_cap_defaults_to_seven_days_and_is_bounded() {
        let (_dir, f) = file();
        // A profile written before the field existed reads with the default.
        f.set(
            KEY_PROFILES,
            serde_json::json!([{"name": "Old", "environment": "staging", "urls": ServiceUrls::default()}]),
        )
        .unwrap();
        let profiles = Profiles::new(&f);
        assert_eq!(profiles.get("Old").unwrap().jwt_max_ttl_seconds, 7 * 86_400);
        let p = profiles.set_jwt_max_ttl("Old", 3600).unwrap();
        assert_eq!(p.jwt_max_ttl_seconds, 3600);
        assert_eq!(profiles.get("Old").unwrap().jwt_max_ttl_seconds, 3600);
        for bad in [0, 59, 366 * 86_400] {
            assert!(profiles.set_jwt_max_ttl("Old", bad).is_err(), "{bad}");
        }
        assert_eq!(profiles.get("Old").unwrap().jwt_max_ttl_seconds, 3600);
    }

    #[test]
    fn network_settings_are_optional_and_checked() {
        // A profile written before the CA file and proxy existed still loads.
        let old: Profile = serde_json::from_value(serde_json::json!({
            "name": "Old", "environment": "staging",
            "urls": {"vaultstream": "https://a.example", "jwtKeys": "https://a.example/v2", "vault": "https://a.example"}
        }))
        .unwrap();
        assert_eq!((old.ca_file.as_deref(), old.proxy.as_deref()), (None, None));
        // Unset fields are not written at all.
        let v = serde_json::to_value(&old).unwrap();
        assert!(v.get("caFile").is_none() && v.get("proxy").is_none(), "{v}");

        let mut p = Profile::new("Corp", Environment::Staging);
        p.ca_file = Some("company-ca.pem".into());
        assert!(p.validate().unwrap_err().message.contains("full path"));
        p.ca_file = Some(std::env::temp_dir().join("ca.pem").to_string_lossy().into());
        p.proxy = Some("http://ana:pw@proxy.corp:3128".into());
        let e = p.validate().unwrap_err();
        assert!(!e.message.contains("pw@"), "{}", e.message);
        p.proxy = Some("http://proxy.corp:3128".into());
        p.validate().unwrap();
    }

    #[test]
    fn environment_parses_liberally() {
        assert_eq!(
            "PROD".parse::<Environment>().unwrap(),
            Environment::Production
        );
        assert!("live".parse::<Environment>().is_err());
    }
}
