//! The OCI door: config.json bundles (issue 3). Being built; not wired into the CLI yet.
pub mod json;
