//! Global flags, and turning them plus the environment into a
//! [`ProfileContext`]: which profile, which URLs, which credentials.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use clap::Args;
use portal_core::clock::ServiceClock;
use portal_core::context::ProfileContext;
use portal_core::http::HttpConfig;
use portal_core::ops::policy::{PolicyPath, PolicySource};
use portal_core::profiles::{
    data_dir, Environment, Profile, Profiles, SettingsFile, SETTINGS_FILE,
};
use portal_core::secrets::{EntryName, MemoryStore, SecretBackend, SecretStore};
use portal_core::secrets_file::EncryptedFileStore;
use portal_core::{Error, Result, Secret, Service};

#[derive(Args, Clone)]
pub struct Globals {
    /// Profile to use (default: the active one).
    #[arg(long, global = true, env = "PORTAL_PROFILE")]
    pub profile: Option<String>,
    /// Machine-readable output on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Log each request on stderr (method, path, status, request id, duration).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// VaultStream base URL.
    #[arg(
        long,
        global = true,
        env = "PORTAL_VAULTSTREAM_URL",
        value_name = "URL"
    )]
    pub vaultstream_url: Option<String>,
    /// JWT keys API base URL, including /v2.
    #[arg(long, global = true, env = "PORTAL_JWT_KEYS_URL", value_name = "URL")]
    pub jwt_keys_url: Option<String>,
    /// Vault Service base URL.
    #[arg(long, global = true, env = "PORTAL_VAULT_URL", value_name = "URL")]
    pub vault_url: Option<String>,
    /// The team's policy file (portal-policy.toml; default: PORTAL_POLICY,
    /// else the one chosen in the app's Settings → Policy).
    #[arg(long, global = true, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// The unsaved profile used when none is active and URLs or credentials
/// come from flags and the environment. Its URLs are the defaults, so its
/// stored credentials (if any) belong to the default origins.
const AD_HOC_PROFILE: &str = "command-line";

/// Credentials from the environment win over the keychain. Never flags.
const ENV_CREDENTIALS: [(&str, portal_core::secrets::Item); 2] = [
    (
        "PORTAL_VAULTSTREAM_TOKEN",
        portal_core::secrets::Item::VaultStreamToken,
    ),
    (
        "PORTAL_JWT_KEYS_TOKEN",
        portal_core::secrets::Item::JwtKeysApiKey,
    ),
];

pub fn init_logging(verbose: u8) {
    // The certificate verifier logs each refusal as an error of its own; the
    // CLI's `certificate` error already says it, once.
    let level = match verbose {
        0 => "warn,rustls_platform_verifier=off",
        1 => "warn,rustls_platform_verifier=off,portal::http=info",
        2 => "info,portal=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PORTAL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}

pub fn settings() -> Result<SettingsFile> {
    SettingsFile::open(data_dir()?.join(SETTINGS_FILE))
}

/// The configured backend; `PORTAL_SECRET_BACKEND=memory` keeps everything
/// in memory (tests, throwaway sessions).
pub fn backend(settings: &SettingsFile) -> SecretBackend {
    match std::env::var("PORTAL_SECRET_BACKEND").as_deref() {
        Ok("memory") => SecretBackend::Memory,
        _ => Profiles::new(settings).secret_backend(),
    }
}

/// Opens the secret store only when first needed, so commands whose
/// credentials all come from the environment never touch the keychain.
pub struct LazyStore {
    backend: SecretBackend,
    dir: PathBuf,
    opened: OnceLock<std::result::Result<Arc<dyn SecretStore>, Error>>,
}

impl LazyStore {
    pub fn new(settings: &SettingsFile) -> Result<Self> {
        let backend = match std::env::var("PORTAL_SECRET_BACKEND").as_deref() {
            Ok("memory") => SecretBackend::Memory,
            _ => Profiles::new(settings).secret_backend(),
        };
        Ok(Self {
            backend,
            dir: data_dir()?,
            opened: OnceLock::new(),
        })
    }

    fn open(&self) -> Result<Arc<dyn SecretStore>> {
        self.opened
            .get_or_init(|| -> std::result::Result<Arc<dyn SecretStore>, Error> {
                Ok(match self.backend {
                    SecretBackend::Memory => Arc::new(MemoryStore::default()),
                    // No probe read (the first real read reports an
                    // unusable keychain the same way), and each entry read
                    // once however many pages a command fetches.
                    SecretBackend::Keychain => Arc::new(portal_core::secrets::CachedStore::new(
                        Arc::new(portal_core::secrets::KeychainStore::connect(None)),
                        std::time::Duration::from_secs(60),
                    )),
                    SecretBackend::EncryptedFile => {
                        let pass = match std::env::var("PORTAL_SECRETS_PASSPHRASE") {
                            Ok(p) => Secret::from(p),
                            Err(_) => crate::prompt::read_secret(
                                "Passphrase of the encrypted secrets file",
                            )?,
                        };
                        Arc::new(EncryptedFileStore::unlock(&self.dir, &pass)?)
                    }
                })
            })
            .clone()
    }
}

impl SecretStore for LazyStore {
    fn backend(&self) -> SecretBackend {
        self.backend
    }
    fn get(&self, name: &EntryName) -> Result<Option<Secret>> {
        self.open()?.get(name)
    }
    fn set(&self, name: &EntryName, value: &Secret) -> Result<()> {
        self.open()?.set(name, value)
    }
    fn delete(&self, name: &EntryName) -> Result<()> {
        self.open()?.delete(name)
    }
    fn remove(&self, name: &EntryName) -> Result<bool> {
        self.open()?.remove(name)
    }
    fn profile_items(&self, profile: &str) -> Result<Option<Vec<portal_core::secrets::Item>>> {
        self.open()?.profile_items(profile)
    }
}

impl Globals {
    fn url_override(&self, service: Service) -> Option<&String> {
        match service {
            Service::VaultStream => self.vaultstream_url.as_ref(),
            Service::JwtKeys => self.jwt_keys_url.as_ref(),
            Service::Vault => self.vault_url.as_ref(),
        }
    }

    /// The profile named by `--profile`, else the active one, else (when URLs
    /// or credentials come from flags and the environment) an unsaved one
    /// with the default URLs. As stored: the flags' URLs are applied by
    /// [`Self::context`].
    pub fn profile(&self, settings: &SettingsFile) -> Result<Profile> {
        let profiles = Profiles::new(settings);
        let profile = match &self.profile {
            Some(name) => profiles.get(name)?,
            None => match profiles.active() {
                Some(p) => p,
                None if self.has_ad_hoc_config() => Profile::new(AD_HOC_PROFILE, Environment::Other),
                None => {
                    return Err(Error::config(
                        "No profile yet. Add one with `portal profile add`, or set PORTAL_VAULTSTREAM_URL and \
                         PORTAL_VAULTSTREAM_TOKEN (and the like) in the environment.",
                    ))
                }
            },
        };
        if profile.embedded_sandbox && Service::ALL.iter().all(|s| self.url_override(*s).is_none())
        {
            return Err(Error::config(format!(
                "Profile '{}' uses the app's embedded sandbox. Run `portal sandbox` and pass its URLs \
                 (--vaultstream-url …) and credentials, or choose another profile.",
                profile.name
            )));
        }
        profile.check_urls()?;
        Ok(profile)
    }

    /// The policy file given here: `--policy FILE`, else `PORTAL_POLICY`
    /// (when set and not empty); `None`: the settings' (Settings → Policy).
    pub fn policy_path(&self) -> Option<PolicyPath> {
        if let Some(path) = &self.policy {
            return Some(PolicyPath {
                path: path.clone(),
                source: PolicySource::Flag,
            });
        }
        std::env::var_os("PORTAL_POLICY")
            .filter(|v| !v.is_empty())
            .map(|v| PolicyPath {
                path: PathBuf::from(v),
                source: PolicySource::Environment,
            })
    }

    fn has_ad_hoc_config(&self) -> bool {
        Service::ALL.iter().any(|s| self.url_override(*s).is_some())
            || ENV_CREDENTIALS
                .iter()
                .any(|(var, _)| std::env::var_os(var).is_some())
    }

    /// The profile with the flags' URLs and the environment's credentials.
    /// A URL at another origin than the profile's cuts that service off from
    /// the stored credentials (`ProfileContext::override_url`): only the
    /// environment's are sent there. No exception, production included.
    pub fn context(&self) -> Result<ProfileContext> {
        let settings = settings()?;
        let profile = self.profile(&settings)?;
        let store = Arc::new(LazyStore::new(&settings)?);
        let mut ctx = ProfileContext::new(profile, store, http_config()?)?;
        CLOCKS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(ctx.http.clock().clone());
        ctx.set_policy(portal_core::ops::policy::load(
            &settings,
            self.policy_path(),
        ));
        for service in Service::ALL {
            if let Some(url) = self.url_override(service) {
                let hint = foreign_url_hint(service, &ctx.profile.name, url);
                ctx.override_url(service, url, &hint)?;
            }
        }
        for (var, item) in ENV_CREDENTIALS {
            if let Ok(v) = std::env::var(var) {
                if !v.is_empty() {
                    ctx.override_credential(item, Secret::from(v));
                }
            }
        }
        Ok(ctx)
    }
}

/// The services' clocks of the contexts this run made, for [`warn_clock`].
static CLOCKS: std::sync::Mutex<Vec<ServiceClock>> = std::sync::Mutex::new(Vec::new());

/// On stderr, once at the end of a run: this computer's clock differs from
/// a service's (its `Date`) by more than a minute.
pub fn warn_clock() {
    let clocks = CLOCKS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(w) = clocks.iter().find_map(ServiceClock::warning) {
        eprintln!("warning: {w}");
    }
}

/// What to do when `service`'s URL was given at another origin than the
/// profile's and no credential for it is in the environment.
fn foreign_url_hint(service: Service, profile: &str, url: &str) -> String {
    let (credential, flag) = match service {
        Service::VaultStream => ("PORTAL_VAULTSTREAM_TOKEN", "--vaultstream-url"),
        Service::JwtKeys => ("PORTAL_JWT_KEYS_TOKEN", "--jwt-keys-url"),
        Service::Vault => (
            "PORTAL_VAULT_EMAIL and PORTAL_VAULT_PASSWORD",
            "--vault-url",
        ),
    };
    if profile == AD_HOC_PROFILE {
        return format!(
            "No profile is in use, and the default {label} URL is not that one: give a credential \
             for {url} in {credential}, or add a profile for it (`portal profile add NAME {flag} {url}`).",
            label = service.label()
        );
    }
    format!(
        "Give a credential for {url} in {credential}, or use a profile made for that URL \
         (`portal profile add NAME {flag} {url}`) instead of profile '{profile}'."
    )
}

/// The HTTP rules, with three optional environment overrides (whole
/// milliseconds / attempts): `PORTAL_HTTP_TIMEOUT_MS` (connect and request
/// timeout, default 10 s / 30 s), `PORTAL_HTTP_ATTEMPTS` (attempts of a
/// call that may be retried, default 4) and `PORTAL_HTTP_RETRY_DELAY_MS`
/// (first back-off, default 250 ms; doubles up to 32 times that).
pub fn http_config() -> Result<HttpConfig> {
    let mut config = HttpConfig::default();
    let read =
        |var: &str| -> Result<Option<u64>> {
            match std::env::var(var) {
                Ok(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                    Error::config(format!("{var} must be a whole number, not '{v}'."))
                }),
                Err(_) => Ok(None),
            }
        };
    if let Some(ms) = read("PORTAL_HTTP_TIMEOUT_MS")?.filter(|ms| *ms > 0) {
        config.request_timeout = std::time::Duration::from_millis(ms);
        config.connect_timeout = config.connect_timeout.min(config.request_timeout);
    }
    if let Some(n) = read("PORTAL_HTTP_ATTEMPTS")? {
        config.max_attempts = u32::try_from(n.clamp(1, 10)).unwrap_or(4);
    }
    if let Some(ms) = read("PORTAL_HTTP_RETRY_DELAY_MS")? {
        config.base_delay = std::time::Duration::from_millis(ms);
        config.max_delay = config.base_delay * 32;
    }
    Ok(config)
}

/// Reads the vault login from the environment, if both parts are set.
pub fn env_vault_login() -> Option<(String, Secret)> {
    let email = std::env::var("PORTAL_VAULT_EMAIL").ok()?;
    let password = std::env::var("PORTAL_VAULT_PASSWORD").ok()?;
    Some((email, Secret::from(password)))
}

/// The store that keeps the activity log's key and head, without asking
/// anything: the keychain (connected lazily; unusable = unkeyed), the
/// encrypted file when `PORTAL_SECRETS_PASSPHRASE` opens it, else none (the
/// entry is recorded unkeyed).
pub fn activity_keys(dir: &std::path::Path) -> Option<Arc<dyn SecretStore>> {
    let settings = settings().ok()?;
    match backend(&settings) {
        SecretBackend::Memory => None,
        SecretBackend::Keychain => {
            Some(Arc::new(portal_core::secrets::KeychainStore::connect(None)))
        }
        SecretBackend::EncryptedFile => {
            let pass = Secret::from(std::env::var("PORTAL_SECRETS_PASSPHRASE").ok()?);
            let store = EncryptedFileStore::unlock(dir, &pass).ok()?;
            Some(Arc::new(store))
        }
    }
}

/// The use cases record through the CLI: appended to the log shared with
/// the app, keyed when the log's key can be read without asking.
pub struct CliRecorder;

impl portal_core::ops::Recorder for CliRecorder {
    fn record(
        &self,
        profile: &str,
        action: portal_core::activity::Action,
        target: &str,
        summary: &str,
    ) -> Result<()> {
        let dir = data_dir()?;
        let keys = activity_keys(&dir);
        portal_core::activity::ActivityLog::in_dir(&dir)
            .append(keys.as_deref(), profile, action, target, summary, "cli")
            .map(|_| ())
    }
}

/// The activity log of the data directory and the store holding its key.
pub fn activity_log() -> Result<(
    portal_core::activity::ActivityLog,
    Option<Arc<dyn SecretStore>>,
)> {
    let dir = data_dir()?;
    Ok((
        portal_core::activity::ActivityLog::in_dir(&dir),
        activity_keys(&dir),
    ))
}
