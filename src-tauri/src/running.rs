//! The one long task of a kind under way (a key generation, a leak sweep):
//! a second one is refused while it runs, and Cancel reaches the first
//! through the handle it was started with (its cancel flag or progress).

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use portal_core::{Error, Result};

/// The handle of the task under way, if one is.
pub struct Running<T>(Mutex<Option<Arc<T>>>);

impl<T> Default for Running<T> {
    fn default() -> Self {
        Self(Mutex::new(None))
    }
}

impl<T> Running<T> {
    fn slot(&self) -> MutexGuard<'_, Option<Arc<T>>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `work` as the task under way, `handle` its handle; refused (a
    /// validation error saying `busy`) while another runs.
    pub async fn run<R>(
        &self,
        handle: Arc<T>,
        busy: &str,
        work: impl Future<Output = Result<R>>,
    ) -> Result<R> {
        {
            let mut slot = self.slot();
            if slot.is_some() {
                return Err(Error::validation(busy));
            }
            *slot = Some(handle);
        }
        let done = work.await;
        *self.slot() = None;
        done
    }

    /// Calls `f` with the handle of the task under way, if one is.
    pub fn with_current(&self, f: impl FnOnce(&T)) {
        if let Some(handle) = self.slot().as_ref() {
            f(handle);
        }
    }

    #[cfg(test)]
    pub fn is_running(&self) -> bool {
        self.slot().is_some()
    }
}
