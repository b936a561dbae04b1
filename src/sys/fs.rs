//! Files, directories and descriptors.

use super::{Fd, Result};
use core::ffi::CStr;
use linux_raw_sys::general as k;
use syscalls::{syscall, Sysno};

pub use k::{
    AT_REMOVEDIR, F_SEAL_GROW, F_SEAL_SEAL, F_SEAL_SHRINK, F_SEAL_WRITE, LOCK_EX, LOCK_NB, LOCK_SH, MFD_ALLOW_SEALING,
    MFD_CLOEXEC, MFD_EXEC, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_EXCL, O_NOCTTY, O_NOFOLLOW, O_NONBLOCK, O_PATH, O_RDONLY,
    O_RDWR, O_TRUNC, O_WRONLY, PROC_SUPER_MAGIC, RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_MAGICLINKS,
    RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV, S_IFDIR, S_IFMT, S_IFREG,
};

/// `AT_FDCWD`: resolve relative paths against the current directory.
pub const CWD: i32 = k::AT_FDCWD;

/// close(2).
// Out of line (measured): one shared copy is smaller than one per caller.
#[inline(never)]
pub fn close(fd: i32) -> Result<()> {
    // SAFETY: closing a number has no memory effects; ownership is tracked by Fd.
    unsafe { syscall!(Sysno::close, fd) }.map(drop)
}

/// openat(2).
#[inline]
pub fn openat(dir: i32, path: &CStr, flags: u32, mode: u32) -> Result<Fd> {
    // SAFETY: path is NUL-terminated and outlives the call.
    unsafe { syscall!(Sysno::openat, dir, path.as_ptr(), flags | O_CLOEXEC, mode) }.map(|fd| Fd::from_raw(fd as i32))
}

/// openat2(2) (Linux 5.6): `resolve` is a set of RESOLVE_* flags.
#[inline]
pub fn openat2(dir: i32, path: &CStr, flags: u32, resolve: u32) -> Result<Fd> {
    let how = k::open_how { flags: u64::from(flags | O_CLOEXEC), mode: 0, resolve: u64::from(resolve) };
    // SAFETY: path and how are valid for the call; size matches the struct passed.
    unsafe {
        syscall!(Sysno::openat2, dir, path.as_ptr(), &how as *const k::open_how, core::mem::size_of::<k::open_how>())
    }
    .map(|fd| Fd::from_raw(fd as i32))
}

/// read(2).
#[inline]
pub fn read(fd: i32, buf: &mut [u8]) -> Result<usize> {
    // SAFETY: buf is writable for its whole length.
    unsafe { syscall!(Sysno::read, fd, buf.as_mut_ptr(), buf.len()) }
}

/// write(2).
#[inline]
pub fn write(fd: i32, buf: &[u8]) -> Result<usize> {
    // SAFETY: buf is readable for its whole length.
    unsafe { syscall!(Sysno::write, fd, buf.as_ptr(), buf.len()) }
}

/// Writes all of `buf`, retrying on short writes and EINTR.
pub fn write_all(fd: i32, mut buf: &[u8]) -> Result<()> {
    while !buf.is_empty() {
        match write(fd, buf) {
            Ok(0) => return Err(super::Errno::EIO),
            Ok(n) => buf = buf.get(n..).unwrap_or_default(),
            Err(super::Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads until EOF or `buf` is full; returns the number of bytes read.
pub fn read_full(fd: i32, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match read(fd, buf.get_mut(n..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(m) => n += m,
            Err(super::Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// mkdirat(2).
#[inline]
pub fn mkdirat(dir: i32, path: &CStr, mode: u32) -> Result<()> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall!(Sysno::mkdirat, dir, path.as_ptr(), mode) }.map(drop)
}

/// flock(2): an advisory lock on the open file, released when its last descriptor closes.
#[inline]
pub fn flock(fd: i32, op: u32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::flock, fd, op) }.map(drop)
}

/// mknodat(2).
#[inline]
pub fn mknodat(dir: i32, path: &CStr, mode: u32, dev: u64) -> Result<()> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall!(Sysno::mknodat, dir, path.as_ptr(), mode, dev) }.map(drop)
}

/// fchownat(2) without following a final symlink.
#[inline]
pub fn lchownat(dir: i32, path: &CStr, uid: u32, gid: u32) -> Result<()> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall!(Sysno::fchownat, dir, path.as_ptr(), uid, gid, k::AT_SYMLINK_NOFOLLOW) }.map(drop)
}

/// symlinkat(2): creates `link` (relative to `dir`) pointing at `target`.
#[inline]
pub fn symlinkat(target: &CStr, dir: i32, link: &CStr) -> Result<()> {
    // SAFETY: both strings are NUL-terminated.
    unsafe { syscall!(Sysno::symlinkat, target.as_ptr(), dir, link.as_ptr()) }.map(drop)
}

/// unlinkat(2); `AT_REMOVEDIR` makes it rmdir.
#[inline]
pub fn unlinkat(dir: i32, path: &CStr, flags: u32) -> Result<()> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall!(Sysno::unlinkat, dir, path.as_ptr(), flags) }.map(drop)
}

/// fchdir(2).
#[inline]
pub fn fchdir(fd: i32) -> Result<()> {
    // SAFETY: no memory is passed.
    unsafe { syscall!(Sysno::fchdir, fd) }.map(drop)
}

/// chdir(2).
#[inline]
pub fn chdir(path: &CStr) -> Result<()> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall!(Sysno::chdir, path.as_ptr()) }.map(drop)
}

/// chroot(2).
#[inline]
pub fn chroot(path: &CStr) -> Result<()> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall!(Sysno::chroot, path.as_ptr()) }.map(drop)
}

/// faccessat(2) with F_OK/X_OK style `mode`.
#[inline]
pub fn faccessat(dir: i32, path: &CStr, mode: u32) -> Result<()> {
    // SAFETY: path is NUL-terminated.
    unsafe { syscall!(Sysno::faccessat, dir, path.as_ptr(), mode) }.map(drop)
}

/// fstatfs(2) and statfs(2): what filesystem `fd` or a path is on, and its mount flags.
pub use super::arch::{fstatfs, statfs};

/// newfstatat(2) (fstatat64 on arm): `path` in `dir`, or with an empty path and AT_EMPTY_PATH
/// `dir` itself (what fstat does); one copy for every stat below.
#[inline(never)]
fn stat_at(dir: i32, path: &CStr, flags: u32) -> Result<Stat> {
    use super::arch::{KernelStat, FSTATAT};
    // SAFETY: stat is plain old data; the kernel fills it completely on success.
    let mut st: KernelStat = unsafe { core::mem::zeroed() };
    // SAFETY: path is NUL-terminated and st is a valid, writable stat buffer.
    unsafe { syscall!(FSTATAT, dir, path.as_ptr(), &mut st as *mut KernelStat, flags) }?;
    Ok(Stat { mode: st.st_mode, uid: st.st_uid, gid: st.st_gid, dev: st.st_dev, ino: st.st_ino, rdev: st.st_rdev })
}

/// The fields of `struct stat` that runt reads: fewer bytes to copy out than the 144 of the
/// whole struct.
struct Stat {
    mode: u32,
    uid: u32,
    gid: u32,
    dev: u64,
    ino: u64,
    rdev: u64,
}

/// fstat(2).
fn fstat(fd: i32) -> Result<Stat> {
    stat_at(fd, c"", k::AT_EMPTY_PATH)
}

/// stat(2) of a path, following symlinks: (st_mode, st_rdev).
pub fn stat_mode_rdev(path: &CStr) -> Result<(u32, u64)> {
    let st = stat_at(CWD, path, 0)?;
    Ok((st.mode, st.rdev))
}

/// fstat(2) of `fd`: (st_mode, st_rdev), what tells which device node it is.
pub fn mode_rdev(fd: i32) -> Result<(u32, u64)> {
    let st = fstat(fd)?;
    Ok((st.mode, st.rdev))
}

/// Whether `fd` refers to a directory (fstat's S_IFDIR).
pub fn is_dir(fd: i32) -> Result<bool> {
    Ok(fstat(fd)?.mode & k::S_IFMT == k::S_IFDIR)
}

/// The id of the mount `fd` is on (statx STATX_MNT_ID, Linux 5.8): what tells a mount at a
/// path from another one made there later. ENOSYS where the kernel does not say.
pub fn mount_id(fd: i32) -> Result<u64> {
    // SAFETY: statx is plain old data; the kernel fills what the mask says.
    let mut stx: k::statx = unsafe { core::mem::zeroed() };
    // SAFETY: the path is an empty C string and stx a valid, writable statx buffer.
    unsafe { syscall!(Sysno::statx, fd, c"".as_ptr(), k::AT_EMPTY_PATH, k::STATX_MNT_ID, &mut stx as *mut k::statx) }?;
    match stx.stx_mask & k::STATX_MNT_ID {
        0 => Err(super::Errno::ENOSYS),
        _ => Ok(stx.stx_mnt_id),
    }
}

/// pipe2(2) with O_CLOEXEC: (read end, write end).
#[inline]
pub fn pipe() -> Result<(Fd, Fd)> {
    let mut fds = [0i32; 2];
    // SAFETY: fds has room for the two descriptors the kernel writes.
    unsafe { syscall!(Sysno::pipe2, fds.as_mut_ptr(), O_CLOEXEC) }?;
    Ok((Fd::from_raw(fds[0]), Fd::from_raw(fds[1])))
}

/// umask(2); returns the previous mask.
#[inline]
pub fn umask(mask: u32) -> u32 {
    // SAFETY: umask cannot fail and takes no memory.
    unsafe { syscall!(Sysno::umask, mask) }.unwrap_or(0) as u32
}

/// renameat2(2) without flags (renameat, which riscv64 does not have): atomically replaces `to`
/// with `from` (both relative to `dir`).
#[inline]
pub fn renameat(dir: i32, from: &CStr, to: &CStr) -> Result<()> {
    // SAFETY: both paths are NUL-terminated.
    unsafe { syscall!(Sysno::renameat2, dir, from.as_ptr(), dir, to.as_ptr(), 0) }.map(drop)
}

/// The names in the directory `fd` (getdents64), without "." and "..", in byte order (sorted
/// here, by insertion, so that no caller needs the library's sort: kilobytes of code).
pub fn list_dir(fd: i32) -> Result<alloc::vec::Vec<alloc::string::String>> {
    entries(fd, false)
}

/// `list_dir` but only the entries the directory says are directories (or does not say what
/// they are): on cgroupfs, the sub-cgroups without their control files, none of which need be
/// opened to be told apart.
pub fn list_subdirs(fd: i32) -> Result<alloc::vec::Vec<alloc::string::String>> {
    entries(fd, true)
}

fn entries(fd: i32, dirs_only: bool) -> Result<alloc::vec::Vec<alloc::string::String>> {
    let mut names = alloc::vec::Vec::new();
    // 4 KB, the largest small block of the heap (sys/heap.rs), reused from one listing to the
    // next: a larger buffer would be a mapping of its own each time (mmap, munmap, a page fault).
    let mut buf = alloc::vec![0u8; 4096];
    loop {
        // SAFETY: buf is writable for its length; the kernel fills it with dirent64 records.
        let n = unsafe { syscall!(Sysno::getdents64, fd, buf.as_mut_ptr(), buf.len()) }?;
        if n == 0 {
            return Ok(names);
        }
        let mut off = 0;
        // struct linux_dirent64: u64 ino, i64 off, u16 reclen, u8 type, then the NUL-terminated name.
        while let Some(rec) = buf.get(off..n) {
            let Some(reclen) = rec.get(16..18).and_then(|b| <[u8; 2]>::try_from(b).ok()).map(u16::from_ne_bytes) else {
                break;
            };
            let reclen = usize::from(reclen);
            let kind = rec.get(18).copied().unwrap_or(k::DT_UNKNOWN as u8);
            let name = rec.get(19..reclen.max(19)).unwrap_or_default();
            let name = name.split(|&b| b == 0).next().unwrap_or_default();
            let wanted = !dirs_only || kind == k::DT_DIR as u8 || kind == k::DT_UNKNOWN as u8;
            if wanted && name != b"." && name != b".." {
                if let Ok(s) = core::str::from_utf8(name) {
                    names.push(alloc::string::String::from(s));
                    let mut j = names.len() - 1;
                    while j > 0 && names.get(j - 1) > names.get(j) {
                        names.swap(j - 1, j);
                        j -= 1;
                    }
                }
            }
            if reclen == 0 {
                break;
            }
            off += reclen;
        }
    }
}

/// clock_gettime(CLOCK_REALTIME): (seconds, nanoseconds) since the epoch.
pub fn now() -> (i64, i64) {
    let mut ts = k::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a valid timespec for the kernel to fill.
    let _ = unsafe { syscall!(super::arch::CLOCK_GETTIME, k::CLOCK_REALTIME, &mut ts as *mut k::__kernel_timespec) };
    (ts.tv_sec, ts.tv_nsec)
}

/// clock_gettime(CLOCK_THREAD_CPUTIME_ID): the CPU time the calling thread has used. For tests
/// that bound the work something takes: unlike wall time, a busy host does not stretch it.
#[cfg(test)]
pub fn thread_cpu_time() -> core::time::Duration {
    let mut ts = k::__kernel_timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: ts is a valid timespec for the kernel to fill.
    let _ = unsafe {
        syscall!(super::arch::CLOCK_GETTIME, k::CLOCK_THREAD_CPUTIME_ID, &mut ts as *mut k::__kernel_timespec)
    };
    core::time::Duration::new(ts.tv_sec.unsigned_abs(), ts.tv_nsec.unsigned_abs() as u32)
}

/// getcwd(2).
pub fn getcwd() -> Result<alloc::string::String> {
    let mut buf = alloc::vec![0u8; 4096];
    // SAFETY: buf is writable for its length; the kernel writes a NUL-terminated path.
    let n = unsafe { syscall!(Sysno::getcwd, buf.as_mut_ptr(), buf.len()) }?;
    buf.truncate(n.saturating_sub(1));
    alloc::string::String::from_utf8(buf).map_err(|_| super::Errno::EINVAL)
}

/// Marks every descriptor from `first` up close-on-exec: close_range(2) with
/// CLOSE_RANGE_CLOEXEC (Linux 5.11), else one fcntl per descriptor up to 1024.
pub fn cloexec_from(first: u32) {
    const CLOSE_RANGE_CLOEXEC: u32 = 1 << 2;
    // SAFETY: no memory is passed; descriptors are only marked, not closed.
    if unsafe { syscall!(Sysno::close_range, first, u32::MAX, CLOSE_RANGE_CLOEXEC) }.is_ok() {
        return;
    }
    for fd in first..1024 {
        // SAFETY: F_SETFD with FD_CLOEXEC; a closed number just fails with EBADF.
        let _ = unsafe { syscall!(Sysno::fcntl, fd, k::F_SETFD, k::FD_CLOEXEC) };
    }
}

/// close_range(2) (Linux 5.9): closes every open descriptor from `first` to `last`.
pub fn close_range(first: u32, last: u32) -> Result<()> {
    // SAFETY: no memory is passed; what is closed is the caller's to close (see Fd).
    unsafe { syscall!(Sysno::close_range, first, last, 0) }.map(drop)
}

/// Clears `fd`'s close-on-exec flag: it stays open in the program execve runs.
pub fn keep_on_exec(fd: u32) -> Result<()> {
    // SAFETY: F_SETFD with no flags; no memory is passed.
    unsafe { syscall!(Sysno::fcntl, fd, k::F_SETFD, 0) }.map(drop)
}

/// fcntl(F_SETFL): with `nonblocking`, reads and writes on `fd` no longer wait. Its other status
/// flags are cleared (runt's pipes have none).
pub fn set_nonblocking(fd: i32, nonblocking: bool) -> Result<()> {
    let flags = if nonblocking { O_NONBLOCK } else { 0 };
    // SAFETY: F_SETFL takes the flags by value; no memory is passed.
    unsafe { syscall!(Sysno::fcntl, fd, k::F_SETFL, flags) }.map(drop)
}

/// Whether `fd` is an open descriptor (fcntl F_GETFD succeeds): Err(EBADF) when it is not.
pub fn check_open(fd: u32) -> Result<()> {
    // SAFETY: F_GETFD reads the descriptor flags; no memory is passed.
    unsafe { syscall!(Sysno::fcntl, fd, k::F_GETFD, 0) }.map(drop)
}

/// (st_dev, st_ino) of `fd`: what makes two namespace files the same namespace.
pub fn identity(fd: i32) -> Result<(u64, u64)> {
    let st = fstat(fd)?;
    Ok((st.dev, st.ino))
}

/// fstat(2) of `fd`: (st_mode, st_uid, st_gid).
pub fn mode_owner(fd: i32) -> Result<(u32, u32, u32)> {
    let st = fstat(fd)?;
    Ok((st.mode, st.uid, st.gid))
}

/// fstatat(2) of `name` in `dir`, not following a symlink: (st_mode, st_uid, st_gid).
pub fn mode_owner_at(dir: i32, name: &CStr) -> Result<(u32, u32, u32)> {
    let st = stat_at(dir, name, k::AT_SYMLINK_NOFOLLOW)?;
    Ok((st.mode, st.uid, st.gid))
}

/// readlinkat(2) with an empty path: the target of the symlink `fd` (an O_PATH|O_NOFOLLOW fd).
pub fn readlink_fd(fd: i32) -> Result<alloc::vec::Vec<u8>> {
    let mut buf = alloc::vec![0u8; 4096];
    // SAFETY: buf is writable for its length; the path is an empty C string.
    let n = unsafe { syscall!(Sysno::readlinkat, fd, c"".as_ptr(), buf.as_mut_ptr(), buf.len()) }?;
    buf.truncate(n);
    Ok(buf)
}

/// fchownat(2) of `name` in `dir`, not following a symlink.
pub fn chown_at(dir: i32, name: &CStr, uid: u32, gid: u32) -> Result<()> {
    // SAFETY: name is NUL-terminated.
    unsafe { syscall!(Sysno::fchownat, dir, name.as_ptr(), uid, gid, k::AT_SYMLINK_NOFOLLOW) }.map(drop)
}

/// fchmodat(2) of `name` in `dir`.
pub fn chmod_at(dir: i32, name: &CStr, mode: u32) -> Result<()> {
    // SAFETY: name is NUL-terminated.
    unsafe { syscall!(Sysno::fchmodat, dir, name.as_ptr(), mode) }.map(drop)
}

/// memfd_create(2): an anonymous file that lives in memory (memfd_create(2)).
#[inline]
pub fn memfd_create(name: &CStr, flags: u32) -> Result<Fd> {
    // SAFETY: name is NUL-terminated and outlives the call.
    unsafe { syscall!(Sysno::memfd_create, name.as_ptr(), flags) }.map(|fd| Fd::from_raw(fd as i32))
}

/// fcntl(F_GET_SEALS): the seals of a memfd (EINVAL for a file that cannot have any).
#[inline]
pub fn seals(fd: i32) -> Result<u32> {
    // SAFETY: F_GET_SEALS takes no argument; no memory is passed.
    unsafe { syscall!(Sysno::fcntl, fd, k::F_GET_SEALS) }.map(|s| s as u32)
}

/// fcntl(F_ADD_SEALS): seals, once added, are never removed (memfd_create(2)).
#[inline]
pub fn add_seals(fd: i32, seals: u32) -> Result<()> {
    // SAFETY: F_ADD_SEALS takes an int; no memory is passed.
    unsafe { syscall!(Sysno::fcntl, fd, k::F_ADD_SEALS, seals) }.map(drop)
}

/// sendfile(2) of up to `count` bytes from `from`'s offset to `to`: the number copied, 0 at the
/// end of `from`.
#[inline]
pub fn sendfile(to: i32, from: i32, count: usize) -> Result<usize> {
    // SAFETY: a NULL offset uses (and advances) the file offset of `from`; no other memory.
    unsafe { syscall!(Sysno::sendfile, to, from, 0, count) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_dir_is_sorted() {
        let dir = std::env::temp_dir().join(std::format!("runt-list-dir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in ["b", "a", "c2", "c10", "B"] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let path = std::ffi::CString::new(dir.to_str().unwrap()).unwrap();
        let fd = openat(CWD, &path, O_DIRECTORY | O_RDONLY, 0).unwrap();
        let names = list_dir(fd.raw());
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(names.unwrap(), ["B", "a", "b", "c10", "c2"]);
    }

    #[test]
    fn stats() {
        use std::os::unix::fs::MetadataExt;
        // A file of this test's own (not /proc/self/exe, which qemu's user-mode emulation, where
        // other architectures' tests run, shows differently to open and to stat).
        let path = std::env::temp_dir().join(std::format!("runt-stats-{}", std::process::id()));
        std::fs::write(&path, "x").unwrap();
        let root = openat(CWD, c"/", O_PATH, 0).unwrap();
        let file = openat(CWD, &std::ffi::CString::new(path.to_str().unwrap()).unwrap(), O_RDONLY, 0).unwrap();
        let m = std::fs::metadata(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(is_dir(root.raw()).unwrap());
        assert!(!is_dir(file.raw()).unwrap());
        assert_eq!(identity(file.raw()).unwrap(), (m.dev(), m.ino()));
        assert_eq!(mode_owner(file.raw()).unwrap(), (m.mode(), m.uid(), m.gid()));
        let null = std::fs::metadata("/dev/null").unwrap();
        assert_eq!(stat_mode_rdev(c"/dev/null").unwrap(), (null.mode(), null.rdev()));
        let fd = openat(CWD, c"/dev/null", O_PATH | O_NOFOLLOW, 0).unwrap();
        assert_eq!(mode_rdev(fd.raw()).unwrap(), (null.mode(), null.rdev()));
        assert_eq!(is_dir(-1), Err(crate::sys::Errno::EBADF));
    }

    #[test]
    fn a_sealed_memfd_cannot_be_written() {
        let fd = memfd_create(c"runt-test", MFD_CLOEXEC | MFD_ALLOW_SEALING).unwrap();
        write_all(fd.raw(), b"abc").unwrap();
        assert_eq!(seals(fd.raw()), Ok(0));
        add_seals(fd.raw(), F_SEAL_SEAL | F_SEAL_WRITE).unwrap();
        assert_eq!(seals(fd.raw()), Ok(F_SEAL_SEAL | F_SEAL_WRITE));
        assert_eq!(write(fd.raw(), b"x"), Err(crate::sys::Errno::EPERM));
        assert_eq!(add_seals(fd.raw(), F_SEAL_GROW), Err(crate::sys::Errno::EPERM));
        let exe = openat(CWD, c"/proc/self/exe", O_RDONLY, 0).unwrap();
        assert_eq!(seals(exe.raw()), Err(crate::sys::Errno::EINVAL));
    }
}
