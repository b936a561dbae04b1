//! OCI hooks: programs run at points of the container's life with its state as JSON on stdin.

use crate::error::{Error, OrSys, Result};
use crate::oci::write::Object;
use crate::rootfs::cstr;
use crate::spec::{Hook, Spec};
use crate::sys::{fs, process};
use alloc::ffi::CString;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// The OCI state of `spec`'s container as hooks receive it.
pub fn state_json(spec: &Spec, pid: i32, status: &str) -> String {
    let mut ann = Object::new();
    for (k, v) in &spec.oci.annotations {
        ann = ann.str(k, v);
    }
    Object::new()
        .str("ociVersion", &spec.oci.version)
        .str("id", &spec.name)
        .str("status", status)
        .num("pid", i64::from(pid))
        .str("bundle", &spec.oci.bundle)
        .raw("annotations", &ann.finish())
        .finish()
}

/// Runs `hooks` in order; the first failure stops them. `stage` names them in errors.
pub fn run_all(hooks: &[Hook], state: &str, stage: &str) -> Result<()> {
    hooks.iter().try_for_each(|h| run(h, state).map_err(|e| e.context(&format!("{stage} hook {}", h.path))))
}

fn run(hook: &Hook, state: &str) -> Result<()> {
    let path = cstr(&hook.path)?;
    let args: Vec<CString> = if hook.args.is_empty() {
        alloc::vec![path.clone()]
    } else {
        hook.args.iter().map(|a| cstr(a)).collect::<Result<_>>()?
    };
    let env = hook.env.iter().map(|e| cstr(e)).collect::<Result<Vec<_>>>()?;
    let ptrs = |v: &[CString]| -> Vec<*const u8> {
        v.iter().map(|c| c.as_ptr().cast::<u8>()).chain(core::iter::once(core::ptr::null())).collect()
    };
    let (argv, envp) = (ptrs(&args), ptrs(&env));
    let (r, w) = fs::pipe().or_sys(|| "pipe".into())?;
    let pid = process::clone_fork(0).or_sys(|| "fork".into())?;
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
        let (p, raw) = process::wait4(pid, limit_ms.is_some()).or_sys(|| "wait".into())?;
        if p == pid {
            return match crate::launch::exit_status(raw) {
                0 => Ok(()),
                n => Err(Error::msg(format!("exit status {n}"))),
            };
        }
        if limit_ms.is_some_and(|l| waited >= l) {
            let _ = process::kill(pid, process::SIGKILL);
            let _ = process::wait4(pid, false);
            return Err(Error::msg(format!("timed out after {} s", hook.timeout.unwrap_or_default())));
        }
        process::sleep_ms(10);
        waited += 10;
    }
}
