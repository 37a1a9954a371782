//! A key rotation in the terminal (#16 §2): `portal keys rotate OLD_ID`
//! (a new key generated here and uploaded, checked with a test JWT, made
//! the default signing key, and the old key's deletion scheduled), and
//! `portal keys default [ID]` (the key `portal keys sign` uses when `--key`
//! is left out). The use cases, and their activity entries, are
//! `portal_core::ops::key_rotation` and `ops::keys`, shared with the app's
//! rotation wizard.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::Args;
use portal_core::keypair::DEFAULT_BITS;
use portal_core::ops::key_rotation::{self as ops, RotateRequest};
use portal_core::ops::keys as key_ops;
use serde_json::json;

use super::keys::{cx, end_progress_line, open, parse_bits, progress_line};
use crate::output::{self, warned};
use crate::session::Globals;

#[derive(Args)]
pub struct RotateArgs {
    /// The key to rotate away from (a server key id).
    old: String,
    /// The new key's name (default: the old one's, marked "rotated" and the day).
    #[arg(long)]
    name: Option<String>,
    /// The new key's size.
    #[arg(long, default_value_t = DEFAULT_BITS, value_parser = parse_bits)]
    bits: usize,
    /// Keep the old key: do not schedule its deletion.
    #[arg(long)]
    keep_old: bool,
    /// When the old key is deleted, keep its private key on this machine.
    #[arg(long, conflicts_with = "keep_old")]
    keep_local: bool,
}

#[derive(Args)]
pub struct DefaultArgs {
    /// Make this uploaded key (its private half kept here) the default;
    /// without it, show the default.
    id: Option<String>,
}

pub async fn rotate(g: &Globals, args: RotateArgs) -> anyhow::Result<()> {
    let (ctx, settings) = open(g)?;
    let request = RotateRequest {
        old_kid: args.old,
        name: args.name,
        bits: args.bits,
        retire_old: !args.keep_old,
        delete_local: !args.keep_local,
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let rotated = ops::rotate(cx(&ctx, &settings), request, progress_line(), cancel).await;
    end_progress_line();
    let rotated = warned(rotated?);
    if g.json {
        return output::json(&rotated);
    }
    let (old, new) = (&rotated.old, &rotated.new.server);
    println!("{}", new.id);
    eprintln!(
        "Rotated from JWT key {} ('{}') to {} ('{}').\n{}\n{} is the default signing key now: \
         `portal keys sign` uses it when --key is left out.",
        old.id, old.name, new.id, new.name, rotated.verification.message, new.id
    );
    match &rotated.deletion {
        Some(d) => eprintln!(
            "The old key is deleted at {} UTC, when the last JWT signed here with it expires \
             (carried out by the app, or `portal keys retire --due`).",
            output::time(Some(d.due_at))
        ),
        None => eprintln!("The old key is kept (--keep-old)."),
    }
    Ok(())
}

pub async fn default_key(g: &Globals, args: DefaultArgs) -> anyhow::Result<()> {
    let (ctx, settings) = open(g)?;
    let cx = cx(&ctx, &settings);
    let Some(id) = args.id else {
        let default = key_ops::default_key(cx);
        if g.json {
            return output::json(&json!({ "default_key": default }));
        }
        match default {
            Some(kid) => println!("{kid}"),
            None => eprintln!(
                "Profile '{}' has no default signing key: `portal keys default ID` sets one.",
                ctx.profile.name
            ),
        }
        return Ok(());
    };
    let key = warned(key_ops::set_default(cx, &id).await?);
    if g.json {
        return output::json(&json!({ "default_key": key.id, "name": key.name }));
    }
    println!("{}", key.id);
    eprintln!(
        "JWT key {} ('{}') is the default signing key of profile '{}'.",
        key.id, key.name, ctx.profile.name
    );
    Ok(())
}
