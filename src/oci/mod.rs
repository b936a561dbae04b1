//! The OCI door: config.json bundles and the runc command line engines drive runtimes with.
pub mod cli;
pub mod cmd;
pub mod config;
mod exec;
mod manage;
mod ps;
mod resources;
pub mod template;
