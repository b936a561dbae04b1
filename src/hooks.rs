//! OCI hooks: programs run at points of the container's life with its state as JSON on stdin.

use crate::cstr::{cstr, cstrs, ptrs};
use crate::error::{cat, dec, dec_i, Error, OrSys, Result};
use crate::json::{self, Object};
use crate::spec::{Hook, Spec};
use crate::sys::signal::{self, SigSet};
use crate::sys::{fs, process};
use alloc::string::String;

const SIGPIPE: u32 = 13;

/// The OCI state of `spec`'s container as hooks receive it.
pub fn state_json(spec: &Spec, pid: i32, status: &str) -> String {
    Object::new()
        .str("ociVersion", &spec.oci.version)
        .str("id", &spec.name)
        .str("status", status)
        .num("pid", i64::from(pid))
        .str("bundle", &spec.oci.bundle)
        .raw("annotations", &json::pairs(&spec.oci.annotations))
        .finish()
}

/// Runs `hooks` in order; the first failure stops them, and the container with them. `stage`
/// names them in errors. A hook without an environment of its own gets `env` (None: runt's, as
/// runc and crun give it).
pub fn run_all(hooks: &[Hook], state: &str, stage: &str, env: Option<&[String]>) -> Result<()> {
    for h in hooks {
        run(h, state, env).map_err(|e| e.context(&cat(&[stage, " hook ", &h.path])))?;
    }
    Ok(())
}

/// Runs every one of `hooks` (poststart and poststop: the container runs, or is gone), whatever
/// the others do, as the spec asks; each failure is a warning.
pub fn run_each(hooks: &[Hook], state: &str, stage: &str, warn: &mut dyn FnMut(&str)) {
    for h in hooks {
        if let Err(e) = run_all(core::slice::from_ref(h), state, stage, None) {
            warn(&e.render());
        }
    }
}

#[inline(never)]
fn run(hook: &Hook, state: &str, env: Option<&[String]>) -> Result<()> {
    let path = cstr(&hook.path)?;
    let args = cstrs(if hook.args.is_empty() { core::slice::from_ref(&hook.path) } else { &hook.args })?;
    let list = if hook.env.is_empty() { env } else { Some(hook.env.as_slice()) };
    let own = cstrs(list.unwrap_or_default())?;
    let envp = if list.is_none() { crate::sys::rt::environment() } else { ptrs(&own) };
    let argv = ptrs(&args);
    let (r, w) = fs::pipe().or_what("pipe")?;
    let pid = process::clone_fork(0).or_what("fork")?;
    if pid == 0 {
        // As a process of its own: only the state on stdin, stdout and stderr open (whatever
        // runt inherited stays with runt), no signal blocked.
        drop(w);
        let _ = process::dup2(r.raw(), 0);
        let _ = crate::fds::close_all_but(0, &[]);
        let _ = signal::set_mask(SigSet(0));
        let e = process::execve(&path, &argv, &envp);
        process::exit(if e == crate::sys::Errno::ENOENT { 127 } else { 126 });
    }
    drop(r);
    // A hook need not read its state: one that exits first leaves a broken pipe (EPIPE), which
    // must not kill runt with SIGPIPE, whatever command runs the hook. A pipe holds far more than
    // a state usually is, so a hook that does not read does not block runt either.
    let mask = signal::block(SigSet::of(&[SIGPIPE]));
    let _ = fs::write_all(w.raw(), state.as_bytes());
    drop(w);
    if let Ok(old) = mask {
        signal::discard(SigSet::of(&[SIGPIPE]));
        let _ = signal::set_mask(old);
    }
    let limit_ms = hook.timeout.map(|t| u64::from(t) * 1000);
    let mut waited = 0u64;
    loop {
        let (p, raw) = process::wait4(pid, limit_ms.is_some()).or_what("wait")?;
        if p == pid {
            return match process::exit_status(raw) {
                0 => Ok(()),
                n => Err(Error::cat(&["exit status ", &dec_i(n.into())])),
            };
        }
        if limit_ms.is_some_and(|l| waited >= l) {
            let _ = process::kill(pid, process::SIGKILL);
            let _ = process::wait4(pid, false);
            return Err(Error::cat(&["timed out after ", &dec(hook.timeout.unwrap_or_default().into()), " s"]));
        }
        process::sleep_ms(10);
        waited += 10;
    }
}
