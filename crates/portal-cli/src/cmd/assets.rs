use clap::Subcommand;
use portal_core::assets::VaultSession;
use portal_core::context::ProfileContext;
use portal_core::{Error, ErrorCode};

use crate::output;
use crate::session::{env_vault_login, Globals};

#[derive(Subcommand)]
pub enum AssetsCommand {
    /// List assets, one page or all of them.
    List {
        #[arg(long, default_value_t = 1)]
        page: u32,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Follow `page.has_more` to the end.
        #[arg(long)]
        all: bool,
    },
}

/// The vault session: a fresh login from PORTAL_VAULT_EMAIL/PASSWORD, else the stored one.
async fn session(ctx: &ProfileContext) -> anyhow::Result<VaultSession> {
    if let Some((email, password)) = env_vault_login() {
        return Ok(ctx.vault().login(&email, &password).await?);
    }
    ctx.vault_session()?.ok_or_else(|| {
        Error::new(
            ErrorCode::NoCredentials,
            "Not logged in to the vault: run `portal login vault`.",
        )
        .with_service(portal_core::Service::Vault)
        .into()
    })
}

pub async fn run(g: &Globals, command: AssetsCommand) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let session = session(&ctx).await?;
    let vault = ctx.vault();
    match command {
        AssetsCommand::List { page, limit, all } => {
            let mut items = Vec::new();
            let mut page = page.max(1);
            loop {
                let p = vault
                    .list_assets(&session, page, limit.clamp(1, 100))
                    .await?;
                let more = p.page.has_more && !p.items.is_empty();
                items.extend(p.items);
                if !all || !more {
                    break;
                }
                page += 1;
            }
            if g.json {
                return output::json(&items);
            }
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|a| {
                    vec![
                        a.id.clone(),
                        a.name.clone(),
                        a.content_type.clone().unwrap_or_default(),
                        a.size.map(|s| s.to_string()).unwrap_or_default(),
                        if a.legal_hold {
                            "hold".into()
                        } else {
                            String::new()
                        },
                    ]
                })
                .collect();
            output::table(&["id", "name", "type", "size", "legal hold"], &rows);
        }
    }
    Ok(())
}
