//! `portal assets …`: list, show, upload, update and delete vault assets:
//! parse, call `portal_core::ops::assets` (which records the writes), print.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Subcommand;
use portal_core::context::ProfileContext;
use portal_core::ops::assets::{self as ops, Cx, ListRequest};
use portal_core::vault::{Asset, AssetUpdate, UploadProgress, UploadRequest, Vault};
use portal_core::{Error, Service};
use tokio_util::sync::CancellationToken;

use crate::output::{self, warned};
use crate::session::{env_vault_login, CliRecorder, Globals};

#[derive(Subcommand)]
pub enum AssetsCommand {
    /// List assets, one page or all of them.
    List {
        #[arg(long, default_value_t = 1)]
        page: u32,
        /// Assets per page, 1 to 100 (default 20; with --all, 100: a fifth
        /// of the requests).
        #[arg(long)]
        limit: Option<u32>,
        /// Follow `page.has_more` to the end.
        #[arg(long)]
        all: bool,
        /// Only the assets of this folder.
        #[arg(long, value_name = "FOLDER_ID")]
        folder: Option<String>,
        /// Names containing this text (case-insensitive).
        #[arg(long, short = 'q', value_name = "TEXT")]
        search: Option<String>,
        /// name, created_at, updated_at or size; prefix with - for descending.
        #[arg(long, allow_hyphen_values = true)]
        sort: Option<String>,
    },
    /// One asset's details.
    Show { id: String },
    /// Upload a file (streamed; Ctrl-C cancels).
    Upload {
        file: PathBuf,
        /// Folder to put it in.
        #[arg(long, value_name = "FOLDER_ID")]
        folder: Option<String>,
        /// Asset name (default: the file name).
        #[arg(long)]
        name: Option<String>,
        /// Media type (default: guessed from the extension).
        #[arg(long)]
        content_type: Option<String>,
        /// Repeat for several tags.
        #[arg(long = "tag")]
        tags: Vec<String>,
    },
    /// Rename, move or retag an asset.
    Update {
        id: String,
        #[arg(long)]
        name: Option<String>,
        /// Move to this folder.
        #[arg(long, value_name = "FOLDER_ID", conflicts_with = "root")]
        folder: Option<String>,
        /// Move out of any folder.
        #[arg(long)]
        root: bool,
        /// Replace the tags (repeat for several).
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Remove every tag.
        #[arg(long, conflicts_with = "tags")]
        clear_tags: bool,
    },
    /// Delete assets (admin). Assets under legal hold are refused.
    Delete {
        #[arg(required = true)]
        ids: Vec<String>,
        #[arg(long)]
        yes: bool,
    },
}

/// The vault session: a fresh login from PORTAL_VAULT_EMAIL/PASSWORD (kept
/// in memory, and signed in again with them, once, if its refresh token is
/// refused), else the stored one (renewed tokens are saved back; a
/// remembered password signs in again the same way). The stored one only
/// when the vault URL is the profile's origin.
pub async fn open(ctx: &ProfileContext) -> anyhow::Result<Vault<'_>> {
    if let Some((email, password)) = env_vault_login() {
        let session = ctx.vault().login(&email, &password).await?;
        return Ok(
            Vault::new(&ctx.http, ctx.url(Service::Vault), session).relogin_with(email, password)
        );
    }
    Ok(ctx.open_vault()?)
}

/// The use cases' context: the profile, its vault, the CLI's recorder.
pub fn cx<'a>(ctx: &'a ProfileContext, vault: &'a Vault<'a>) -> Cx<'a> {
    Cx {
        pc: ctx,
        vault,
        recorder: &CliRecorder,
    }
}

fn size(bytes: Option<u64>) -> String {
    let Some(b) = bytes else {
        return String::new();
    };
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i < UNITS.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

fn print_asset(a: &Asset) {
    let rows = [
        ("id", a.id.clone()),
        ("name", a.name.clone()),
        ("type", a.content_type.clone().unwrap_or_default()),
        ("size", size(a.size)),
        ("folder", a.folder_id.clone().unwrap_or_else(|| "-".into())),
        ("tags", a.tags.join(", ")),
        ("created", output::time(a.created_at)),
        ("updated", output::time(a.updated_at)),
        ("legal hold", if a.legal_hold { "yes" } else { "no" }.into()),
        (
            "content",
            if a.has_content {
                "uploaded"
            } else {
                "metadata only"
            }
            .into(),
        ),
    ];
    for (k, v) in rows {
        println!("{k:<11} {v}");
    }
}

fn progress_bar(total: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Cancelled by Ctrl-C while it lives.
fn ctrl_c_token() -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let cancel = CancellationToken::new();
    let on_ctrl_c = cancel.clone();
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    (cancel, watcher)
}

async fn upload(cx: Cx<'_>, g: &Globals, req: UploadRequest) -> anyhow::Result<()> {
    let total = std::fs::metadata(&req.path).map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(total);
    let progress = bar.clone().map(|b| {
        Arc::new(move |p: UploadProgress| b.set_position(p.sent))
            as Arc<dyn Fn(UploadProgress) + Send + Sync>
    });
    let (cancel, watcher) = ctrl_c_token();
    let result = ops::upload(cx, &req, progress, &cancel).await;
    watcher.abort();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let a = warned(result?);
    if g.json {
        return output::json(&a);
    }
    eprintln!("Uploaded '{}' ({}).", a.name, size(a.size));
    println!("{}", a.id);
    Ok(())
}

fn print_list(g: &Globals, items: &[Asset]) -> anyhow::Result<()> {
    let headers = ["id", "name", "type", "size", "legal hold"];
    output::list(g.json, items, None, &headers, |a| {
        vec![
            a.id.clone(),
            a.name.clone(),
            a.content_type.clone().unwrap_or_default(),
            size(a.size),
            if a.legal_hold {
                "hold".into()
            } else {
                String::new()
            },
        ]
    })
}

fn print_one(g: &Globals, a: &Asset) -> anyhow::Result<()> {
    if g.json {
        return output::json(a);
    }
    print_asset(a);
    Ok(())
}

async fn delete(cx: Cx<'_>, g: &Globals, ids: Vec<String>, yes: bool) -> anyhow::Result<()> {
    let question = match ids.as_slice() {
        [one] => format!("Delete asset {one}? This cannot be undone."),
        many => format!("Delete {} assets? This cannot be undone.", many.len()),
    };
    if !yes && !super::confirm(&question)? {
        eprintln!("Nothing deleted.");
        return Ok(());
    }
    if let [id] = ids.as_slice() {
        let (asset, deleted) = warned(ops::delete(cx, id).await?);
        if g.json {
            return output::json(&deleted);
        }
        eprintln!("Deleted '{}' ({}).", asset.name, asset.id);
        return Ok(());
    }
    let summary = warned(ops::delete_many(cx, &ids).await);
    if g.json {
        output::json(&summary)?;
    } else {
        eprintln!(
            "Deleted {}, skipped {}.",
            summary.deleted.len(),
            summary.skipped.len()
        );
        for s in &summary.skipped {
            eprintln!("  skipped {}: {} ({})", s.id, s.reason, s.code);
        }
    }
    if let Some(first) = summary.skipped.first() {
        return Err(Error::new(
            first.code,
            format!(
                "{} of {} assets were not deleted.",
                summary.skipped.len(),
                ids.len()
            ),
        )
        .with_service(Service::Vault)
        .into());
    }
    Ok(())
}

pub async fn run(g: &Globals, command: AssetsCommand) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let vault = open(&ctx).await?;
    let cx = cx(&ctx, &vault);
    match command {
        AssetsCommand::List {
            page,
            limit,
            all,
            folder,
            search,
            sort,
        } => {
            let request = ListRequest {
                page,
                limit,
                all,
                folder_id: folder,
                search,
                sort,
            };
            print_list(g, &ops::list(cx, request).await?)
        }
        AssetsCommand::Show { id } => print_one(g, &ops::get(cx, &id).await?),
        AssetsCommand::Upload {
            file,
            folder,
            name,
            content_type,
            tags,
        } => {
            let req = UploadRequest {
                path: file,
                name,
                folder_id: folder,
                content_type,
                tags,
            };
            upload(cx, g, req).await
        }
        AssetsCommand::Update {
            id,
            name,
            folder,
            root,
            tags,
            clear_tags,
        } => {
            let update = AssetUpdate {
                name,
                folder_id: if root { Some(None) } else { folder.map(Some) },
                tags: if clear_tags {
                    Some(Vec::new())
                } else if tags.is_empty() {
                    None
                } else {
                    Some(tags)
                },
                content_type: None,
            };
            print_one(g, &warned(ops::update(cx, &id, &update).await?))
        }
        AssetsCommand::Delete { ids, yes } => delete(cx, g, ids, yes).await,
    }
}
