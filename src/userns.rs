//! User namespaces: who root inside the container is outside it.
//!
//! Run by an unprivileged user, runt maps that user to root inside (and, when newuidmap and
//! newgidmap are installed and /etc/subuid and /etc/subgid give the user ranges, those ranges to
//! ids 1 and up). Root may ask for a user namespace with `--userns` and explicit maps.

use crate::cstr::{cstr, ptrs};
use crate::error::{cat, push_dec, Error, OrSys, Result};
use crate::passwd::{self, read_text};
use crate::sys::{fs, process};
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdMap {
    pub inside: u32,
    pub outside: u32,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserNs {
    pub uid_maps: Vec<IdMap>,
    pub gid_maps: Vec<IdMap>,
    /// Write the maps through the setuid helpers newuidmap/newgidmap (ranges beyond one's own id).
    pub helpers: bool,
    /// An unprivileged writer must give up setgroups before it may write gid_map.
    pub deny_setgroups: bool,
}

const NEWUIDMAP: &CStr = c"/usr/bin/newuidmap";
const NEWGIDMAP: &CStr = c"/usr/bin/newgidmap";

/// `INSIDE:OUTSIDE:COUNT`.
#[inline(never)]
pub fn parse_map(s: &str) -> Result<IdMap> {
    let mut f = [0u32; 3];
    let mut it = s.split(':');
    'bad: {
        for x in &mut f {
            let Some(n) = it.next().and_then(crate::text::unsigned) else { break 'bad };
            *x = n;
        }
        if it.next().is_none() && f[2] != 0 {
            return Ok(IdMap { inside: f[0], outside: f[1], count: f[2] });
        }
    }
    Err(Error::cat(&["invalid id map '", s, "' (INSIDE:OUTSIDE:COUNT)"]))
}

/// The maps for a user `uid`/`gid` without privileges: itself as root, plus its subordinate
/// ranges when the helpers exist to write them.
#[inline(never)]
pub fn rootless(uid: u32, gid: u32) -> UserNs {
    let mut ns = UserNs {
        uid_maps: alloc::vec![IdMap { inside: 0, outside: uid, count: 1 }],
        gid_maps: alloc::vec![IdMap { inside: 0, outside: gid, count: 1 }],
        helpers: false,
        deny_setgroups: true,
    };
    let have = |p: &CStr| fs::faccessat(fs::CWD, p, 1).is_ok();
    if !(have(NEWUIDMAP) && have(NEWGIDMAP)) {
        return ns;
    }
    let name = user_name(uid);
    let sub = |file: &CStr| read_text(file).and_then(|t| subordinate(&t, name.as_deref(), uid));
    if let (Some(u), Some(g)) = (sub(c"/etc/subuid"), sub(c"/etc/subgid")) {
        ns.uid_maps.push(IdMap { inside: 1, outside: u.0, count: u.1 });
        ns.gid_maps.push(IdMap { inside: 1, outside: g.0, count: g.1 });
        ns.helpers = true;
        // newgidmap decides about setgroups itself.
        ns.deny_setgroups = false;
    }
    ns
}

fn user_name(uid: u32) -> Option<String> {
    passwd::find(&read_text(c"/etc/passwd")?, |e| e.uid == uid).map(|e| String::from(e.name))
}

/// The first `NAME:START:COUNT` (or `UID:START:COUNT`) line of /etc/subuid or /etc/subgid.
fn subordinate(text: &str, name: Option<&str>, uid: u32) -> Option<(u32, u32)> {
    text.split('\n').find_map(|l| {
        let mut f = l.trim_ascii().split(':');
        let who = f.next()?;
        if Some(who) != name && crate::text::unsigned::<u32>(who) != Some(uid) {
            return None;
        }
        Some((crate::text::unsigned(f.next()?)?, crate::text::unsigned(f.next()?)?))
    })
}

/// "INSIDE OUTSIDE COUNT" per map, each ended by `end`.
fn map_text(maps: &[IdMap], end: char) -> String {
    let mut s = String::new();
    push_maps(&mut s, maps, end);
    s
}

/// `map_text` appended to `s`.
fn push_maps(s: &mut String, maps: &[IdMap], end: char) {
    for m in maps {
        for (n, sep) in [(m.inside, ' '), (m.outside, ' '), (m.count, end)] {
            push_dec(s, n.into());
            s.push(sep);
        }
    }
}

/// Parent side, right after clone: gives the child's user namespace its maps.
#[inline(never)]
pub fn write_maps(pid: i32, ns: &UserNs) -> Result<()> {
    if ns.helpers {
        run_helper(NEWUIDMAP, pid, &ns.uid_maps)?;
        return run_helper(NEWGIDMAP, pid, &ns.gid_maps);
    }
    let proc_file = |name: &str, text: &str| -> Result<()> {
        let mut path = String::from("/proc/");
        push_dec(&mut path, u64::from(pid.unsigned_abs()));
        path.push('/');
        path.push_str(name);
        let fd = fs::openat(fs::CWD, &cstr(&path)?, fs::O_WRONLY, 0).or_op("open", &path)?;
        fs::write_all(fd.raw(), text.as_bytes()).or_sys(|| cat(&["write ", text.trim_ascii_end(), " to ", &path]))
    };
    proc_file("uid_map", &map_text(&ns.uid_maps, '\n'))?;
    if ns.deny_setgroups {
        proc_file("setgroups", "deny")?;
    }
    proc_file("gid_map", &map_text(&ns.gid_maps, '\n'))
}

/// Runs newuidmap/newgidmap PID INSIDE OUTSIDE COUNT... and waits for it.
fn run_helper(prog: &CStr, pid: i32, maps: &[IdMap]) -> Result<()> {
    let path = prog.to_str().unwrap_or_default();
    // The command line, also as shown in the error.
    let mut shown = cat(&[path, " "]);
    push_dec(&mut shown, u64::from(pid.unsigned_abs()));
    shown.push(' ');
    push_maps(&mut shown, maps, ' ');
    // No trailing space (nor an empty argument), whatever the maps.
    shown.truncate(shown.trim_ascii_end().len());
    let mut cargs = Vec::new();
    for a in shown.split(' ') {
        cargs.push(cstr(a)?);
    }
    let argv = ptrs(&cargs);
    let envp: [*const u8; 1] = [core::ptr::null()];
    let child = process::clone_fork(0).or_op("fork for", path)?;
    if child == 0 {
        let _ = process::execve(prog, &argv, &envp);
        process::exit(127);
    }
    let (_, raw) = process::wait4(child, false).or_op("wait for", path)?;
    match process::exit_status(raw) {
        0 => Ok(()),
        n => {
            shown.push_str(": exit status ");
            push_dec(&mut shown, u64::from(n.unsigned_abs()));
            Err(Error::msg(shown))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps() {
        assert_eq!(parse_map("0:100000:65536").unwrap(), IdMap { inside: 0, outside: 100000, count: 65536 });
        for bad in ["", "0:1", "0:1:0", "a:1:1", "0:1:1:1", "-1:0:1"] {
            assert!(parse_map(bad).is_err(), "{bad}");
        }
        let m = [IdMap { inside: 0, outside: 1000, count: 1 }, IdMap { inside: 1, outside: 100000, count: 65536 }];
        assert_eq!(map_text(&m, '\n'), "0 1000 1\n1 100000 65536\n");
        assert_eq!(map_text(&m, ' '), "0 1000 1 1 100000 65536 ");
    }

    #[test]
    fn subordinate_ranges() {
        let text = "alice:100000:65536\n1001:200000:1000\nbob:300000:10\n";
        assert_eq!(subordinate(text, Some("alice"), 1000), Some((100000, 65536)));
        assert_eq!(subordinate(text, Some("carol"), 1001), Some((200000, 1000)));
        assert_eq!(subordinate(text, Some("dave"), 1002), None);
        assert_eq!(subordinate("junk\n:::\n", Some("x"), 1), None);
    }
}
