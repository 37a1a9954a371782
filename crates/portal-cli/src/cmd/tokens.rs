//! `portal tokens` and `portal jwt`: parse, call `portal_core::ops::tokens`,
//! print.

use chrono::{Duration, Utc};
use clap::Subcommand;
use portal_core::context::ProfileContext;
use portal_core::ops::{self, tokens::RotationPair};
use portal_core::secrets::Item;
use portal_core::token_records::{TokenRecords, DEFAULT_QUIET_PERIOD_SECONDS};
use portal_core::vaultstream::{NewToken, UserJwtRequest};
use portal_core::{Error, Service};
use serde_json::json;

use crate::output;
use crate::session::{settings, CliRecorder, Globals};

#[derive(Subcommand)]
pub enum TokensCommand {
    /// List every token (all pages), never their values.
    List,
    /// Create a token; its value is printed once.
    Create {
        #[arg(long)]
        name: String,
        /// Repeat for several scopes: content:read, content:write, admin:read, admin:write, analytics:read, webhook:manage.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Expiry as RFC 3339, e.g. 2027-01-31T00:00:00Z.
        #[arg(long, conflicts_with_all = ["expires_in", "no_expiry"])]
        expires_at: Option<chrono::DateTime<Utc>>,
        /// Expiry from now: 30d, 90d, 12h… (default 90d).
        #[arg(long, conflicts_with = "no_expiry")]
        expires_in: Option<String>,
        /// Valid until revoked (rotate quarterly!).
        #[arg(long)]
        no_expiry: bool,
    },
    /// Replace a token: a new one with the same scopes and expiry policy;
    /// the old one is revoked once the service reports it unused for the
    /// quiet period (`portal tokens rotations --due`, and the app at launch).
    Rotate {
        id: String,
        /// Revoke the old token once unused this long: 0 (at once, e.g.
        /// after a leak) to 7d; default 24h.
        #[arg(long, value_name = "DURATION", conflicts_with = "revoke_old")]
        quiet_period: Option<String>,
        /// Revoke the old token right away (as --quiet-period 0).
        #[arg(long)]
        revoke_old: bool,
    },
    /// Pending rotations and where each stands. With --due, act on them:
    /// revoke old tokens unused for their quiet period, keep (and report)
    /// those still in use past the deadline. Exit 1 when one is.
    Rotations {
        #[arg(long)]
        due: bool,
    },
    /// Revoke a token (takes effect within 60 seconds globally).
    Revoke {
        id: String,
        #[arg(long)]
        yes: bool,
    },
    /// Rotations whose old token is not revoked yet (kept by `rotate`
    /// without --revoke-old, here or in the app), with when to revoke it.
    Reminders,
    /// Forget a token value saved here (from the app's reveal dialog), e.g.
    /// one `portal doctor` found stale. The token itself is not touched.
    Forget { id: String },
}

#[derive(Subcommand)]
pub enum JwtCommand {
    /// Create a user JWT for player embedding.
    Create {
        #[arg(long)]
        user_id: String,
        #[arg(long)]
        content_id: String,
        /// Seconds, at most 86400.
        #[arg(long, default_value_t = 3600)]
        ttl: u32,
    },
}

/// Parses `90d`, `12h`, `30m`, `45s`.
pub fn parse_duration(s: &str) -> Result<Duration, Error> {
    let bad = || Error::validation(format!("'{s}' is not a duration: use e.g. 90d, 12h, 30m."));
    let (num, unit) = s.trim().split_at(s.trim().len().saturating_sub(1));
    let n: i64 = num.parse().map_err(|_| bad())?;
    if n <= 0 {
        return Err(bad());
    }
    match unit {
        "d" => Duration::try_days(n),
        "h" => Duration::try_hours(n),
        "m" => Duration::try_minutes(n),
        "s" => Duration::try_seconds(n),
        _ => None,
    }
    .ok_or_else(bad)
}

/// The expiry asked for: none, a date, a duration from now, or 90 days.
fn expiry(
    expires_at: Option<chrono::DateTime<Utc>>,
    expires_in: Option<&str>,
    no_expiry: bool,
) -> Result<Option<chrono::DateTime<Utc>>, Error> {
    Ok(match (expires_at, expires_in, no_expiry) {
        (_, _, true) => None,
        (Some(at), _, _) => Some(at),
        (None, Some(d), _) => Some(Utc::now() + parse_duration(d)?),
        (None, None, false) => Some(Utc::now() + Duration::days(90)),
    })
}

pub async fn run(g: &Globals, command: TokensCommand) -> anyhow::Result<()> {
    let ctx = g.context()?;
    match command {
        TokensCommand::List => list(g, &ctx).await,
        TokensCommand::Create {
            name,
            scopes,
            expires_at,
            expires_in,
            no_expiry,
        } => {
            let expires_at = expiry(expires_at, expires_in.as_deref(), no_expiry)?;
            let new = NewToken {
                name,
                scopes,
                expires_at,
            };
            let created = output::warned(ops::tokens::create(&ctx, &CliRecorder, new).await?);
            if g.json {
                let mut v = serde_json::to_value(&created.token)?;
                v["token"] = json!(created.value.expose());
                return output::json(&v);
            }
            eprintln!(
                "Created token {} ({}). Its value is shown only this once:",
                created.token.id, created.token.name
            );
            println!("{}", created.value.expose());
            eprintln!("Store it in a secrets manager now; the service cannot show it again.");
            Ok(())
        }
        TokensCommand::Rotate {
            id,
            quiet_period,
            revoke_old,
        } => {
            let quiet = match (revoke_old, quiet_period.as_deref()) {
                (true, _) => Some(Duration::zero()),
                (false, Some(q)) => Some(parse_quiet_period(q)?),
                (false, None) => None,
            };
            rotate(g, &ctx, &id, quiet).await
        }
        TokensCommand::Rotations { due } => rotations(g, &ctx, due).await,
        TokensCommand::Reminders => reminders(g, &ctx),
        TokensCommand::Forget { id } => {
            ops::tokens::forget_saved(&ctx, &settings()?, &id)?;
            if g.json {
                return output::json(&json!({"id": id, "forgotten": true}));
            }
            eprintln!("Forgot the saved value of token {id}.");
            Ok(())
        }
        TokensCommand::Revoke { id, yes } => {
            let prod = if ctx.profile.is_production() {
                " on PRODUCTION"
            } else {
                ""
            };
            if !yes
                && !super::confirm(&format!(
                    "Revoke token {id}{prod}? It stops working within 60 seconds."
                ))?
            {
                return Err(
                    Error::new(portal_core::ErrorCode::Cancelled, "Nothing was revoked.").into(),
                );
            }
            let revoked = ops::tokens::revoke(&ctx, &CliRecorder, &settings()?, &id).await?;
            output::warned(revoked);
            if g.json {
                return output::json(&json!({"id": id, "revoked": true}));
            }
            eprintln!("Revoked {id}. It stops working within 60 seconds globally.");
            Ok(())
        }
    }
}

async fn list(g: &Globals, ctx: &ProfileContext) -> anyhow::Result<()> {
    let credential = ctx.credential(Item::VaultStreamToken, Service::VaultStream)?;
    let list = ctx.tokens(&credential).list_all().await?;
    let headers = ["id", "name", "scopes", "created", "expires", "last used"];
    output::list(g.json, &list, Some("No tokens."), &headers, |t| {
        vec![
            t.id.clone(),
            t.name.clone(),
            t.scopes.join(","),
            output::time(t.created_at),
            t.expires_at
                .map(|_| output::time(t.expires_at))
                .unwrap_or_else(|| "never".into()),
            output::time(t.last_used_at),
        ]
    })
}

fn reminders(g: &Globals, ctx: &ProfileContext) -> anyhow::Result<()> {
    let reminders = TokenRecords::new(&settings()?).reminders(&ctx.profile.name);
    let headers = ["old id", "name", "new id", "rotated", "revoke by"];
    output::list(
        g.json,
        &reminders,
        Some("No rotation reminders."),
        &headers,
        |r| {
            vec![
                r.old_id.clone(),
                r.old_name.clone(),
                r.new_id.clone(),
                output::time(Some(r.created_at)),
                output::time(Some(r.remind_at)),
            ]
        },
    )
}

async fn rotate(
    g: &Globals,
    ctx: &ProfileContext,
    id: &str,
    quiet: Option<Duration>,
) -> anyhow::Result<()> {
    let rotation = output::warned(ops::tokens::rotate(ctx, &CliRecorder, id).await?);
    let (old, new) = (&rotation.old, &rotation.created.token);
    if g.json {
        let mut v = serde_json::to_value(new)?;
        v["token"] = json!(rotation.created.value.expose());
        v["replaces"] = json!(old.id);
        output::json(&v)?;
    } else {
        eprintln!(
            "Created {} to replace {}. Its value is shown only this once:",
            new.id, old.id
        );
        println!("{}", rotation.created.value.expose());
    }
    let quiet = quiet.unwrap_or_else(|| {
        let now = !g.json
            && super::confirm("Is the new token deployed? Revoke the old one now?")
                .unwrap_or(false);
        Duration::seconds(if now {
            0
        } else {
            DEFAULT_QUIET_PERIOD_SECONDS.into()
        })
    });
    let pair = RotationPair::from(&rotation);
    let settings = settings()?;
    let done = ops::tokens::finish_rotation(ctx, &CliRecorder, &settings, pair, quiet);
    output::warned(done.await?);
    if quiet.is_zero() {
        eprintln!(
            "Revoked {}. It stops working within 60 seconds globally.",
            old.id
        );
    } else {
        eprintln!(
            "Kept {} for now: it is revoked once unused for {} (checked by `portal tokens rotations --due` and the app at launch).",
            old.id,
            portal_core::signing::describe_seconds(quiet.num_seconds())
        );
    }
    Ok(())
}

/// `0`, or a duration (`24h`, `7d`): the quiet period of a rotation.
fn parse_quiet_period(s: &str) -> Result<Duration, Error> {
    if s.trim().trim_end_matches(['s', 'm', 'h', 'd']) == "0" {
        return Ok(Duration::zero());
    }
    let quiet = parse_duration(s)?;
    ops::tokens::quiet_seconds(quiet)?;
    Ok(quiet)
}

async fn rotations(g: &Globals, ctx: &ProfileContext, due: bool) -> anyhow::Result<()> {
    let settings = settings()?;
    let checked = ops::tokens::check_rotations(ctx, &CliRecorder, &settings, due).await?;
    let report = output::warned(checked);
    let held = report.in_use_past_deadline().count();
    if g.json {
        output::json(&report)?;
    } else {
        let headers = ["old id", "name", "new id", "state", "last used", "detail"];
        output::list(
            false,
            &report.rotations,
            Some("No pending rotations."),
            &headers,
            |c| {
                vec![
                    c.rotation.old_id.clone(),
                    c.rotation.old_name.clone(),
                    c.rotation.new_id.clone(),
                    output::wire_name(c.state),
                    output::time(c.last_used_at),
                    c.detail.clone(),
                ]
            },
        )?;
    }
    for c in report.in_use_past_deadline() {
        eprintln!("warning: {}", c.detail);
    }
    if due && held > 0 {
        crate::session::warn_clock();
        std::process::exit(1);
    }
    Ok(())
}

pub async fn run_jwt(g: &Globals, command: JwtCommand) -> anyhow::Result<()> {
    let JwtCommand::Create {
        user_id,
        content_id,
        ttl,
    } = command;
    let ctx = g.context()?;
    let request = UserJwtRequest {
        user_id,
        content_id,
        ttl_seconds: ttl,
    };
    let jwt = output::warned(ops::tokens::user_jwt(&ctx, &request, None).await?);
    if g.json {
        return output::json(&json!({"jwt": jwt.jwt.expose(), "expires_at": jwt.expires_at}));
    }
    println!("{}", jwt.jwt.expose());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90d").unwrap(), Duration::days(90));
        assert_eq!(parse_duration("12h").unwrap(), Duration::hours(12));
        assert!(parse_duration("0d").is_err());
        assert!(parse_duration("d").is_err());
        assert!(parse_duration("5w").is_err());
        assert_eq!(parse_quiet_period("0").unwrap(), Duration::zero());
        assert_eq!(parse_quiet_period("0h").unwrap(), Duration::zero());
        assert_eq!(parse_quiet_period("24h").unwrap(), Duration::days(1));
    }
}
