//! The `runt run` door: docker-like flags parsed into `RunArgs` (cli.rs), then mapped onto the
//! one `Spec` (spec.rs). The core knows nothing of it.
pub mod cli;
pub mod spec;
