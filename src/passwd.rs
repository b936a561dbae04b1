//! Users and groups by name: the lines of /etc/passwd and /etc/group (the container's, read from
//! inside its root; /etc/subuid and /etc/subgid, the host's, go through `read_text` too).
//!
//! `runt run -u NAME[:GROUP]` is looked up the way Docker does: the user's line gives the uid,
//! the group and HOME; without an explicit GROUP, the supplementary groups are those whose line
//! lists the user. A number needs no line: its group is then the same number.

use crate::error::{Error, Result};
use crate::sys::{fs, Errno};
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::CStr;

/// The fields of one /etc/passwd line that runt uses.
#[derive(Debug, PartialEq)]
pub struct Entry<'a> {
    pub name: &'a str,
    pub uid: u32,
    pub gid: u32,
    /// "/" when the line has none.
    pub home: &'a str,
}

/// Who `-u` names: the user and group ids and the supplementary groups.
#[derive(Debug, PartialEq)]
pub struct Ids {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
}

/// A small text file runt reads for names and HOME: /etc/passwd and /etc/group (in the
/// container), /etc/subuid, /etc/subgid. Only a regular file is read, at most 256 KiB: a FIFO or
/// a device put in its place must not block runt or feed it without end. It is opened without
/// blocking (a FIFO's open waits for a writer) and without following magic links
/// (/proc/self/fd/N would be one of runt's own descriptors); an ordinary symlink inside the root
/// is fine, some images have one there.
pub fn read_text(path: &CStr) -> Option<String> {
    let flags = fs::O_RDONLY | fs::O_NONBLOCK | fs::O_NOCTTY;
    let fd = match fs::openat2(fs::CWD, path, flags, fs::RESOLVE_NO_MAGICLINKS) {
        Err(Errno::ENOSYS) => fs::openat(fs::CWD, path, flags, 0),
        opened => opened,
    }
    .ok()?;
    let (mode, _, _) = fs::mode_owner(fd.raw()).ok()?;
    if mode & fs::S_IFMT != fs::S_IFREG {
        return None;
    }
    let mut buf = alloc::vec![0u8; 256 * 1024];
    let n = fs::read_full(fd.raw(), &mut buf).ok()?;
    buf.truncate(n);
    String::from_utf8(buf).ok()
}

/// The first line of an /etc/passwd text for which `is` holds.
pub fn find(text: &str, is: impl Fn(&Entry) -> bool) -> Option<Entry<'_>> {
    text.split('\n').find_map(|l| {
        let mut f = l.split(':'); // name:password:uid:gid:gecos:home:shell
        let name = f.next()?;
        let uid = crate::text::unsigned(f.nth(1)?)?;
        let gid = crate::text::unsigned(f.next()?)?;
        let home = f.nth(1).filter(|h| !h.is_empty()).unwrap_or("/");
        Some(Entry { name, uid, gid, home }).filter(|e| is(e))
    })
}

/// `uid`'s home directory in this mount namespace's /etc/passwd ("/" without an entry, as runc
/// has it): what HOME is when the process's environment has none.
pub fn home_dir(uid: u32) -> String {
    let passwd = read_text(c"/etc/passwd").unwrap_or_default();
    String::from(find(&passwd, |e| e.uid == uid).map_or("/", |e| e.home))
}

/// `-u USER[:GROUP]` in the root the process is in: the user and group ids and the
/// supplementary groups.
pub fn lookup(user: &str) -> Result<Ids> {
    let passwd = read_text(c"/etc/passwd").unwrap_or_default();
    let group = read_text(c"/etc/group").unwrap_or_default();
    resolve(user, &passwd, &group)
}

/// `lookup` on the texts of /etc/passwd and /etc/group.
fn resolve(user: &str, passwd: &str, group: &str) -> Result<Ids> {
    let (u, g) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let number = crate::text::unsigned::<u32>(u);
    let entry = find(passwd, |e| number.map_or(e.name == u, |n| e.uid == n));
    let (uid, own_gid) = match (&entry, number) {
        (Some(e), _) => (e.uid, e.gid),
        (None, Some(n)) => (n, n),
        (None, None) => return Err(not_found("user '", u, "' in the container's /etc/passwd")),
    };
    let Some(g) = g else {
        // The implicit form: every group whose line lists the user by name.
        let name = entry.map(|e| e.name).unwrap_or_default();
        let groups =
            group_lines(group).filter(|(_, _, members)| !name.is_empty() && members.split(',').any(|m| m == name));
        return Ok(Ids { uid, gid: own_gid, groups: groups.map(|(_, gid, _)| gid).collect() });
    };
    let gid = match crate::text::unsigned(g) {
        Some(n) => n,
        None => match group_lines(group).find(|(name, _, _)| *name == g) {
            Some((_, gid, _)) => gid,
            None => return Err(not_found("group '", g, "' in the container's /etc/group")),
        },
    };
    Ok(Ids { uid, gid, groups: Vec::new() })
}

/// The name, gid and member list of each well-formed /etc/group line (name:password:gid:members).
fn group_lines(text: &str) -> impl Iterator<Item = (&str, u32, &str)> {
    text.split('\n').filter_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        let gid = crate::text::unsigned(f.nth(1)?)?;
        Some((name, gid, f.next().unwrap_or_default().trim_ascii_end()))
    })
}

fn not_found(what: &str, name: &str, place: &str) -> Error {
    Error::cat(&["no ", what, name, place])
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n\
        app:x:1000:1001::/home/app:/bin/sh\nnohome:x:1002:1002:::/bin/sh\nbroken:x:y:1\n";
    const GROUP: &str = "root:x:0:\nwheel:x:10:app,other\nnogroup:x:65534:\nappgrp:x:1001:\naudio:x:29:other,app\n";

    fn ok(user: &str) -> (u32, u32, Vec<u32>) {
        let ids = resolve(user, PASSWD, GROUP).unwrap();
        (ids.uid, ids.gid, ids.groups)
    }

    #[test]
    fn names_and_numbers() {
        assert_eq!(ok("nobody"), (65534, 65534, vec![]));
        assert_eq!(ok("app"), (1000, 1001, vec![10, 29]));
        assert_eq!(ok("1000"), (1000, 1001, vec![10, 29]));
        assert_eq!(ok("app:wheel"), (1000, 10, vec![]));
        assert_eq!(ok("app:7"), (1000, 7, vec![]));
        assert_eq!(ok("4242"), (4242, 4242, vec![]));
        assert_eq!(ok("4242:audio"), (4242, 29, vec![]));
        assert_eq!(ok("root"), (0, 0, vec![]));
        assert_eq!(resolve("5", "", "").unwrap(), Ids { uid: 5, gid: 5, groups: vec![] });
    }

    #[test]
    fn unknown_names_are_errors() {
        let why = |u: &str| resolve(u, PASSWD, GROUP).unwrap_err().into_what();
        assert_eq!(why("bob"), "no user 'bob' in the container's /etc/passwd");
        assert_eq!(why("broken"), "no user 'broken' in the container's /etc/passwd");
        assert_eq!(why("app:staff"), "no group 'staff' in the container's /etc/group");
        assert_eq!(resolve("nobody", "", "").unwrap_err().status, crate::error::EXIT_RUNTIME);
    }

    #[test]
    fn home_directories() {
        let t = "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\nbare:x:7:7\nnohome:x:8:8:::\n";
        let home = |uid| find(t, |e| e.uid == uid).map(|e| (e.name, e.home));
        assert_eq!(home(0), Some(("root", "/root")));
        assert_eq!(home(1000), Some(("user", "/home/user")));
        assert_eq!(home(7), Some(("bare", "/")));
        assert_eq!(home(8), Some(("nohome", "/")));
        assert_eq!(home(9), None);
        assert_eq!(find("", |_| true), None);
        assert_eq!(find(PASSWD, |e| e.uid == 1000).map(|e| e.home), Some("/home/app"));
        assert_eq!(find(PASSWD, |e| e.uid == 1002).map(|e| e.home), Some("/"));
        assert_eq!(find(PASSWD, |e| e.uid == 7), None);
    }
}
