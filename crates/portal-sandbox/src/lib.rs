//! Local sandbox implementing the three APIs the portal speaks.
