//! Partner Portal core.
