//! `portal calendar --ics FILE` against the sandbox: one event per token
//! that expires and per rotation reminder, alarms 30/14/7/1 days before,
//! UIDs stable across exports. The file is read back with the `ical` crate,
//! a parser independent of the writer.

use std::collections::BTreeMap;

use crate::support::{stderr, Env};

/// UID → (SUMMARY, DTSTART, alarm TRIGGERs) of each event in `path`.
fn events(path: &std::path::Path) -> BTreeMap<String, (String, String, Vec<String>)> {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let mut out = BTreeMap::new();
    for calendar in ical::IcalParser::new(file) {
        let calendar = calendar.unwrap();
        for event in calendar.events {
            let prop = |name: &str| {
                event
                    .properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            let triggers = event
                .alarms
                .iter()
                .flat_map(|a| a.properties.iter().filter(|p| p.name == "TRIGGER"))
                .filter_map(|p| p.value.clone())
                .collect();
            out.insert(prop("UID"), (prop("SUMMARY"), prop("DTSTART"), triggers));
        }
    }
    out
}

/// A token of the active profile made with `args`: its id.
fn created_id(env: &Env, args: &[&str]) -> String {
    env.create_token(args)["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn one_event_per_expiry_and_reminder_with_alarms_and_stable_uids() {
    let env = Env::start().await;
    env.stored_profile("Prod EU", "production", false);
    let expiring = |name, scope, days| {
        let args = ["--name", name, "--scope", scope, "--expires-in", days];
        created_id(&env, &args)
    };
    let soon = expiring("ci", "content:read", "10d");
    let forever = [
        "--name",
        "forever",
        "--scope",
        "content:read",
        "--no-expiry",
    ];
    created_id(&env, &forever);
    let old = expiring("ingest", "content:write", "90d");
    // Rotated without revoking: the old token gets a reminder.
    let out = env.run(&["tokens", "rotate", &old, "--json"], &[]);
    assert!(out.status.success(), "{}", stderr(&out));

    let first = env.data.path().join("first.ics");
    let out = env.run(&["calendar", "--ics", first.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let got = events(&first);
    let slug = "prod-eu";
    let expiry = |id: &str| {
        format!(
            "token-expiry.{}.{slug}@partner-portal",
            id.to_ascii_lowercase().replace('_', "-")
        )
    };
    // The two tokens with an expiry (the old one and its replacement have
    // one each) and the reminder; none for the token without expiry.
    let summaries: Vec<&str> = got.values().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(got.len(), 4, "{summaries:?}");
    assert!(got.contains_key(&expiry(&soon)), "{:?}", got.keys());
    assert!(got.contains_key(&expiry(&old)), "{:?}", got.keys());
    let rotation = format!(
        "rotation.{}.{slug}@partner-portal",
        old.to_ascii_lowercase().replace('_', "-")
    );
    assert_eq!(got[&rotation].0, "Revoke the rotated token 'ingest'");
    assert!(!summaries.iter().any(|s| s.contains("forever")));
    for (uid, (_, start, triggers)) in &got {
        assert_eq!(triggers, &["-P30D", "-P14D", "-P7D", "-P1D"], "{uid}");
        assert!(start.ends_with('Z') && start.len() == 16, "{uid}: {start}");
    }

    // Exported again: the same UIDs, so a calendar updates its events.
    let second = env.data.path().join("second.ics");
    let out = env.run(&["calendar", "--ics", second.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        events(&second).keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>()
    );
}
