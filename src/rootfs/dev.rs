//! The container's /dev: the standard device nodes and links, and the nodes the spec asks for
//! (config.json's may lie anywhere in the root, fifos among them).
//!
//! The image decides what its /dev is (a directory, or a symlink to anywhere), and a second
//! container sharing the image's directory can change it at any moment. So /dev is opened inside
//! the root when the step runs (RESOLVE_IN_ROOT: a symlink leads somewhere inside the root, never
//! out of it), and every node, link and directory is made relative to that descriptor by a call
//! that does not follow its last component. Each node is then opened without following and
//! checked to be the device asked for.
//!
//! Without CAP_MKNOD (in a user namespace) the host's node is bound onto an empty file made in
//! its place. The host's node comes from a descriptor taken before the new root was staged: the
//! staging directory may be the host's /dev itself, and then `/dev/null` names the container's.

use super::resolve::resolve_in_root;
use crate::cstr::{cstr, NumPath};
use crate::error::{cat, Error, OrSys, Result};
use crate::security::devices;
use crate::sys::fs::{self, CWD, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY};
use crate::sys::fs::{RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS};
use crate::sys::mount::{self, MS_BIND};
use crate::sys::{Errno, Fd};
use alloc::vec::Vec;
use core::ffi::CStr;
use linux_raw_sys::general::{S_IFCHR, S_IFMT};

/// (name, major, minor) of the character devices every container gets, mode 0666.
const DEVICES: &[(&CStr, u32, u32)] =
    &[(c"null", 1, 3), (c"zero", 1, 5), (c"full", 1, 7), (c"random", 1, 8), (c"urandom", 1, 9), (c"tty", 5, 0)];

/// (target, name) of the symlinks in /dev.
const LINKS: &[(&CStr, &CStr)] = &[
    (c"/proc/self/fd", c"fd"),
    (c"/proc/self/fd/0", c"stdin"),
    (c"/proc/self/fd/1", c"stdout"),
    (c"/proc/self/fd/2", c"stderr"),
    (c"pts/ptmx", c"ptmx"),
];

/// The host's side of the nodes, opened while the host's paths still name the host's files.
pub struct HostNodes {
    /// The host's /dev, for the standard nodes.
    dev: Option<Fd>,
    /// The host node of each of the spec's device nodes (`Node::host`), in order.
    extra: Vec<Option<Fd>>,
}

impl HostNodes {
    /// Opens them; what is missing stays None: only a container that cannot mknod needs them,
    /// and says so when it does.
    pub fn open(extra: &[devices::Node]) -> HostNodes {
        let host = |path: &str| cstr(path).ok().and_then(|p| fs::openat(CWD, &p, O_PATH, 0).ok());
        HostNodes {
            dev: fs::openat(CWD, c"/dev", O_PATH | O_DIRECTORY, 0).ok(),
            // The host's paths are the user's to choose: a symlink among them is followed.
            extra: extra.iter().map(|n| host(&n.host)).collect(),
        }
    }
}

/// Makes the standard nodes and links and the spec's `extra` nodes in the container's /dev;
/// returns its /dev/null (checked to be 1:3), the source of every masked file.
#[inline(never)]
pub fn populate(root: &Fd, host: &mut HostNodes, extra: &[devices::Node]) -> Result<Fd> {
    let dev = fs::openat2(root.raw(), c"dev", O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)
        .or_op("open", "/dev")?;
    let mut null = None;
    for &(name, major, minor) in DEVICES {
        let mut from_host = || fs::openat(host.dev.as_ref().map_or(-1, Fd::raw), name, O_PATH | O_NOFOLLOW, 0);
        let shown = cat(&["/dev/", name.to_str().unwrap_or_default()]);
        let (node, _) = make_node(&dev, name, &shown, S_IFCHR | 0o666, dev_t(major, minor), &mut from_host)?;
        if null.is_none() {
            null = Some(node);
        }
    }
    for &(target, link) in LINKS {
        fs::symlinkat(target, dev.raw(), link).or_sys(|| cat(&["symlink /dev/", link.to_str().unwrap_or_default()]))?;
    }
    for (i, node) in extra.iter().enumerate() {
        // The pty multiplexer (5:2), which an engine lists with the host's devices for a
        // privileged container: runt's /dev/ptmx already leads to it, the container's own
        // devpts's (runc makes the same link in its place).
        if node.path == "/dev/ptmx" && node.mode & S_IFMT == S_IFCHR && (node.major, node.minor) == (5, 2) {
            continue;
        }
        let (parent, name) = crate::text::rsplit(&node.path, b'/').unwrap_or_default();
        // The parent is resolved inside the root, missing directories made on the way.
        let resolved;
        let dir = match parent {
            "" => root,
            _ => {
                resolved = resolve_in_root(root, parent, true, true)?;
                &resolved
            }
        };
        let mut from_host = || host.extra.get_mut(i).and_then(Option::take).ok_or(Errno::ENOENT);
        let name = cstr(name)?;
        let (_, made) = make_node(dir, &name, &node.path, node.mode, dev_t(node.major, node.minor), &mut from_host)?;
        // A node bound from the host keeps the host's owner: changing it would change the host's.
        if made && (node.uid, node.gid) != (0, 0) {
            fs::lchownat(dir.raw(), &name, node.uid, node.gid).or_op("chown", &node.path)?;
        }
    }
    null.ok_or_else(|| Error::msg("no /dev/null"))
}

/// The kernel's dev_t encoding for mknod and stat: minor's low byte, major, minor's high bits.
fn dev_t(major: u32, minor: u32) -> u64 {
    u64::from((minor & 0xff) | (major << 8) | ((minor & !0xff) << 12))
}

/// Creates the node `name` in `dir` (`mode`: type and permissions; the umask is 0 here) and
/// returns it, opened without following and checked; true when made, false when the node was
/// there already (the same type and device numbers: kept as it is, as the spec allows; anything
/// else there is an error) or the host's node (from `host`, checked the same way) was bound
/// there instead. `host` is a `dyn`: one copy of this function serves both kinds of node.
fn make_node(
    dir: &Fd,
    name: &CStr,
    shown: &str,
    mode: u32,
    rdev: u64,
    host: &mut dyn FnMut() -> core::result::Result<Fd, Errno>,
) -> Result<(Fd, bool)> {
    let e = match fs::mknodat(dir.raw(), name, mode, rdev) {
        Ok(()) => {
            let node = fs::openat(dir.raw(), name, O_PATH | O_NOFOLLOW, 0).or_op("open", shown)?;
            return Ok((check(node, mode, rdev, shown)?, true));
        }
        // The kernel says EEXIST before it checks the right to mknod: also without CAP_MKNOD.
        Err(Errno::EEXIST) => {
            let node = fs::openat(dir.raw(), name, O_PATH | O_NOFOLLOW, 0).or_op("open", shown)?;
            return Ok((check_existing(node, mode, rdev, shown)?, false));
        }
        Err(e) => e,
    };
    if e != Errno::EPERM {
        return Err(Error::op(e, "mknod", shown));
    }
    // Without CAP_MKNOD in the initial user namespace, borrow the host's node instead.
    let bind = || cat(&["bind ", shown, " from the host"]);
    let node = check(host().or_sys(bind)?, mode, rdev, shown).map_err(|e| e.context(&bind()))?;
    let spot = fs::openat(dir.raw(), name, O_CREAT | O_EXCL | O_NOFOLLOW | O_RDONLY, 0o666).or_op("create", shown)?;
    mount::mount(Some(&NumPath::fd(&node)), &NumPath::fd(&spot), None, MS_BIND, None).or_sys(bind)?;
    Ok((node, false))
}

/// `node` when it is the device `mode` and `rdev` name; else an error.
fn check(node: Fd, mode: u32, rdev: u64, shown: &str) -> Result<Fd> {
    match is_node(&node, mode, rdev, shown)? {
        true => Ok(node),
        false => Err(Error::cat(&[shown, " is not the device node made there (replaced on the way?)"])),
    }
}

/// `node`, found where one was to be made, when it is the node `mode` and `rdev` name.
fn check_existing(node: Fd, mode: u32, rdev: u64, shown: &str) -> Result<Fd> {
    match is_node(&node, mode, rdev, shown)? {
        true => Ok(node),
        false => Err(Error::cat(&[shown, " exists and is not the node asked for (type and device numbers)"])),
    }
}

/// Whether `node` has the type of `mode` and the device numbers `rdev`.
fn is_node(node: &Fd, mode: u32, rdev: u64, shown: &str) -> Result<bool> {
    let (is, is_rdev) = fs::mode_rdev(node.raw()).or_op("stat", shown)?;
    Ok(is & S_IFMT == mode & S_IFMT && is_rdev == rdev)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_numbers_encode_as_the_kernel_does() {
        use std::os::unix::fs::MetadataExt;
        assert_eq!(dev_t(1, 3), std::fs::metadata("/dev/null").unwrap().rdev());
        assert_eq!(dev_t(5, 0), 0x500);
        // What glibc's makedev gives for a major above 255 and a minor above 255.
        assert_eq!(dev_t(259, 0x12345), 0x1231_0345);
    }
}
