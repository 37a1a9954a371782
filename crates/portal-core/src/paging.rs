//! The checks every "all pages" loop makes, so that a broken or hostile
//! server cannot make a list loop for ever, return a row twice or end early
//! without saying so: a cursor or next link seen before (including one that
//! does not advance), a page with ids already returned, rows well past the
//! total the server announced, and more than [`MAX_PAGES`] pages are each a
//! `bad_response` naming the service and what it did. Nothing partial is
//! returned.

use std::collections::HashSet;

use crate::error::{Error, ErrorCode, Result};
use crate::service::Service;

/// Pages one list may take; past it the list is an error, never truncated.
pub const MAX_PAGES: u32 = 10_000;

/// Follows one list's pages.
pub(crate) struct Pages {
    service: Service,
    cursors: HashSet<String>,
    ids: HashSet<String>,
    /// The largest total a page announced.
    announced: Option<u64>,
    /// The largest page seen, the slack allowed past `announced` (rows
    /// added while the list is read).
    largest_page: u64,
    pages: u32,
}

impl Pages {
    /// The errors say what the service did; the caller says what was
    /// being listed (`Error::during`).
    pub(crate) fn new(service: Service) -> Self {
        Self {
            service,
            cursors: HashSet::new(),
            ids: HashSet::new(),
            announced: None,
            largest_page: 0,
            pages: 0,
        }
    }

    fn error(&self, message: String) -> Error {
        Error::new(ErrorCode::BadResponse, message)
            .with_service(self.service)
            .with_hint(
                "The service's paging is inconsistent: try again, and if it keeps happening report it to the service (quote the request id).",
            )
    }

    /// Records the cursor (or next link) about to be followed: one seen
    /// before, the current one included, is an error.
    pub(crate) fn follow(&mut self, cursor: &str) -> Result<()> {
        if !self.cursors.insert(cursor.to_owned()) {
            return Err(self.error(format!(
                "{} gave a next-page {} it had already given (after {} pages); \
                 stopped rather than loop or list rows twice.",
                self.service.label(),
                if cursor.contains("://") {
                    "link"
                } else {
                    "cursor"
                },
                self.pages
            )));
        }
        Ok(())
    }

    /// Takes one page's rows: an id already returned, rows well past the
    /// announced total or too many pages is an error. `total` is what this
    /// page announced, if anything (0 counts as nothing).
    pub(crate) fn take<T>(
        &mut self,
        rows: Vec<T>,
        id: impl Fn(&T) -> &str,
        total: Option<u64>,
    ) -> Result<Vec<T>> {
        self.pages += 1;
        if self.pages > MAX_PAGES {
            return Err(self.error(format!(
                "{} gave more than {MAX_PAGES} pages; stopped rather than return part of the list.",
                self.service.label()
            )));
        }
        for row in &rows {
            if !self.ids.insert(id(row).to_owned()) {
                return Err(self.error(format!(
                    "page {} from {} repeats {} already returned; the list changed while it was read, \
                     or the service repeats pages.",
                    self.pages,
                    self.service.label(),
                    id(row)
                )));
            }
        }
        self.largest_page = self.largest_page.max(rows.len() as u64);
        if let Some(t) = total.filter(|t| *t > 0) {
            self.announced = Some(self.announced.map_or(t, |a| a.max(t)));
        }
        if let Some(announced) = self.announced {
            let seen = self.ids.len() as u64;
            if seen > announced.saturating_add(self.largest_page) {
                return Err(self.error(format!(
                    "{} gave {seen} rows in {} pages but announced {announced} in all; \
                     stopped rather than follow it further.",
                    self.service.label(),
                    self.pages
                )));
            }
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_cursor_seen_before_is_an_error() {
        let mut p = Pages::new(Service::VaultStream);
        p.follow("a").unwrap();
        p.follow("b").unwrap();
        let e = p.follow("a").unwrap_err();
        assert_eq!(e.code, ErrorCode::BadResponse);
        assert!(e.message.contains("already given"), "{}", e.message);
    }

    #[test]
    fn a_repeated_id_is_an_error() {
        let mut p = Pages::new(Service::JwtKeys);
        p.take(ids(&["1", "2"]), |s| s, None).unwrap();
        let e = p.take(ids(&["3", "2"]), |s| s, None).unwrap_err();
        assert!(e.message.contains("repeats 2"), "{}", e.message);
    }

    #[test]
    fn rows_well_past_the_announced_total_are_an_error() {
        let mut p = Pages::new(Service::Vault);
        p.take(ids(&["1", "2"]), |s| s, Some(3)).unwrap();
        // One page of slack: rows added while the list was read.
        p.take(ids(&["3", "4"]), |s| s, Some(3)).unwrap();
        let e = p.take(ids(&["5", "6"]), |s| s, Some(3)).unwrap_err();
        assert!(e.message.contains("announced 3"), "{}", e.message);
        // 0 announces nothing.
        let mut p = Pages::new(Service::Vault);
        for i in 0..10 {
            p.take(vec![i.to_string()], |s| s, Some(0)).unwrap();
        }
    }
}
