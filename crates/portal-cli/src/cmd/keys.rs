//! `portal keys`: JWT signing keys. The private half stays on this machine
//! (the profile's keychain entry, or a file the user names); only the public
//! half is uploaded.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::{ArgGroup, Args, Subcommand};
use portal_core::context::ProfileContext;
use portal_core::jwt_keys::{validate_key_name, JwtKey};
use portal_core::keypair::{
    generate, import_pem, pairs_with, write_private_key_file, GenProgress, ImportedKey, PemKind,
    PrivateKey, PublicKey, DEFAULT_BITS, KEY_SIZES,
};
use portal_core::local_keys::{pairings, KeyStatus, LocalKey, LocalKeys};
use portal_core::secrets::Item;
use portal_core::signing::{self, Subject, Verdict, VerdictKind};
use portal_core::{Error, ErrorCode, Secret, Service};
use serde_json::{json, Value};

use crate::output;
use crate::session::{self, Globals};

/// Where a passphrase for key files comes from when there is no terminal.
const PASSPHRASE_ENV: &str = "PORTAL_KEY_PASSPHRASE";

#[derive(Subcommand)]
pub enum KeysCommand {
    /// List every JWT key (all pages) with its fingerprint and whether its
    /// private half is on this machine; local keys not uploaded too.
    List,
    /// Show one key, with its fingerprints and public PEM.
    Show { id: String },
    /// Upload a new key: generate one (the private half stays here) or send
    /// the public half of a PEM you have.
    Create(CreateArgs),
    /// Delete a key: videos whose JWTs it signed stop playing. The local
    /// private key goes too, unless --keep-local.
    Delete {
        /// A server key id, or the local id (lk_…) of a key never uploaded.
        id: String,
        #[arg(long)]
        yes: bool,
        /// Keep this machine's private key.
        #[arg(long)]
        keep_local: bool,
    },
    /// Sign a private-video JWT (RS256) with a key's private half.
    Sign(SignArgs),
    /// Check a JWT against the uploaded key its kid names; exits 1 when it is
    /// not valid. `-` reads the JWT from standard input.
    Verify { jwt: String },
}

#[derive(Args)]
#[command(group(ArgGroup::new("source").required(true).args(["generate", "public_key"])))]
pub struct CreateArgs {
    /// 1 to 50 characters.
    #[arg(long)]
    name: String,
    /// Generate an RSA key pair here.
    #[arg(long)]
    generate: bool,
    /// Key size of a generated key.
    #[arg(long, default_value_t = DEFAULT_BITS, value_parser = parse_bits, requires = "generate")]
    bits: usize,
    /// A PEM file: SPKI or PKCS#1 public key, X.509 certificate, or a PKCS#1 /
    /// PKCS#8 private key (its public half is uploaded, its private half kept).
    #[arg(long, value_name = "FILE")]
    public_key: Option<PathBuf>,
    /// Write the private key to this new file (mode 0600) instead of the keychain.
    #[arg(long, value_name = "FILE")]
    private_key_out: Option<PathBuf>,
    /// Encrypt the --private-key-out file with a passphrase (prompted, or
    /// PORTAL_KEY_PASSPHRASE).
    #[arg(long, requires = "private_key_out")]
    encrypt: bool,
}

#[derive(Args)]
#[command(group(ArgGroup::new("subject").required(true).args(["video", "all_videos"])))]
pub struct SignArgs {
    /// The uploaded key's id (the JWT's kid).
    #[arg(long = "key", value_name = "ID")]
    key: String,
    /// Sign with this PEM file instead of the key kept in the keychain.
    #[arg(long, value_name = "FILE")]
    private_key: Option<PathBuf>,
    /// The video the JWT opens.
    #[arg(long, value_name = "ID")]
    video: Option<String>,
    /// Open every video (sub = *).
    #[arg(long)]
    all_videos: bool,
    /// Lifetime: 30m, 1h, 12h, 7d… (at most the profile's cap, 7 days
    /// unless `portal profile edit --jwt-max-ttl` says otherwise).
    #[arg(long, default_value = "1h")]
    ttl: String,
}

fn parse_bits(s: &str) -> Result<usize, String> {
    s.parse()
        .ok()
        .filter(|b| KEY_SIZES.contains(b))
        .ok_or_else(|| format!("'{s}' is not a key size: use 2048, 3072 or 4096"))
}

pub async fn run(g: &Globals, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::List => list(g).await,
        KeysCommand::Show { id } => show(g, &id).await,
        KeysCommand::Create(args) => create(g, args).await,
        KeysCommand::Delete {
            id,
            yes,
            keep_local,
        } => delete(g, &id, yes, keep_local).await,
        KeysCommand::Sign(args) => sign(g, args).await,
        KeysCommand::Verify { jwt } => verify(g, &jwt).await,
    }
}

fn api_key(ctx: &ProfileContext) -> portal_core::Result<Secret> {
    ctx.credential(Item::JwtKeysApiKey, Service::JwtKeys)
}

/// `ab:cd:ef:01:23:45:67:89…`: enough to tell keys apart in a table.
fn short_fingerprint(status: &KeyStatus) -> String {
    status
        .fingerprints
        .as_ref()
        .map(|f| format!("{}…", &f.sha256[..f.sha256.len().min(23)]))
        .unwrap_or_else(|| "(unreadable key)".into())
}

fn status_json(status: &KeyStatus) -> anyhow::Result<Value> {
    let mut v = match &status.server {
        Some(server) => serde_json::to_value(server)?,
        None => json!({"id": null, "name": status.name()}),
    };
    v["fingerprints"] = serde_json::to_value(&status.fingerprints)?;
    v["pairing"] = serde_json::to_value(status.pairing)?;
    v["local_key_id"] = json!(status.local.as_ref().map(|l| &l.local_id));
    Ok(v)
}

async fn list(g: &Globals) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let credential = api_key(&ctx)?;
    let server = ctx.jwt_keys(&credential).list_all().await?;
    let settings = session::settings()?;
    let rows = pairings(&server, &LocalKeys::new(&settings, &ctx).list());
    if g.json {
        let all = rows
            .iter()
            .map(status_json)
            .collect::<anyhow::Result<Vec<_>>>()?;
        return output::json(&all);
    }
    if rows.is_empty() {
        eprintln!("No JWT keys.");
        return Ok(());
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let (id, created, by) = match (&r.server, &r.local) {
                (Some(s), _) => (
                    s.id.clone(),
                    output::time(s.created_time),
                    s.created_by.clone().unwrap_or_default(),
                ),
                (None, Some(l)) => (
                    l.local_id.clone(),
                    output::time(Some(l.created)),
                    "here".into(),
                ),
                (None, None) => Default::default(),
            };
            vec![
                id,
                r.name().to_owned(),
                short_fingerprint(r),
                r.pairing.describe().to_owned(),
                created,
                by,
            ]
        })
        .collect();
    output::table(
        &[
            "id",
            "name",
            "sha-256 fingerprint",
            "private key",
            "created",
            "by",
        ],
        &table,
    );
    Ok(())
}

async fn show(g: &Globals, id: &str) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let credential = api_key(&ctx)?;
    let key = ctx.jwt_keys(&credential).get(id).await?;
    let settings = session::settings()?;
    let local = LocalKeys::new(&settings, &ctx).list();
    let status = pairings(std::slice::from_ref(&key), &local).remove(0);
    let bits = PublicKey::from_pem(&key.public_key).ok().map(|k| k.bits());
    if g.json {
        let mut v = status_json(&status)?;
        v["bits"] = json!(bits);
        return output::json(&v);
    }
    let (sha256, b64, thumbprint) = status.fingerprints.as_ref().map_or_else(
        || {
            (
                "(the public key cannot be read)".to_owned(),
                String::new(),
                String::new(),
            )
        },
        |f| {
            (
                f.sha256.clone(),
                f.sha256_base64url.clone(),
                f.jwk_thumbprint.clone(),
            )
        },
    );
    println!(
        "id:          {}\nname:        {}\nsize:        {}\nsha-256:     {sha256}\n             {b64}\n\
         jwk thumb:   {thumbprint}\nprivate key: {}{}\ncreated:     {} by {}\nupdated:     {} by {}\n\n{}",
        key.id,
        key.name,
        bits.map_or_else(|| "-".to_owned(), |b| format!("RSA {b} bits")),
        status.pairing.describe(),
        status
            .local
            .as_ref()
            .map(|l| format!(" (local key {})", l.local_id))
            .unwrap_or_default(),
        output::time(key.created_time),
        key.created_by.as_deref().unwrap_or("-"),
        output::time(key.updated_time),
        key.updated_by.as_deref().unwrap_or("-"),
        key.public_key.trim_end()
    );
    Ok(())
}

fn read_pem_file(path: &Path) -> portal_core::Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::new(
            ErrorCode::Io,
            format!("Cannot read {}: {e}", path.display()),
        )
    })
}

fn passphrase(prompt: &str) -> portal_core::Result<Secret> {
    match std::env::var(PASSPHRASE_ENV) {
        Ok(p) if !p.is_empty() => Ok(Secret::from(p)),
        _ => super::login::read_secret(prompt),
    }
}

/// Reads a key file, asking for its passphrase when it is encrypted.
fn import_file(path: &Path) -> portal_core::Result<ImportedKey> {
    let text = Secret::from(read_pem_file(path)?);
    let pass = match PemKind::detect(text.expose()) {
        Some(kind) if kind.needs_passphrase() => {
            Some(passphrase(&format!("Passphrase of {}", path.display()))?)
        }
        _ => None,
    };
    import_pem(text.expose(), pass.as_ref())
        .map_err(|e| Error::new(e.code, format!("{}: {}", path.display(), e.message)))
}

/// Generates on a blocking thread, with a progress line on a terminal.
async fn generate_key(bits: usize) -> anyhow::Result<PrivateKey> {
    let show = std::io::stderr().is_terminal();
    let cancel = Arc::new(AtomicBool::new(false));
    let key = tokio::task::spawn_blocking(move || {
        generate(
            bits,
            |p: GenProgress| {
                if show {
                    eprint!(
                        "\rGenerating a {}-bit RSA key: {} of 2 primes, {} candidates tested, {:.1} s ",
                        p.bits,
                        p.primes_found,
                        p.candidates_tested,
                        f64::from(p.elapsed_ms) / 1000.0
                    );
                }
            },
            &cancel,
        )
    })
    .await?;
    if show {
        eprintln!();
    }
    Ok(key?)
}

/// Where the private half ended up.
enum Kept {
    Keychain(LocalKey),
    File(PathBuf),
    Nowhere,
}

async fn create(g: &Globals, args: CreateArgs) -> anyhow::Result<()> {
    // Everything that can be refused locally is refused before any request.
    validate_key_name(&args.name)?;
    let imported = match &args.public_key {
        Some(path) => Some(import_file(path)?),
        None => None,
    };
    if let Some(out) = &args.private_key_out {
        if imported.as_ref().is_some_and(|i| i.private.is_none()) {
            return Err(Error::validation(
                "--private-key-out needs a private key: use --generate, or a private key PEM.",
            )
            .into());
        }
        if out.exists() {
            return Err(Error::validation(format!(
                "{} exists already; choose another file (a key file is never overwritten).",
                out.display()
            ))
            .into());
        }
    }
    let export_pass = match (&args.private_key_out, args.encrypt) {
        (Some(out), true) => Some(passphrase(&format!(
            "Passphrase to encrypt {}",
            out.display()
        ))?),
        _ => None,
    };
    let ctx = g.context()?;
    let credential = api_key(&ctx)?;
    let settings = session::settings()?;
    let local = LocalKeys::new(&settings, &ctx);
    let to_keychain =
        args.private_key_out.is_none() && !matches!(&imported, Some(i) if i.private.is_none());
    if to_keychain {
        // Open the secret store now: a locked or missing keychain fails here,
        // before a key is generated and long before anything is uploaded.
        ctx.stored(Item::PrivateKey("_probe".into()))?;
    }

    let (public, private) = match imported {
        Some(i) => (i.public, i.private),
        None => {
            let key = generate_key(args.bits).await?;
            (key.public_key(), Some(key))
        }
    };
    // Keep the private half before uploading: if that fails, nothing is sent.
    let kept = match (&private, &args.private_key_out) {
        (Some(key), Some(path)) => {
            let pem = match &export_pass {
                Some(pass) => key.to_encrypted_pkcs8_pem(pass)?,
                None => key.to_pkcs8_pem()?,
            };
            write_private_key_file(path, &pem)?;
            Kept::File(path.clone())
        }
        (Some(key), None) => Kept::Keychain(local.add(&args.name, key)?),
        (None, _) => Kept::Nowhere,
    };

    let uploaded = ctx
        .jwt_keys(&credential)
        .create(&args.name, &public.to_pem()?)
        .await;
    let server = match uploaded {
        Ok(server) => server,
        Err(e) => {
            match &kept {
                Kept::Keychain(l) => eprintln!(
                    "note: the key was not uploaded. Its private half stays in the {} as local key {} \
                     (marked not uploaded in `portal keys list`).",
                    ctx.secrets.backend().describe(),
                    l.local_id
                ),
                Kept::File(path) => eprintln!(
                    "note: the key was not uploaded. Its private half stays in {}.",
                    path.display()
                ),
                Kept::Nowhere => {}
            }
            return Err(e.into());
        }
    };
    let local_id = match &kept {
        Kept::Keychain(l) => Some(local.link(&l.local_id, &server.id)?.local_id),
        _ => None,
    };
    let fingerprints = public.fingerprints()?;
    if g.json {
        let mut v = serde_json::to_value(&server)?;
        v["fingerprints"] = serde_json::to_value(&fingerprints)?;
        v["bits"] = json!(public.bits());
        v["local_key_id"] = json!(local_id);
        v["private_key"] = match &kept {
            Kept::Keychain(_) => json!("keychain"),
            Kept::File(p) => json!(p.display().to_string()),
            Kept::Nowhere => Value::Null,
        };
        return output::json(&v);
    }
    println!("{}", server.id);
    eprintln!(
        "Created JWT key {} ('{}'), RSA {} bits.\nsha-256:   {}\njwk thumb: {}",
        server.id,
        server.name,
        public.bits(),
        fingerprints.sha256,
        fingerprints.jwk_thumbprint
    );
    match &kept {
        Kept::Keychain(l) => eprintln!(
            "The private key is kept in the {} (local key {}); sign with `portal keys sign --key {}`.",
            ctx.secrets.backend().describe(),
            l.local_id,
            server.id
        ),
        Kept::File(p) => eprintln!(
            "The private key is in {} (mode 0600); sign with `portal keys sign --key {} --private-key {}`.",
            p.display(),
            server.id,
            p.display()
        ),
        Kept::Nowhere => eprintln!("Only the public key was given: sign with its private key elsewhere."),
    }
    Ok(())
}

async fn delete(g: &Globals, id: &str, yes: bool, keep_local: bool) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let settings = session::settings()?;
    let local = LocalKeys::new(&settings, &ctx);

    // A local key that was never uploaded: only this machine is concerned.
    if let Some(draft) = local
        .list()
        .into_iter()
        .find(|l| l.local_id == id && !l.is_uploaded())
    {
        if !yes && !super::confirm(&format!("Delete local key {id} ('{}')?", draft.name))? {
            return Err(Error::new(ErrorCode::Cancelled, "Nothing was deleted.").into());
        }
        local.remove(id)?;
        if g.json {
            return output::json(&json!({"id": null, "local_key_id": id, "deleted": true}));
        }
        eprintln!("Deleted local key {id}.");
        return Ok(());
    }

    let credential = api_key(&ctx)?;
    let linked = local.find_by_server_id(id);
    if !yes {
        let local_note = match (&linked, keep_local) {
            (Some(_), false) => " Its private key on this machine is deleted too.",
            _ => "",
        };
        if !super::confirm(&format!(
            "Delete JWT key {id}? Videos whose JWTs it signed will stop playing.{local_note}"
        ))? {
            return Err(Error::new(ErrorCode::Cancelled, "Nothing was deleted.").into());
        }
    }
    ctx.jwt_keys(&credential).delete(id).await?;
    let local_deleted = match (&linked, keep_local) {
        (Some(l), false) => {
            local.remove(&l.local_id)?;
            Some(l.local_id.clone())
        }
        _ => None,
    };
    if g.json {
        return output::json(&json!({
            "id": id,
            "deleted": true,
            "local_key_id": linked.as_ref().map(|l| &l.local_id),
            "local_deleted": local_deleted.is_some(),
        }));
    }
    eprintln!("Deleted {id}.");
    match (linked, local_deleted) {
        (Some(l), None) => eprintln!("Kept the local private key {}.", l.local_id),
        (_, Some(l)) => eprintln!("Deleted the local private key {l} too."),
        _ => {}
    }
    Ok(())
}

/// The private key for server key `id`: from `file`, else the keychain.
async fn signing_key(
    ctx: &ProfileContext,
    local: &LocalKeys<'_>,
    id: &str,
    file: Option<&Path>,
) -> anyhow::Result<PrivateKey> {
    if let Some(path) = file {
        let key = import_file(path)?.private.ok_or_else(|| {
            Error::validation(format!(
                "{} holds a public key; signing needs the private key.",
                path.display()
            ))
        })?;
        // When the service can be asked, make sure the halves belong together.
        if let Some(credential) = ctx.stored(Item::JwtKeysApiKey).ok().flatten() {
            let server: JwtKey = ctx.jwt_keys(&credential).get(id).await?;
            let public = PublicKey::from_pem(&server.public_key)?;
            if !pairs_with(&key, &public) {
                return Err(Error::validation(format!(
                    "The private key in {} is not the other half of JWT key {id} \
                     (its fingerprint is {}, the key's is {}).",
                    path.display(),
                    key.public_key().fingerprints()?.sha256,
                    public.fingerprints()?.sha256
                ))
                .into());
            }
        }
        return Ok(key);
    }
    let linked = local.find_by_server_id(id).ok_or_else(|| {
        Error::new(
            ErrorCode::NotFound,
            format!(
                "No private key of JWT key {id} on this machine (profile '{}'); pass --private-key FILE.",
                ctx.profile.name
            ),
        )
    })?;
    Ok(local.private_key(&linked.local_id)?)
}

async fn sign(g: &Globals, args: SignArgs) -> anyhow::Result<()> {
    let ttl = super::tokens::parse_duration(&args.ttl)?;
    let subject = match &args.video {
        Some(video) => Subject::Video(video.clone()),
        None => Subject::AllVideos,
    };
    let ctx = g.context()?;
    // Over the profile's cap: refused before any key is read.
    signing::check_ttl(&ctx.profile, ttl)?;
    let settings = session::settings()?;
    let local = LocalKeys::new(&settings, &ctx);
    let key = signing_key(&ctx, &local, &args.key, args.private_key.as_deref()).await?;
    let signed = signing::sign_for_profile(&ctx.profile, &key, &args.key, &subject, ttl)?;
    if g.json {
        return output::json(&json!({
            "jwt": signed.jwt.expose(),
            "kid": signed.kid,
            "sub": signed.subject,
            "iat": signed.issued_at.timestamp(),
            "exp": signed.expires_at.timestamp(),
            "expires_at": signed.expires_at,
        }));
    }
    println!("{}", signed.jwt.expose());
    eprintln!(
        "Signed with key {} for {}, valid until {}.",
        signed.kid,
        match &subject {
            Subject::AllVideos => "all videos".to_owned(),
            Subject::Video(v) => format!("video {v}"),
        },
        output::time(Some(signed.expires_at))
    );
    Ok(())
}

fn verdict_label(kind: VerdictKind) -> &'static str {
    match kind {
        VerdictKind::Valid => "valid",
        VerdictKind::Expired => "expired",
        VerdictKind::BadSignature => "bad signature",
        VerdictKind::Malformed => "malformed",
        VerdictKind::UnknownKid => "unknown kid",
    }
}

async fn verify(g: &Globals, jwt: &str) -> anyhow::Result<()> {
    let token = if jwt == "-" {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Secret::from(line.trim().to_owned())
    } else {
        Secret::new(jwt.trim())
    };
    let ctx = g.context()?;
    let credential = api_key(&ctx)?;
    let verdict: Verdict =
        signing::verify_with_service(token.expose(), &ctx.jwt_keys(&credential)).await?;
    if g.json {
        output::json(&verdict)?;
    } else {
        println!("{}: {}", verdict_label(verdict.kind), verdict.message);
    }
    if !verdict.is_valid() {
        std::process::exit(1);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::local_keys::server_fingerprints;

    #[test]
    fn bits_are_one_of_the_three_sizes() {
        assert_eq!(parse_bits("3072"), Ok(3072));
        assert!(parse_bits("1024").is_err());
        assert!(parse_bits("big").is_err());
    }

    #[test]
    fn server_fingerprint_of_garbage_is_none() {
        let key = JwtKey {
            id: "k".into(),
            name: "n".into(),
            public_key: "nope".into(),
            created_by: None,
            created_time: None,
            updated_by: None,
            updated_time: None,
        };
        assert!(server_fingerprints(&key).is_none());
    }
}
