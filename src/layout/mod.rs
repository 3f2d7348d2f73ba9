//! Layout: what goes where.
