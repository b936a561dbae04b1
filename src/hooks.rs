//! OCI hooks: programs run at points of the container's life with its state as JSON on stdin.

use crate::cstr::{cstr, cstrs, ptrs};
use crate::error::{cat, dec, dec_i, Error, OrSys, Result};
use crate::json::{self, Object};
use crate::spec::{Hook, Spec};
use crate::sys::{fs, process};
use alloc::string::String;

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

/// Runs `hooks` in order; the first failure stops them. `stage` names them in errors.
pub fn run_all(hooks: &[Hook], state: &str, stage: &str) -> Result<()> {
    for h in hooks {
        run(h, state).map_err(|e| e.context(&cat(&[stage, " hook ", &h.path])))?;
    }
    Ok(())
}

#[inline(never)]
fn run(hook: &Hook, state: &str) -> Result<()> {
    let path = cstr(&hook.path)?;
    let args = cstrs(if hook.args.is_empty() { core::slice::from_ref(&hook.path) } else { &hook.args })?;
    let env = cstrs(&hook.env)?;
    let (argv, envp) = (ptrs(&args), ptrs(&env));
    let (r, w) = fs::pipe().or_what("pipe")?;
    let pid = process::clone_fork(0).or_what("fork")?;
    if pid == 0 {
        drop(w);
        let _ = process::dup2(r.raw(), 0);
        let e = process::execve(&path, &argv, &envp);
        process::exit(if e == crate::sys::Errno::ENOENT { 127 } else { 126 });
    }
    drop(r);
    // A hook that does not read its stdin must not block runt: a pipe holds far more than a state.
    let _ = fs::write_all(w.raw(), state.as_bytes());
    drop(w);
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
