//! `portal calendar --ics FILE`: the profile's token expiries and rotation
//! reminders as an iCalendar file (`portal_core::ops::calendar`), with alarms
//! 30, 14, 7 and 1 days before; `-` writes to stdout. Importing a newer file
//! updates the events (stable UIDs).

use std::path::PathBuf;

use clap::Args;
use portal_core::ops::calendar;
use portal_core::{Error, ErrorCode};

use crate::session::{settings, Globals};

#[derive(Args)]
pub struct CalendarArgs {
    /// Where to write the .ics file (`-`: standard output).
    #[arg(long, value_name = "FILE")]
    ics: PathBuf,
}

pub async fn run(g: &Globals, args: CalendarArgs) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let settings = settings()?;
    let calendar::Ics { text, events } = calendar::ics(&ctx, &settings).await?;
    if args.ics.as_os_str() == "-" {
        print!("{text}");
    } else {
        std::fs::write(&args.ics, &text)
            .map_err(|e| Error::new(ErrorCode::Io, format!("{}: {e}", args.ics.display())))?;
        eprintln!(
            "Wrote {events} event{} to {} (profile {}).",
            if events == 1 { "" } else { "s" },
            args.ics.display(),
            ctx.profile.name
        );
    }
    Ok(())
}
