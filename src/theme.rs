//! Theme.
