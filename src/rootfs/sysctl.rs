//! linux.sysctl (checked by the OCI door: only the container's own network and IPC namespaces'
//! settings), written through the procfs the builder mounted at the container's /proc and holds,
//! checked, as its descriptor: never through a path the container's root could steer. A setting
//! belongs to the namespace of the process that writes it, and this process is in the
//! container's namespaces already (made at clone, or joined by path before the root is built).

use crate::cstr::cstr;
use crate::error::{cat, Error, OrSys, Result};
use crate::sys::fs::{self, O_WRONLY, RESOLVE_BENEATH, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV};
use crate::sys::Fd;
use alloc::string::String;

/// Writes each (file below /proc/sys, value) through `proc`, the top of the container's procfs.
/// A key the kernel does not have here is an error (its file is missing), as with runc.
pub fn write(proc: Option<&Fd>, sysctl: &[(String, String)]) -> Result<()> {
    let proc = proc.ok_or_else(|| Error::msg("no procfs mounted at /proc to write them through"))?;
    // Below /proc/sys of that very mount: no symlink, no other mount on the way.
    let how = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    for (file, value) in sysctl {
        let path = cat(&["sys/", file]);
        let shown = || cat(&["/proc/", &path]);
        let fd = fs::openat2(proc.raw(), &cstr(&path)?, O_WRONLY, how).or_sys(|| cat(&["open ", &shown()]))?;
        fs::write_all(fd.raw(), value.as_bytes()).or_sys(|| cat(&["write ", value, " to ", &shown()]))?;
    }
    Ok(())
}
