//! The use cases, once: every change a user can make from the app or the
//! CLI is one function here, under a module per concept. Each takes the
//! profile context and a [`Recorder`], records its own activity (so no shell
//! can forget to), and returns an [`Outcome`]: its value plus any warnings.
//! The shells only parse, call and present (the app's reveal handling and
//! progress events are UI mechanics and stay there).

pub mod activity;
pub mod assets;
pub mod calendar;
pub mod exec;
pub mod health;
pub mod key_rotation;
pub mod keys;
pub mod playback;
pub mod policy;
pub mod profiles;
pub mod retire;
pub mod scan;
pub mod secrets;
pub mod tokens;

use crate::activity::Action;
use crate::context::ProfileContext;
use crate::error::Result;

/// Where a use case records what it changed: the activity log, appended
/// with the shell's own way to reach the log's key (`via` is the shell's).
pub trait Recorder: Send + Sync {
    fn record(&self, profile: &str, action: Action, target: &str, summary: &str) -> Result<()>;
}

/// What a use case returns: its value, plus warnings about things that went
/// wrong after the change itself succeeded (the shell shows or logs them).
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Outcome<T> {
    pub value: T,
    pub warnings: Vec<String>,
}

impl<T> Outcome<T> {
    pub fn new(value: T) -> Self {
        Self {
            value,
            warnings: Vec::new(),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        Outcome {
            value: f(self.value),
            warnings: self.warnings,
        }
    }
}

/// Records a change that already happened. A failure to record it does not
/// undo it, so it is a warning, never an error.
pub(crate) fn record(
    recorder: &dyn Recorder,
    ctx: &ProfileContext,
    action: Action,
    target: &str,
    summary: &str,
    warnings: &mut Vec<String>,
) {
    record_as(
        recorder,
        &ctx.profile.name,
        action,
        target,
        summary,
        warnings,
    );
}

/// [`record`] for a use case without a profile context (a profile's own
/// use cases, the secrets backend): `profile` names the profile.
pub(crate) fn record_as(
    recorder: &dyn Recorder,
    profile: &str,
    action: Action,
    target: &str,
    summary: &str,
    warnings: &mut Vec<String>,
) {
    if let Err(e) = recorder.record(profile, action, target, summary) {
        warnings.push(format!(
            "could not append to the activity log: {}",
            e.message
        ));
    }
}

/// `portal … --profile 'NAME'`, quoted for a shell: a finding's fix,
/// printed in full.
pub(crate) fn cli(command: &str, profile: &str) -> String {
    format!(
        "portal {command} --profile '{}'",
        profile.replace('\'', r"'\''")
    )
}
