//! How a VaultStream token is used, as the documents show it: the usage
//! snippets the reveal dialog offers and the text each copy puts on the
//! clipboard (`{{TOKEN}}` filled in). Kept apart from the client: nothing
//! here talks to a service.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::secret::Secret;

/// How to use a token, as in the VaultStream documents. `{{TOKEN}}` stands
/// for the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CopyWhat {
    Token,
    Curl,
    Python,
    Javascript,
}

pub const TOKEN_PLACEHOLDER: &str = "{{TOKEN}}";

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Snippet {
    pub kind: CopyWhat,
    pub label: String,
    pub template: String,
}

pub fn usage_snippets(base_url: &str) -> Vec<Snippet> {
    let url = format!("{}/v1/content", base_url.trim_end_matches('/'));
    vec![
        Snippet {
            kind: CopyWhat::Curl,
            label: "curl".into(),
            template: format!("curl -H \"Authorization: Bearer {TOKEN_PLACEHOLDER}\" \\\n  {url}"),
        },
        Snippet {
            kind: CopyWhat::Python,
            label: "Python".into(),
            template: format!(
                "import requests\n\nheaders = {{\"Authorization\": \"Bearer {TOKEN_PLACEHOLDER}\"}}\nresp = requests.get(\"{url}\", headers=headers)"
            ),
        },
        Snippet {
            kind: CopyWhat::Javascript,
            label: "JavaScript".into(),
            template: format!(
                "const resp = await fetch(\"{url}\", {{\n  headers: {{ Authorization: `Bearer {TOKEN_PLACEHOLDER}` }}\n}});"
            ),
        },
    ]
}

/// The text to copy for `what`, with the value filled in.
pub fn fill(what: CopyWhat, base_url: &str, value: &Secret) -> Secret {
    match what {
        CopyWhat::Token => value.duplicate(),
        _ => {
            let template = usage_snippets(base_url)
                .into_iter()
                .find(|s| s.kind == what)
                .map(|s| s.template)
                .unwrap_or_default();
            Secret::new(template.replace(TOKEN_PLACEHOLDER, value.expose()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_fill_the_token_in() {
        let v = Secret::new("vst_live_abc");
        let curl = fill(CopyWhat::Curl, "https://api.cyfr.technology/", &v);
        assert_eq!(
            curl.expose(),
            "curl -H \"Authorization: Bearer vst_live_abc\" \\\n  https://api.cyfr.technology/v1/content"
        );
        assert_eq!(fill(CopyWhat::Token, "x", &v).expose(), "vst_live_abc");
        let py = fill(CopyWhat::Python, "https://a", &v);
        assert!(py
            .expose()
            .contains("{\"Authorization\": \"Bearer vst_live_abc\"}"));
        assert!(usage_snippets("https://a")
            .iter()
            .all(|s| s.template.contains(TOKEN_PLACEHOLDER)));
    }
}
