//! The vault beyond assets: `portal folders`, `portal quota`,
//! `portal legal-hold`, `portal transforms` and `portal share`: parse, call
//! `portal_core::ops::assets` (which records the writes), print.

use clap::{Args, Subcommand};
use portal_core::ops::assets as ops;
use portal_core::vault::{LegalHold, TransformKind};

use super::assets::{cx, open};
use crate::output::{self, warned};
use crate::session::Globals;

#[derive(Subcommand)]
pub enum FoldersCommand {
    /// Every folder (or those under --parent).
    List {
        #[arg(long, value_name = "FOLDER_ID")]
        parent: Option<String>,
    },
    /// Create a folder (organizer).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_name = "FOLDER_ID")]
        parent: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum LegalHoldCommand {
    /// Whether an asset is under legal hold, and why.
    Show { id: String },
    /// Place a legal hold (admin): the asset cannot be deleted until cleared.
    Set {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Release a legal hold (admin).
    Clear {
        id: String,
        /// Why it is released (kept in the local activity log).
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum TransformsCommand {
    /// Request a transform (organizer): requested, then queued, then completed.
    Request {
        id: String,
        /// thumbnail, transcode, resize, watermark or preview.
        #[arg(long)]
        kind: TransformKind,
    },
    /// An asset's transforms and their status, oldest first.
    List { id: String },
}

#[derive(Args)]
pub struct ShareArgs {
    id: String,
    /// How long the link works: 30m, 12h, 7d… (1 minute to 30 days).
    #[arg(long, default_value = "1d")]
    expires_in: String,
}

pub async fn folders(g: &Globals, command: FoldersCommand) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let vault = open(&ctx).await?;
    let cx = cx(&ctx, &vault);
    match command {
        FoldersCommand::List { parent } => {
            let list = ops::folders(cx, parent.as_deref()).await?;
            let headers = ["id", "name", "parent", "created"];
            output::list(g.json, &list, None, &headers, |f| {
                vec![
                    f.id.clone(),
                    f.name.clone(),
                    f.parent_id.clone().unwrap_or_else(|| "-".into()),
                    output::time(f.created_at),
                ]
            })?;
        }
        FoldersCommand::Create { name, parent } => {
            let f = warned(ops::create_folder(cx, &name, parent.as_deref()).await?);
            if g.json {
                return output::json(&f);
            }
            eprintln!("Created folder '{}'.", f.name);
            println!("{}", f.id);
        }
    }
    Ok(())
}

fn percent(used: u64, limit: u64) -> String {
    if limit == 0 {
        return "-".into();
    }
    format!("{:.1}%", used as f64 * 100.0 / limit as f64)
}

pub async fn quota(g: &Globals) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let vault = open(&ctx).await?;
    let q = ops::quota(cx(&ctx, &vault)).await?;
    if g.json {
        return output::json(&q);
    }
    println!(
        "storage  {} of {} bytes ({})",
        q.bytes_used,
        q.bytes_limit,
        percent(q.bytes_used, q.bytes_limit)
    );
    println!(
        "assets   {} of {} ({})",
        q.assets_used,
        q.assets_limit,
        percent(q.assets_used, q.assets_limit)
    );
    Ok(())
}

fn print_hold(h: &LegalHold) {
    if h.active {
        println!(
            "{}: under legal hold since {} ({})",
            h.asset_id,
            output::time(h.set_at),
            h.reason.as_deref().unwrap_or("no reason given")
        );
    } else {
        println!("{}: no legal hold", h.asset_id);
    }
}

pub async fn legal_hold(g: &Globals, command: LegalHoldCommand) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let vault = open(&ctx).await?;
    let cx = cx(&ctx, &vault);
    let hold = match command {
        LegalHoldCommand::Show { id } => ops::legal_hold(cx, &id).await?,
        LegalHoldCommand::Set { id, reason } => {
            warned(ops::set_legal_hold(cx, &id, &reason).await?)
        }
        LegalHoldCommand::Clear { id, reason } => {
            warned(ops::clear_legal_hold(cx, &id, reason.as_deref()).await?)
        }
    };
    if g.json {
        return output::json(&hold);
    }
    print_hold(&hold);
    Ok(())
}

pub async fn transforms(g: &Globals, command: TransformsCommand) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let vault = open(&ctx).await?;
    let cx = cx(&ctx, &vault);
    let list = match command {
        TransformsCommand::Request { id, kind } => {
            let t = warned(ops::request_transform(cx, &id, kind).await?);
            if g.json {
                return output::json(&t);
            }
            eprintln!("Requested a {} transform ({:?}).", t.kind, t.status);
            println!("{}", t.id);
            return Ok(());
        }
        TransformsCommand::List { id } => ops::transforms(cx, &id).await?,
    };
    let headers = ["id", "type", "status", "requested", "completed"];
    output::list(g.json, &list, None, &headers, |t| {
        vec![
            t.id.clone(),
            t.kind.clone(),
            output::wire_name(t.status),
            output::time(t.requested_at),
            output::time(t.completed_at),
        ]
    })
}

pub async fn share(g: &Globals, args: ShareArgs) -> anyhow::Result<()> {
    let secs = super::tokens::parse_duration(&args.expires_in)?.num_seconds();
    let secs = u32::try_from(secs).map_err(|_| {
        portal_core::Error::validation("A share link lasts from 1 minute to 30 days.")
    })?;
    let ctx = g.context()?;
    let vault = open(&ctx).await?;
    let s = warned(ops::share(cx(&ctx, &vault), &args.id, Some(secs)).await?);
    if g.json {
        return output::json(&s);
    }
    eprintln!(
        "Anyone with this link can open the asset until {}.",
        output::time(s.expires_at)
    );
    println!("{}", s.url);
    Ok(())
}
