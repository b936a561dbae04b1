//! A small JSON reader for config.json (being written).
