//! Deep links (issue 17 §4): the UI takes the links received (`crate::links`).

use portal_core::links::LinkOutcome;
use tauri::State;

use crate::links::DeepLinks;

/// The links received since the last call, each opened or refused (with why).
#[tauri::command]
pub fn take_deep_links(links: State<'_, DeepLinks>) -> Vec<LinkOutcome> {
    links.take()
}
