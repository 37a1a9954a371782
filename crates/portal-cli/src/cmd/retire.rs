//! Safe key retirement in the terminal (#16 §2): what `portal keys delete`
//! does when JWTs signed with the key are still live (`--schedule`,
//! `--now`), and `portal keys retire --due | --list | --cancel ID`. The use
//! cases, and their activity entries, are `portal_core::ops::retire`,
//! shared with the app.

use clap::{ArgGroup, Args};
use portal_core::key_records::{KeyRecords, ScheduledDeletion};
use portal_core::ops::keys::Cx;
use portal_core::ops::retire::{self as ops, DeletionCheck};
use portal_core::{Error, ErrorCode};
use serde_json::json;

use super::keys::{cx, open};
use crate::output::{self, warned};
use crate::session::Globals;

#[derive(Args)]
#[command(group(ArgGroup::new("what").required(true).args(["due", "list", "cancel"])))]
pub struct RetireArgs {
    /// Delete the keys whose scheduled deletion is due (by the service's
    /// clock) and list what was done.
    #[arg(long)]
    due: bool,
    /// List the scheduled deletions.
    #[arg(long)]
    list: bool,
    /// Call off the scheduled deletion of this key.
    #[arg(long, value_name = "ID")]
    cancel: Option<String>,
}

/// `portal keys delete --schedule / --now`.
#[derive(Clone, Copy)]
pub struct When {
    pub schedule: bool,
    pub now: bool,
}

/// What `portal keys delete` does next.
pub enum Go {
    /// Scheduled (or refused with an error): nothing more.
    Done,
    /// Confirmed by typing the key id: delete without asking again.
    Confirmed,
    /// Nothing live: the usual confirmation.
    Ask,
}

fn hours(check: &DeletionCheck) -> String {
    match check.hours_left {
        Some(1) => "1 more hour".into(),
        Some(h) => format!("{h} more hours"),
        None => "no longer".into(),
    }
}

/// Before a server key is deleted: with `--schedule`, schedules it; with
/// live JWTs and no `--now`, refuses and says how long they last; with
/// `--now`, asks to type the key id (unless `--yes`).
pub async fn before_delete(
    g: &Globals,
    cx: Cx<'_>,
    id: &str,
    yes: bool,
    delete_local: bool,
    when: When,
) -> anyhow::Result<Go> {
    // Nothing ever signed here with it: nothing to ask the service.
    let signed = KeyRecords::new(cx.settings).signed_until(&cx.pc.profile.name, id);
    if signed.is_none() && !when.schedule {
        return Ok(Go::Ask);
    }
    let check = match ops::check(cx, id).await {
        Ok(check) => check,
        // Gone already: the deletion has nothing to break.
        Err(e) if e.code == ErrorCode::NotFound && !when.schedule => return Ok(Go::Ask),
        Err(e) => return Err(e.into()),
    };
    if when.schedule {
        let scheduled = warned(ops::schedule(cx, id, delete_local).await?);
        return print_scheduled(g, &scheduled).map(|()| Go::Done);
    }
    let Some(until) = check.live_until else {
        return Ok(Go::Ask);
    };
    let live = format!(
        "JWTs signed here with JWT key {id} ('{}') are live for {} (until {} UTC): deleting it now \
         stops every URL signed with it from playing.",
        check.name,
        hours(&check),
        output::time(Some(until))
    );
    if !when.now {
        return Err(Error::validation(format!(
            "{live} Nothing was deleted. Pass --schedule to delete it when the last one expires \
             (`portal keys retire --due` carries it out), or --now to delete it anyway."
        ))
        .into());
    }
    if !yes && !super::confirm_typed(&live, id)? {
        return Err(Error::new(ErrorCode::Cancelled, "Nothing was deleted.").into());
    }
    Ok(Go::Confirmed)
}

fn print_scheduled(g: &Globals, s: &ScheduledDeletion) -> anyhow::Result<()> {
    if g.json {
        return output::json(s);
    }
    println!("{}", s.kid);
    eprintln!(
        "JWT key {} ('{}') is deleted at {} UTC, when the last JWT signed with it expires: \
         the app does it while running, or `portal keys retire --due`. \
         `portal keys retire --cancel {}` calls it off.",
        s.kid,
        s.name,
        output::time(Some(s.due_at)),
        s.kid
    );
    Ok(())
}

fn print_list(g: &Globals, all: &[ScheduledDeletion]) -> anyhow::Result<()> {
    if g.json {
        return output::json(all);
    }
    if all.is_empty() {
        eprintln!("No key deletion is scheduled.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|s| {
            vec![
                s.kid.clone(),
                s.name.clone(),
                output::time(Some(s.due_at)),
                if s.delete_local { "deleted" } else { "kept" }.into(),
            ]
        })
        .collect();
    output::table(&["id", "name", "deleted at (UTC)", "private key"], &rows);
    Ok(())
}

pub async fn run(g: &Globals, args: RetireArgs) -> anyhow::Result<()> {
    let (ctx, settings) = open(g)?;
    let cx = cx(&ctx, &settings);
    if let Some(id) = &args.cancel {
        let cancelled = warned(ops::cancel(cx, id)?);
        if g.json {
            return output::json(&json!({"cancelled": cancelled}));
        }
        eprintln!(
            "The deletion of JWT key {id} ('{}') is called off.",
            cancelled.name
        );
        return Ok(());
    }
    if args.list {
        return print_list(g, &ops::scheduled(cx));
    }
    let report = warned(ops::run_due(cx).await?);
    if g.json {
        output::json(&report)?;
    } else {
        for s in &report.deleted {
            println!("{}", s.kid);
            eprintln!(
                "Deleted JWT key {} ('{}'): its last JWT expired at {} UTC.",
                s.kid,
                s.name,
                output::time(Some(s.due_at))
            );
        }
        for s in &report.already_gone {
            eprintln!("JWT key {} ('{}') was gone already.", s.kid, s.name);
        }
        for f in &report.failed {
            eprintln!("error: JWT key {} ('{}'): {}", f.kid, f.name, f.message);
        }
        if report.deleted.is_empty() && report.already_gone.is_empty() {
            eprintln!("No scheduled key deletion is due.");
        }
        if let Some(next) = report.pending.first() {
            eprintln!(
                "{} still scheduled; the next: JWT key {} at {} UTC.",
                report.pending.len(),
                next.kid,
                output::time(Some(next.due_at))
            );
        }
    }
    if !report.failed.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}
