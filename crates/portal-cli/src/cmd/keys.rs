use clap::Subcommand;
use portal_core::secrets::Item;
use portal_core::{Error, Service};
use serde_json::json;

use crate::output;
use crate::session::Globals;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// List every JWT key (all pages).
    List,
    /// Show one key, with its public PEM.
    Show { id: String },
    /// Delete a key: videos whose JWTs it signed stop playing.
    Delete {
        id: String,
        #[arg(long)]
        yes: bool,
    },
}

pub async fn run(g: &Globals, command: KeysCommand) -> anyhow::Result<()> {
    let ctx = g.context()?;
    let credential = ctx.credential(Item::JwtKeysApiKey, Service::JwtKeys)?;
    let keys = ctx.jwt_keys(&credential);
    match command {
        KeysCommand::List => {
            let list = keys.list_all().await?;
            if g.json {
                return output::json(&list);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|k| {
                    vec![
                        k.id.clone(),
                        k.name.clone(),
                        output::time(k.created_time),
                        k.created_by.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            output::table(&["id", "name", "created", "by"], &rows);
        }
        KeysCommand::Show { id } => {
            let key = keys.get(&id).await?;
            if g.json {
                return output::json(&key);
            }
            println!(
                "id:      {}\nname:    {}\ncreated: {} by {}\nupdated: {} by {}\n\n{}",
                key.id,
                key.name,
                output::time(key.created_time),
                key.created_by.as_deref().unwrap_or("-"),
                output::time(key.updated_time),
                key.updated_by.as_deref().unwrap_or("-"),
                key.public_key.trim_end()
            );
        }
        KeysCommand::Delete { id, yes } => {
            if !yes
                && !super::confirm(&format!(
                    "Delete JWT key {id}? Videos whose JWTs it signed will stop playing."
                ))?
            {
                return Err(
                    Error::new(portal_core::ErrorCode::Cancelled, "Nothing was deleted.").into(),
                );
            }
            keys.delete(&id).await?;
            if g.json {
                return output::json(&json!({"id": id, "deleted": true}));
            }
            eprintln!("Deleted {id}.");
        }
    }
    Ok(())
}
