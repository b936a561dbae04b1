//! The runtime's part in seccomp user notification (SCMP_ACT_NOTIFY): the listener of a
//! container process's filter goes to the agent listening at linux.seccomp.listenerPath, with the
//! container process state (runtime-spec config-linux.md, "The Container Process State").

use crate::error::{OrSys, Result};
use crate::hooks;
use crate::json::Object;
use crate::spec::Spec;
use crate::sys::{net, Fd};

/// Sends `listener` (of process `pid`, as runt sees it; the container `status`) to the agent:
/// one connection, one message with the state as JSON and the descriptor attached, then closed.
/// Failing to is an error, which ends the container (runtime-spec: "MUST generate an error").
pub fn hand_over(spec: &Spec, pid: i32, status: &str, listener: &Fd) -> Result<()> {
    // A listener comes only from a filter that notifies, which the config gives a path.
    let Some((path, metadata)) = &spec.oci.seccomp_listener else { return Ok(()) };
    let mut state = Object::new();
    state.str("ociVersion", &spec.oci.version).raw("fds", r#"["seccompFd"]"#).num("pid", pid.into());
    if let Some(m) = metadata {
        state.str("metadata", m);
    }
    let state = state.raw("state", &hooks::state_json(spec, pid, status)).finish();
    let agent = net::unix_connect(path.as_bytes()).or_op("connect to the seccomp agent at", path)?;
    net::send_fd(agent.raw(), state.as_bytes(), listener.raw()).or_op("send the seccomp listener to", path)
}
