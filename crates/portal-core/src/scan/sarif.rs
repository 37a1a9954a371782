//! A sweep's report as SARIF 2.1.0 (what code-scanning services read): one
//! rule per [`FindingKind`], one result per finding, with the masked value
//! in the message and never the value itself.

use serde_json::{json, Value};

use super::{FindingKind, ScanReport};

const KINDS: [FindingKind; 3] = [
    FindingKind::VaultstreamToken,
    FindingKind::PrivateKey,
    FindingKind::StoredCredential,
];

fn rule(kind: FindingKind) -> Value {
    let (short, help) = match kind {
        FindingKind::VaultstreamToken => (
            "A VaultStream API or session token in the open",
            "Revoke the token (or rotate it) and keep tokens in a secrets manager, not in files.",
        ),
        FindingKind::PrivateKey => (
            "A private key in the open",
            "Delete the JWT key it signs for, upload a new one, and remove the file from history.",
        ),
        FindingKind::StoredCredential => (
            "A credential Partner Portal stores, in the open",
            "Replace the credential (revoke or rotate it at its service) and remove it from the file.",
        ),
    };
    json!({
        "id": kind.id(),
        "name": kind.describe(),
        "shortDescription": { "text": short },
        "help": { "text": help },
        "defaultConfiguration": { "level": "error" },
    })
}

/// The SARIF 2.1.0 log of `report` (`version` is the portal's).
pub fn to_sarif(report: &ScanReport, version: &str) -> Value {
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let mut result = json!({
                "ruleId": f.kind.id(),
                "ruleIndex": KINDS.iter().position(|k| *k == f.kind).unwrap_or(0),
                "level": "error",
                "message": { "text": format!("{} ({})", f.matches, f.masked) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.path) },
                        "region": { "startLine": f.line, "startColumn": f.column },
                    }
                }],
            });
            if let Some(commit) = &f.commit {
                result["properties"] = json!({ "commit": commit });
            }
            result
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "portal scan",
                    "version": version,
                    "rules": KINDS.iter().map(|k| rule(*k)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// A relative path as a URI reference: `/` separators, each segment
/// percent-encoded.
fn uri(path: &str) -> String {
    path.replace('\\', "/")
        .split('/')
        .map(|seg| {
            percent_encoding::utf8_percent_encode(seg, percent_encoding::NON_ALPHANUMERIC)
                .to_string()
                .replace("%2E", ".")
                .replace("%2D", "-")
                .replace("%5F", "_")
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Finding;

    #[test]
    fn results_name_the_rule_the_place_and_the_masked_value() {
        let report = ScanReport {
            findings: vec![Finding {
                path: "dir one/.env".into(),
                line: 3,
                column: 7,
                commit: Some("abc123".into()),
                kind: FindingKind::PrivateKey,
                matches: "private half of JWT key Web (key_1)".into(),
                masked: "-----BEGIN PRIVATE KEY-----…".into(),
                profile: None,
                token_id: None,
                key_id: Some("key_1".into()),
                local_key_id: None,
                live: None,
                held: Default::default(),
            }],
            ..ScanReport::default()
        };
        let log = to_sarif(&report, "1.2.3");
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "private-key");
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "private-key");
        let loc = &result["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "dir%20one/.env");
        assert_eq!(loc["region"]["startLine"], 3);
        assert_eq!(loc["region"]["startColumn"], 7);
        assert_eq!(result["properties"]["commit"], "abc123");
    }
}
