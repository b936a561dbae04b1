//! Container paths to descriptors: every lookup under the container's root goes through here.
//!
//! A path is resolved by the kernel with the root as `/` (openat2 RESOLVE_IN_ROOT: a symlink,
//! absolute or full of `..`, leads somewhere inside the root, never out of it; magic links such
//! as /proc/self/fd/N are refused). What is missing is created one component at a time, each
//! relative to a descriptor of its parent reopened the same way, by calls that never follow
//! their last component. A dangling symlink met on the way is followed by hand: its target is
//! put in its place and the walk starts again, so what it names is created inside the root,
//! as runc and crun do (an image's /etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf
//! under a file volume).

use crate::cstr::cstr;
use crate::error::{cat, Error, OrSys, Result};
use crate::sys::fs::{self, O_CREAT, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS};
use crate::sys::{Errno, Fd};
use alloc::ffi::CString;
use alloc::string::String;

/// How many dangling symlinks one path may go through (the kernel's own limit for a lookup).
const MAX_LINKS: u32 = 40;

/// Opens (O_PATH) the absolute container path `path` with every symlink resolved as if `root`
/// were `/`, creating missing components (directories, and a file for a file volume's last one)
/// when `may_create`.
pub fn resolve_in_root(root: &Fd, path: &str, is_dir: bool, may_create: bool) -> Result<Fd> {
    // The path without empty and "." components: "a/b/c".
    let mut full = String::new();
    for comp in path.split('/').filter(|c| !c.is_empty() && *c != ".") {
        if comp == ".." {
            return Err(Error::msg("'..' is not allowed in a target"));
        }
        push(&mut full, comp);
    }
    if full.is_empty() {
        return Err(Error::msg("cannot mount over the container's /"));
    }
    match open_in(root, &full) {
        Ok(fd) => return Ok(fd),
        Err(Errno::ENOENT) if may_create => {}
        Err(Errno::ENOENT) => return Err(Error::sys(Errno::ENOENT, "target")),
        Err(Errno::ENOSYS) => return Err(Error::msg("resolving targets inside the rootfs needs openat2 (Linux 5.6)")),
        Err(e) => return Err(Error::sys(e, "open target")),
    }
    let mut links = 0;
    loop {
        match create_path(root, &full, is_dir)? {
            Walk::Done(fd) => return Ok(fd),
            Walk::Link(next) if links < MAX_LINKS => {
                links += 1;
                full = next;
            }
            Walk::Link(_) => return Err(Error::sys(Errno::ELOOP, cat(&["create /", &full]))),
        }
    }
}

/// The end of one walk down a path.
enum Walk {
    Done(Fd),
    /// A dangling symlink was met: the path to walk instead, its target in its place.
    Link(String),
}

/// Walks down `full` ("a/b/c", relative to the root), creating what is missing. Each level is
/// reopened through RESOLVE_IN_ROOT, so a symlink that resolves is followed inside the root.
#[inline(never)]
fn create_path(root: &Fd, full: &str, is_dir: bool) -> Result<Walk> {
    let mut dir = open_in(root, ".").map_err(|e| Error::sys(e, "open rootfs"))?;
    let mut end = 0;
    for comp in full.split('/') {
        let parent = full.get(..end.max(1) - 1).unwrap_or_default();
        end += comp.len();
        let prefix = full.get(..end).unwrap_or_default();
        end += 1;
        dir = match open_in(root, prefix) {
            Ok(fd) => fd,
            // Only a component that is missing is made: a `..` (from a link's target) is never
            // missing, its directory having been made or opened just before.
            Err(Errno::ENOENT) if comp == ".." => {
                return Err(Error::sys_owned(Errno::ENOENT, cat(&["open /", prefix])))
            }
            Err(Errno::ENOENT) => {
                let name = cstr(comp)?;
                let shown = cat(&["/", prefix]);
                let made = if end > full.len() && !is_dir {
                    fs::openat(dir.raw(), &name, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW, 0o644).map(drop)
                } else {
                    fs::mkdirat(dir.raw(), &name, 0o755)
                };
                match made {
                    Ok(()) => {}
                    // Something is there that does not resolve: a dangling symlink.
                    Err(Errno::EEXIST) => {
                        if let Some(target) = link_target(&dir, &name).or_op("readlink", &shown)? {
                            let rest = full.get(end..).unwrap_or_default();
                            return Ok(Walk::Link(relink(parent, &target, rest)));
                        }
                        // Not a symlink: made by someone else since; it is looked up below.
                    }
                    Err(e) => return Err(Error::op(e, "create", &shown)),
                }
                open_in(root, prefix).or_op("open", &shown)?
            }
            Err(e) => return Err(Error::sys_owned(e, cat(&["open /", prefix]))),
        };
    }
    Ok(Walk::Done(dir))
}

/// openat2 of `path` in `root` (O_PATH) with the root as `/`. EAGAIN, which the kernel returns
/// when a rename raced a `..` of the lookup, is retried.
fn open_in(root: &Fd, path: &str) -> core::result::Result<Fd, Errno> {
    let p = CString::new(path).map_err(|_| Errno::EINVAL)?;
    let mut tries = 0;
    loop {
        match fs::openat2(root.raw(), &p, O_PATH, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) {
            Err(Errno::EAGAIN) if tries < 8 => tries += 1,
            other => return other,
        }
    }
}

/// The target of `name` in `dir` when it is a symlink; None when it is anything else.
fn link_target(dir: &Fd, name: &CString) -> core::result::Result<Option<String>, Errno> {
    let entry = fs::openat(dir.raw(), name, O_PATH | O_NOFOLLOW, 0)?;
    let (mode, _) = fs::mode_rdev(entry.raw())?;
    if mode & fs::S_IFMT != linux_raw_sys::general::S_IFLNK {
        return Ok(None);
    }
    // A target that is not UTF-8 cannot name anything runt was asked to create.
    String::from_utf8(fs::readlink_fd(entry.raw())?).map(Some).map_err(|_| Errno::EINVAL)
}

/// The path to walk when the symlink in `parent` points at `target` and `rest` is left: the
/// target taken from the root (absolute) or from `parent` (relative). Its own `..` cancel its
/// own components; those left over stay for the kernel, which resolves them inside the root
/// from wherever `parent` really is.
fn relink(parent: &str, target: &str, rest: &str) -> String {
    let mut out = String::new();
    if !target.starts_with('/') {
        out.push_str(parent);
    }
    let kept = out.len();
    for comp in target.split('/').filter(|c| !c.is_empty() && *c != ".") {
        if comp == ".." && out.len() > kept && !out.ends_with("..") {
            out.truncate(out.bytes().rposition(|b| b == b'/').filter(|&i| i >= kept).unwrap_or(kept));
        } else {
            push(&mut out, comp);
        }
    }
    for comp in rest.split('/').filter(|c| !c.is_empty()) {
        push(&mut out, comp);
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Appends a component to a relative path.
fn push(path: &mut String, comp: &str) {
    if !path.is_empty() {
        path.push('/');
    }
    path.push_str(comp);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::fs::{CWD, O_DIRECTORY};
    use std::os::unix::fs::symlink;

    /// A scratch rootfs under the temp directory (unit tests need no root for this).
    fn scratch(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("runt-unit-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn open_root(d: &std::path::Path) -> Fd {
        fs::openat(CWD, &cstr(d.to_str().unwrap()).unwrap(), O_PATH | O_DIRECTORY, 0).unwrap()
    }

    #[test]
    fn targets_are_created_inside_the_root_even_through_hostile_symlinks() {
        let d = scratch("resolve");
        symlink("/", d.join("etc")).unwrap();
        symlink("../../../../..", d.join("up")).unwrap();
        let root = open_root(&d);
        resolve_in_root(&root, "/etc/runt-x/y", true, true).unwrap();
        resolve_in_root(&root, "/up/runt-z", false, true).unwrap();
        // Both land below the rootfs, where the symlinks point when / is the rootfs.
        assert!(d.join("runt-x/y").is_dir());
        assert!(d.join("runt-z").is_file());
        assert!(!std::path::Path::new("/runt-x").exists());
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn dangling_symlinks_are_followed_inside_the_root() {
        let d = scratch("dangling");
        std::fs::create_dir(d.join("etc")).unwrap();
        // An image's resolv.conf pointing into a /run that is not there yet.
        symlink("../run/systemd/resolve/stub-resolv.conf", d.join("etc/resolv.conf")).unwrap();
        symlink("/nowhere", d.join("dangling")).unwrap();
        symlink("/../../../host-escape", d.join("escape")).unwrap();
        symlink("a/../b/./c", d.join("dotted")).unwrap();
        symlink("loop2", d.join("loop1")).unwrap();
        symlink("loop1", d.join("loop2")).unwrap();
        let root = open_root(&d);
        resolve_in_root(&root, "/etc/resolv.conf", false, true).unwrap();
        assert!(d.join("run/systemd/resolve/stub-resolv.conf").is_file());
        assert!(d.join("etc/resolv.conf").is_symlink(), "the link stays");
        resolve_in_root(&root, "/dangling/x", true, true).unwrap();
        assert!(d.join("nowhere/x").is_dir());
        resolve_in_root(&root, "/escape/y", true, true).unwrap();
        assert!(d.join("host-escape/y").is_dir(), "`..` above the root stays at the root");
        assert!(!std::path::Path::new("/host-escape").exists());
        resolve_in_root(&root, "/dotted", true, true).unwrap();
        assert!(d.join("b/c").is_dir() && !d.join("a").exists());
        let e = resolve_in_root(&root, "/loop1/z", true, true).unwrap_err();
        assert_eq!(e.errno, Some(Errno::ELOOP));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn relinking() {
        assert_eq!(relink("etc", "../run/x", "y"), "etc/../run/x/y");
        assert_eq!(relink("etc", "/run/x", ""), "run/x");
        assert_eq!(relink("a/b", "c/../../d", "e/f"), "a/b/../d/e/f");
        assert_eq!(relink("", "/", ""), ".");
        assert_eq!(relink("a", "./b//c/", ""), "a/b/c");
    }

    #[test]
    fn bad_targets() {
        let d = scratch("bad");
        let root = open_root(&d);
        assert!(resolve_in_root(&root, "/", true, true).is_err());
        assert!(resolve_in_root(&root, "/a/../b", true, true).is_err());
        let missing = resolve_in_root(&root, "/nope", true, false).unwrap_err();
        assert_eq!(missing.errno, Some(Errno::ENOENT));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
