//! `portal keys`: JWT signing keys, parsed and printed here; the use cases
//! (and their activity entries) are `portal_core::ops::keys`, shared with
//! the app. The private half stays on this machine (the profile's keychain
//! entry, or a file the user names); only the public half is uploaded.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::{ArgGroup, Args, Subcommand};
use portal_core::context::ProfileContext;
use portal_core::keypair::{
    import_pem, GenProgress, ImportedKey, PemKind, DEFAULT_BITS, KEY_SIZES,
};
use portal_core::local_keys::{KeyStatus, LocalKey};
use portal_core::ops::keys::{self as ops, Cx, GivenKey, SignVideoRequest, VideoUrls};
use portal_core::ops::playback::{self, CheckStatus, PlaybackReport};
use portal_core::profiles::SettingsFile;
use portal_core::signing::{Verdict, VerdictKind};
use portal_core::{Error, ErrorCode, Secret};
use serde_json::{json, Value};

use crate::output::{self, warned};
use crate::session::{self, CliRecorder, Globals};

/// Where a passphrase for key files comes from when there is no terminal.
const PASSPHRASE_ENV: &str = "PORTAL_KEY_PASSPHRASE";

#[derive(Subcommand)]
pub enum KeysCommand {
    /// List every JWT key (all pages) with its fingerprint and whether its
    /// private half is on this machine; local keys not uploaded too. When
    /// the service does not answer, the keys kept here are listed unchecked
    /// and the command fails.
    List,
    /// Show one key (a server id, or a local id lk_…), with its fingerprints
    /// and public PEM.
    Show { id: String },
    /// Upload a new key: generate one (the private half stays here) or send
    /// the public half of a PEM you have.
    Create(CreateArgs),
    /// Upload a key kept here that is not uploaded (after a failed
    /// `create`), and check it like `check`.
    Upload {
        /// The local id (lk_…) from `portal keys list`.
        local_id: String,
    },
    /// Fetch an uploaded key back and check it: fingerprints, and a test JWT
    /// signed here that must verify with it. Exits 1 when it does not.
    Check { id: String },
    /// Delete a key: videos whose JWTs it signed stop playing. The local
    /// private key goes too, unless --keep-local. While JWTs signed here
    /// with it are live, nothing is deleted unless --schedule (deleted when
    /// the last one expires, by `portal keys retire --due`) or --now.
    Delete {
        /// A server key id, or the local id (lk_…) of a key never uploaded.
        id: String,
        #[arg(long)]
        yes: bool,
        /// Keep this machine's private key.
        #[arg(long)]
        keep_local: bool,
        /// Schedule the deletion for when the last JWT signed here with the
        /// key expires.
        #[arg(long, conflicts_with = "now")]
        schedule: bool,
        /// Delete it now even though JWTs signed with it are live: every URL
        /// signed with it stops playing. Asks to type the key id, or --yes.
        #[arg(long)]
        now: bool,
    },
    /// Scheduled key deletions: carry out those due (--due, for cron; exits
    /// 0 and lists what it did, 1 when one failed), list them (--list), or
    /// call one off (--cancel ID).
    Retire(super::retire::RetireArgs),
    /// Rotate a key without an outage: generate and upload a new key, check
    /// it with a test JWT, make it the default signing key, and schedule the
    /// old key's deletion for when the last JWT signed here with it expires.
    Rotate(super::key_rotation::RotateArgs),
    /// The key `sign` uses when --key is left out: shown, or set.
    Default(super::key_rotation::DefaultArgs),
    /// Sign a private-video JWT (RS256) with a key's private half.
    Sign(SignArgs),
    /// Check a JWT against the uploaded key its kid names; exits 1 when it is
    /// not valid. `-` reads the JWT from standard input.
    Verify { jwt: String },
    /// The profile's watch, embed and HLS URL templates (`{video_id}` is the
    /// video's place), which `sign` fills in: shown, or set with any of
    /// --watch, --embed, --hls (the others are kept).
    Urls(UrlsArgs),
    /// Why won't it play? Checks a watch, embed or HLS URL carrying ?jwt=,
    /// or a bare JWT, one check a line: it parses, is RS256, its kid is a
    /// key on the server, the signature verifies with that key, exp and nbf
    /// hold (by the service's clock, with --skew), sub is the URL's video,
    /// the URL is the profile's form, and on the sandbox its player plays
    /// it. Then the verdict and the fix. Exits 1 when a check fails. `-`
    /// reads the URL or JWT from standard input, which keeps it out of the
    /// command line and the shell's history.
    Doctor {
        /// The URL or JWT, or `-` for standard input.
        input: String,
        /// The clock skew allowed for exp and nbf, in seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = playback::DEFAULT_SKEW_SECONDS)]
        skew: u32,
    },
    /// Ask the sandbox's player whether it would play a video with a JWT
    /// (sandbox profiles only); exits 1 when it would not.
    TestPlayback {
        /// The video to play.
        #[arg(value_parser = parse_video)]
        video_id: String,
        /// The JWT; `-` (the default) reads it from standard input.
        #[arg(long, default_value = "-")]
        jwt: String,
    },
}

#[derive(Args)]
pub struct UrlsArgs {
    /// The watch page, e.g. https://watch.example.com/{video_id}.
    #[arg(long, value_name = "TEMPLATE")]
    watch: Option<String>,
    /// The embed (player) URL.
    #[arg(long, value_name = "TEMPLATE")]
    embed: Option<String>,
    /// The HLS playlist URL.
    #[arg(long, value_name = "TEMPLATE")]
    hls: Option<String>,
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
    /// The uploaded key's id (the JWT's kid); default: the profile's
    /// default signing key (`portal keys default`).
    #[arg(long = "key", value_name = "ID")]
    key: Option<String>,
    /// Sign with this PEM file instead of the key kept in the keychain.
    #[arg(long, value_name = "FILE")]
    private_key: Option<PathBuf>,
    /// The video the JWT opens.
    #[arg(long, value_name = "ID", value_parser = parse_video)]
    video: Option<String>,
    /// Open every video (sub = *).
    #[arg(long)]
    all_videos: bool,
    /// With --all-videos: the video whose watch, embed and HLS URLs to print
    /// (the JWT still opens every video); without it the URLs keep the
    /// templates' {video_id}.
    #[arg(long, value_name = "ID", conflicts_with = "video", value_parser = parse_video)]
    link_video: Option<String>,
    /// Lifetime: 30m, 1h, 12h, 7d… (at most the profile's cap, 7 days
    /// unless `portal profile edit --jwt-max-ttl` says otherwise).
    #[arg(long, default_value = "1h")]
    ttl: String,
    /// Print the signed watch, embed and HLS URLs (one a line, from the
    /// profile's templates) on stdout instead of the bare JWT.
    #[arg(long)]
    urls: bool,
}

pub(super) fn parse_bits(s: &str) -> Result<usize, String> {
    s.parse()
        .ok()
        .filter(|b| KEY_SIZES.contains(b))
        .ok_or_else(|| format!("'{s}' is not a key size: use 2048, 3072 or 4096"))
}

/// A blank `--video` is refused: it must never widen into all videos.
fn parse_video(s: &str) -> Result<String, String> {
    match s.trim() {
        "" => Err("a video id cannot be blank; use --all-videos for every video".into()),
        v => Ok(v.to_owned()),
    }
}

pub async fn run(g: &Globals, command: KeysCommand) -> anyhow::Result<()> {
    match command {
        KeysCommand::List => list(g).await,
        KeysCommand::Show { id } => show(g, &id).await,
        KeysCommand::Create(args) => create(g, args).await,
        KeysCommand::Upload { local_id } => upload(g, &local_id).await,
        KeysCommand::Check { id } => check(g, &id).await,
        KeysCommand::Delete {
            id,
            yes,
            keep_local,
            schedule,
            now,
        } => {
            let when = super::retire::When { schedule, now };
            delete(g, &id, yes, keep_local, when).await
        }
        KeysCommand::Retire(args) => super::retire::run(g, args).await,
        KeysCommand::Rotate(args) => super::key_rotation::rotate(g, args).await,
        KeysCommand::Default(args) => super::key_rotation::default_key(g, args).await,
        KeysCommand::Sign(args) => sign(g, args).await,
        KeysCommand::Verify { jwt } => verify(g, &jwt).await,
        KeysCommand::Urls(args) => urls(g, args),
        KeysCommand::TestPlayback { video_id, jwt } => test_playback(g, &video_id, &jwt).await,
        KeysCommand::Doctor { input, skew } => doctor(g, &input, skew).await,
    }
}

/// The profile and settings the key use cases work with.
pub(super) fn open(g: &Globals) -> anyhow::Result<(ProfileContext, SettingsFile)> {
    Ok((g.context()?, session::settings()?))
}

pub(super) fn cx<'a>(ctx: &'a ProfileContext, settings: &'a SettingsFile) -> Cx<'a> {
    Cx {
        pc: ctx,
        settings,
        recorder: &CliRecorder,
    }
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
    let (ctx, settings) = open(g)?;
    let overview = ops::overview(cx(&ctx, &settings)).await?;
    print_rows(g, &overview.rows)?;
    if !g.json {
        for s in &overview.scheduled {
            eprintln!(
                "Deletion scheduled: JWT key {} ('{}') at {} UTC (`portal keys retire --list`).",
                s.kid,
                s.name,
                output::time(Some(s.due_at))
            );
        }
    }
    match overview.server_error {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

fn print_rows(g: &Globals, rows: &[KeyStatus]) -> anyhow::Result<()> {
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
    let (ctx, settings) = open(g)?;
    let details = ops::details(cx(&ctx, &settings), id).await?;
    let status = &details.status;
    let bits = details.summary.as_ref().map(|s| s.bits);
    if g.json {
        let mut v = status_json(status)?;
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
    let (shown_id, created, updated, pem) = match (&status.server, &status.local) {
        (Some(key), _) => (
            key.id.clone(),
            format!(
                "{} by {}",
                output::time(key.created_time),
                key.created_by.as_deref().unwrap_or("-")
            ),
            format!(
                "{} by {}",
                output::time(key.updated_time),
                key.updated_by.as_deref().unwrap_or("-")
            ),
            key.public_key.clone(),
        ),
        (None, Some(l)) => (
            l.local_id.clone(),
            format!("{} here", output::time(Some(l.created))),
            "-".to_owned(),
            details
                .summary
                .as_ref()
                .map(|s| s.public_key_pem.clone())
                .unwrap_or_default(),
        ),
        (None, None) => Default::default(),
    };
    println!(
        "id:          {shown_id}\nname:        {}\nsize:        {}\nsha-256:     {sha256}\n             {b64}\n\
         jwk thumb:   {thumbprint}\nprivate key: {}{}\ncreated:     {created}\nupdated:     {updated}\n\n{}",
        status.name(),
        bits.map_or_else(|| "-".to_owned(), |b| format!("RSA {b} bits")),
        status.pairing.describe(),
        status
            .local
            .as_ref()
            .filter(|_| status.server.is_some())
            .map(|l| format!(" (local key {})", l.local_id))
            .unwrap_or_default(),
        pem.trim_end()
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
        _ => crate::prompt::read_secret(prompt),
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

/// A progress line on a terminal while a key is generated.
pub(super) fn progress_line() -> impl Fn(GenProgress) + Send + 'static {
    let show = std::io::stderr().is_terminal();
    move |p: GenProgress| {
        if show {
            eprint!(
                "\rGenerating a {}-bit RSA key: {} of 2 primes, {} candidates tested, {:.1} s ",
                p.bits,
                p.primes_found,
                p.candidates_tested,
                f64::from(p.elapsed_ms) / 1000.0
            );
        }
    }
}

pub(super) fn end_progress_line() {
    if std::io::stderr().is_terminal() {
        eprintln!();
    }
}

/// Where the private half ended up.
enum Kept {
    Keychain(LocalKey),
    File(PathBuf),
    Nowhere,
}

async fn create(g: &Globals, args: CreateArgs) -> anyhow::Result<()> {
    // Everything that can be refused locally is refused before any request.
    portal_core::jwt_keys::validate_key_name(&args.name)?;
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
    let (ctx, settings) = open(g)?;
    let cx = cx(&ctx, &settings);
    // The key uploads with a credential: a missing one fails before the work.
    ctx.credential(
        portal_core::secrets::Item::JwtKeysApiKey,
        portal_core::Service::JwtKeys,
    )?;

    // A key the team's policy forbids is refused before it is made or
    // written anywhere (the upload would refuse it too).
    let bits = imported.as_ref().map_or(args.bits, |i| i.public.bits());
    portal_core::ops::policy::allow_key(&ctx, &args.name, bits)?;

    // Keep the private half before uploading: if that fails, nothing is sent.
    let cancel = Arc::new(AtomicBool::new(false));
    let (kept, public_pem) = match (imported, &args.private_key_out) {
        (None, None) => {
            let local = ops::generate(cx, &args.name, args.bits, progress_line(), cancel).await;
            end_progress_line();
            (Kept::Keychain(local?), None)
        }
        (None, Some(path)) => {
            let key = ops::generate_pair(args.bits, progress_line(), cancel).await;
            end_progress_line();
            let key = key?;
            let pem = key.public_key().to_pem()?;
            ops::write_private_key(key, path, export_pass).await?;
            (Kept::File(path.clone()), Some(pem))
        }
        (Some(i), Some(path)) => {
            let pem = i.public.to_pem()?;
            let key = i.private.ok_or_else(|| Error::internal("checked above"))?;
            ops::write_private_key(key, path, export_pass).await?;
            (Kept::File(path.clone()), Some(pem))
        }
        (Some(i), None) => match &i.private {
            Some(key) => {
                ops::check_store(cx)?;
                (Kept::Keychain(ops::keep(cx, &args.name, key)?), None)
            }
            None => (Kept::Nowhere, Some(i.public.to_pem()?)),
        },
    };

    let uploaded = match (&kept, &public_pem) {
        (Kept::Keychain(l), _) => ops::upload(cx, &l.local_id).await,
        (_, Some(pem)) => ops::upload_public(cx, &args.name, pem).await,
        (_, None) => Err(Error::internal("no public key to upload")),
    };
    let uploaded = match uploaded {
        Ok(out) => warned(out),
        Err(e) => {
            match &kept {
                Kept::Keychain(l) => eprintln!(
                    "note: the key was not uploaded. Its private half stays in the {} as local key {} \
                     (marked not uploaded in `portal keys list`; `portal keys upload {}` tries again).",
                    ctx.secrets.backend().describe(),
                    l.local_id,
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
    let server = &uploaded.server;
    // What was sent: the local key's public half, or the PEM given.
    let summary = match (&uploaded.local, &public_pem) {
        (Some(l), _) => ops::local_key(cx, &l.local_id)?.summary,
        (None, Some(pem)) => portal_core::keypair::PublicKey::from_pem(pem)?.summary()?,
        (None, None) => return Err(Error::internal("no public key was uploaded").into()),
    };
    let fingerprints = &summary.fingerprints;
    if g.json {
        let mut v = serde_json::to_value(server)?;
        v["fingerprints"] = serde_json::to_value(fingerprints)?;
        v["bits"] = json!(summary.bits);
        v["local_key_id"] = json!(uploaded.local.as_ref().map(|l| &l.local_id));
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
        server.id, server.name, summary.bits, fingerprints.sha256, fingerprints.jwk_thumbprint
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

/// Prints an upload check (the JSON of [`ops::UploadVerification`]);
/// `false` when it failed.
fn print_check(g: &Globals, check: &ops::UploadVerification) -> anyhow::Result<bool> {
    if g.json {
        output::json(check)?;
    } else {
        eprintln!("{}", check.message);
    }
    Ok(check.ok)
}

async fn upload(g: &Globals, local_id: &str) -> anyhow::Result<()> {
    let (ctx, settings) = open(g)?;
    let cx = cx(&ctx, &settings);
    let uploaded = warned(ops::upload(cx, local_id).await?);
    let server = &uploaded.server;
    let check = ops::verify_uploaded_key(cx, &server.id).await?;
    if g.json {
        let mut v = serde_json::to_value(server)?;
        v["local_key_id"] = json!(local_id);
        v["check"] = serde_json::to_value(&check)?;
        output::json(&v)?;
    } else {
        println!("{}", server.id);
        eprintln!(
            "Uploaded local key {local_id} as JWT key {} ('{}').\n{}",
            server.id, server.name, check.message
        );
    }
    if !check.ok {
        std::process::exit(1);
    }
    Ok(())
}

async fn check(g: &Globals, id: &str) -> anyhow::Result<()> {
    let (ctx, settings) = open(g)?;
    let check = ops::verify_uploaded_key(cx(&ctx, &settings), id).await?;
    if !print_check(g, &check)? {
        std::process::exit(1);
    }
    Ok(())
}

async fn delete(
    g: &Globals,
    id: &str,
    mut yes: bool,
    keep_local: bool,
    when: super::retire::When,
) -> anyhow::Result<()> {
    let (ctx, settings) = open(g)?;
    let cx = cx(&ctx, &settings);
    let local = cx.local();

    // A local key that was never uploaded: only this machine is concerned.
    if let Some(draft) = local
        .list()
        .into_iter()
        .find(|l| l.local_id == id && !l.is_uploaded())
    {
        if !yes && !super::confirm(&format!("Delete local key {id} ('{}')?", draft.name))? {
            return Err(Error::new(ErrorCode::Cancelled, "Nothing was deleted.").into());
        }
        warned(ops::delete(cx, None, Some(id), false).await?);
        if g.json {
            return output::json(&json!({"id": null, "local_key_id": id, "deleted": true}));
        }
        eprintln!("Deleted local key {id}.");
        return Ok(());
    }

    // Live JWTs signed with it: scheduled, refused, or confirmed by typing.
    match super::retire::before_delete(g, cx, id, yes, !keep_local, when).await? {
        super::retire::Go::Done => return Ok(()),
        super::retire::Go::Confirmed => yes = true,
        super::retire::Go::Ask => {}
    }
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
    let deleted = warned(ops::delete(cx, Some(id), None, !keep_local).await?);
    if g.json {
        return output::json(&json!({
            "id": id,
            "deleted": true,
            "local_key_id": linked.as_ref().map(|l| &l.local_id),
            "local_deleted": deleted.local_deleted,
        }));
    }
    eprintln!("Deleted {id}.");
    match (linked, deleted.local_deleted) {
        (Some(l), false) => eprintln!("Kept the local private key {}.", l.local_id),
        (Some(l), true) => eprintln!("Deleted the local private key {} too.", l.local_id),
        _ => {}
    }
    Ok(())
}

async fn sign(g: &Globals, args: SignArgs) -> anyhow::Result<()> {
    let ttl = super::tokens::parse_duration(&args.ttl)?;
    let (ctx, settings) = open(g)?;
    let request = SignVideoRequest {
        // Blank: the profile's default signing key (core names it).
        server_id: args.key.clone().unwrap_or_default(),
        video_id: args.video.clone(),
        ttl_seconds: u32::try_from(ttl.num_seconds()).unwrap_or(u32::MAX),
        link_video_id: args.link_video.clone(),
    };
    let given = args.private_key.clone().map(|path| GivenKey {
        source: path.display().to_string(),
        load: Box::new(move || {
            import_file(&path)?.private.ok_or_else(|| {
                Error::validation(format!(
                    "{} holds a public key; signing needs the private key.",
                    path.display()
                ))
            })
        }),
    });
    let from_file = given.is_some();
    let signed = ops::sign(cx(&ctx, &settings), &request, given)
        .await
        .map_err(|e| match e.code {
            ErrorCode::NotFound if !from_file => {
                let message = format!(
                    "{}; pass --private-key FILE.",
                    e.message.trim_end_matches('.')
                );
                Error { message, ..e }
            }
            _ => e,
        })?;
    if g.json {
        return output::json(&json!({
            "jwt": signed.jwt,
            "kid": signed.header["kid"],
            "sub": signed.claims["sub"],
            "iat": signed.claims["iat"],
            "exp": signed.claims["exp"],
            "expires_at": signed.expires_at,
            "urls": signed.urls,
        }));
    }
    // The JWT (alone, or in the URLs) goes to stdout only: stderr is where
    // logs are kept.
    if args.urls {
        print!("{}", url_lines(&signed.urls));
    } else {
        println!("{}", signed.jwt);
    }
    eprintln!(
        "Signed with key {} for {}, valid until {}.",
        signed.header["kid"].as_str().unwrap_or("?"),
        match &args.video {
            None => "all videos".to_owned(),
            Some(v) => format!("video {v}"),
        },
        output::time(Some(signed.expires_at))
    );
    Ok(())
}

/// The watch, embed and HLS URLs, one a line.
fn url_lines(urls: &VideoUrls) -> String {
    format!(
        "watch  {}\nembed  {}\nhls    {}\n",
        urls.watch, urls.embed, urls.hls
    )
}

/// Shows the profile's URL templates, or sets those given.
fn urls(g: &Globals, args: UrlsArgs) -> anyhow::Result<()> {
    let (ctx, settings) = open(g)?;
    let mut templates = ops::url_templates(cx(&ctx, &settings));
    let given = [
        (args.watch, &mut templates.watch),
        (args.embed, &mut templates.embed),
        (args.hls, &mut templates.hls),
    ];
    let mut changed = false;
    for (value, slot) in given {
        if let Some(value) = value {
            *slot = value;
            changed = true;
        }
    }
    if changed {
        templates = ops::set_url_templates(cx(&ctx, &settings), templates)?;
    }
    if g.json {
        return output::json(&templates);
    }
    print!("{}", url_lines(&templates));
    Ok(())
}

/// A JWT from the argument, or from standard input for `-`.
fn read_jwt(arg: &str) -> anyhow::Result<Secret> {
    Ok(if arg == "-" {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Secret::from(line.trim().to_owned())
    } else {
        Secret::new(arg.trim())
    })
}

async fn test_playback(g: &Globals, video_id: &str, jwt: &str) -> anyhow::Result<()> {
    let jwt = read_jwt(jwt)?;
    let (ctx, settings) = open(g)?;
    let verdict = ops::test_playback(cx(&ctx, &settings), video_id, jwt.expose()).await?;
    if g.json {
        output::json(&verdict)?;
    } else {
        let label = match (&verdict.reason, verdict.allowed) {
            (_, true) => "allowed".to_owned(),
            (Some(reason), false) => format!("refused ({reason})"),
            (None, false) => "refused".to_owned(),
        };
        println!("{label}: {}", verdict.message);
    }
    if !verdict.allowed {
        std::process::exit(1);
    }
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
    let token = read_jwt(jwt)?;
    let (ctx, settings) = open(g)?;
    let verdict: Verdict = ops::verify_jwt(cx(&ctx, &settings), token.expose()).await?;
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

/// `portal keys doctor`: the report, one check a line, then the verdict and
/// the fix; exits 1 when a check failed. The JWT itself is never printed.
async fn doctor(g: &Globals, input: &str, skew: u32) -> anyhow::Result<()> {
    let input = read_jwt(input)?;
    let (ctx, settings) = open(g)?;
    let skew = chrono::Duration::seconds(i64::from(skew));
    let report = playback::doctor(cx(&ctx, &settings), input.expose(), skew).await?;
    if g.json {
        output::json(&report)?;
    } else {
        print!("{}", doctor_text(&report));
    }
    if !report.ok {
        std::process::exit(1);
    }
    Ok(())
}

fn doctor_text(report: &PlaybackReport) -> String {
    let mut text = String::new();
    for c in &report.checks {
        let mark = match c.status {
            CheckStatus::Passed => '✓',
            CheckStatus::Failed => '✗',
            CheckStatus::Skipped => '–',
        };
        text.push_str(&format!("{mark} {}: {}\n", c.label, c.detail));
    }
    let clock = &report.clock;
    let service = match (clock.service, clock.offset_seconds) {
        (Some(at), Some(offset)) => {
            format!("the service's {} ({offset:+} s)", at.format("%H:%M:%S UTC"))
        }
        _ => "the service gave no Date".to_owned(),
    };
    text.push_str(&format!(
        "clock: this computer {}, {service}; {} s of skew allowed\n\n{}\n",
        clock.local.format("%H:%M:%S UTC"),
        clock.skew_seconds,
        report.verdict
    ));
    if let Some(fix) = &report.fix {
        text.push_str(&format!("fix: {}\n", fix.sentence));
        if let Some(command) = &fix.command {
            text.push_str(&format!("     {command}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use portal_core::jwt_keys::JwtKey;
    use portal_core::local_keys::server_fingerprints;

    #[test]
    fn bits_are_one_of_the_three_sizes() {
        assert_eq!(parse_bits("3072"), Ok(3072));
        assert!(parse_bits("1024").is_err());
        assert!(parse_bits("big").is_err());
    }

    #[test]
    fn a_blank_video_is_refused_not_widened_to_all_videos() {
        assert_eq!(parse_video(" vid_1 "), Ok("vid_1".to_owned()));
        assert!(parse_video("").is_err());
        assert!(parse_video("   ").is_err());
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
