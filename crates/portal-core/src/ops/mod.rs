//! The use cases a user can trigger, one function each, shared by the app
//! and the `portal` CLI (issue 14). A use case takes the profile context and
//! an activity [`Recorder`], records its own change, and returns its outcome
//! with any warnings; the shells only parse and present.

use crate::activity::{Action, ActivityLog};
use crate::error::Result;
use crate::secrets::SecretStore;

pub mod keys;

// --- activity recorder (keys slice) ---------------------------------------

/// Where a use case records the change it made: the activity log, tagged
/// with the shell (`app` or `cli`).
pub trait Recorder: Send + Sync {
    fn record(&self, profile: &str, action: Action, target: &str, summary: &str) -> Result<()>;
}

/// The activity log in a data directory, keyed by `keys` when it can be.
pub struct LogRecorder<'a> {
    pub log: &'a ActivityLog,
    pub keys: Option<&'a dyn SecretStore>,
    /// `app` or `cli`.
    pub via: &'static str,
}

impl Recorder for LogRecorder<'_> {
    fn record(&self, profile: &str, action: Action, target: &str, summary: &str) -> Result<()> {
        self.log
            .append(self.keys, profile, action, target, summary, self.via)
            .map(|_| ())
    }
}

/// A use case's result and what the user should be told beside it.
#[derive(Debug)]
pub struct Outcome<T> {
    pub value: T,
    /// One sentence each (the change happened; these did not stop it).
    pub warnings: Vec<String>,
}

impl<T> Outcome<T> {
    pub fn new(value: T) -> Self {
        Self {
            value,
            warnings: Vec::new(),
        }
    }
}

/// Records a change that already happened: a failure to record it becomes a
/// warning, not an error.
pub(crate) fn record(
    recorder: &dyn Recorder,
    warnings: &mut Vec<String>,
    profile: &str,
    action: Action,
    target: &str,
    summary: &str,
) {
    if let Err(e) = recorder.record(profile, action, target, summary) {
        warnings.push(format!(
            "could not append to the activity log: {}",
            e.message
        ));
    }
}
