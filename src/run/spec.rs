//! `runt run`'s flags → `Spec`: what each flag means, checked, with `runt run`'s defaults (a
//! generated name, the default environment, capabilities, seccomp, masked paths).

use super::cli::RunArgs;
use super::mounts;
use crate::error::{cat, dec, Error, OrSys, Result};
use crate::security::caps::{self, Caps};
use crate::security::devices;
use crate::security::rlimits;
use crate::spec::{default_mounts, words, Seccomp, Spec, User, MASKED_PATHS, READONLY_PATHS};
use crate::spec::{CPU_PERIOD_US, CPU_QUOTA_MIN, MIN_MEMORY_RUN};
use crate::sys::process::{CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUTS};
use crate::userns::{self, UserNs};
use alloc::string::String;
use alloc::vec::Vec;

const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const MAX_NAME: usize = 64;
// The messages say "1 to 64" in so many words.
const _: () = assert!(MAX_NAME == 64);

/// What Docker refuses of the limit flags: a memory limit below 6 MB, no processes at all, and
/// a CPU share that is 0, below the kernel's 1 ms per period, or more than the host has.
#[inline(never)]
fn check_limits(r: &RunArgs) -> Result<()> {
    if let Some(m) = r.memory.filter(|&m| m < MIN_MEMORY_RUN) {
        return Err(Error::cat(&[
            "--memory ",
            &dec(m),
            " bytes is below the minimum of 6MB (",
            &dec(MIN_MEMORY_RUN),
            ")",
        ]));
    }
    if r.pids_limit == Some(0) {
        return Err(Error::msg("--pids-limit 0 allows no process: give at least 1"));
    }
    if let Some(q) = r.cpus {
        let n = u64::from(crate::sys::process::cpus_available().or_what("sched_getaffinity")?);
        if !(CPU_QUOTA_MIN..=n * CPU_PERIOD_US).contains(&q) {
            let n = dec(n);
            return Err(Error::cat(&[
                "--cpus: the range of CPUs is from 0.01 to ",
                &n,
                ".00, as there are only ",
                &n,
                " CPUs available",
            ]));
        }
    }
    Ok(())
}

/// Builds the spec of `runt run`. `generated_name` gives the name when none was given;
/// `term` is runt's own TERM, passed on so shells inside behave. The spec is made first and
/// filled in check by check, so that every failed check drops one value (not a different mix
/// of moved-out fields each). The texts the spec keeps as they are are taken out of `r`, not
/// copied.
#[inline(never)]
pub fn from_args(r: &mut RunArgs, generated_name: fn() -> String, term: Option<&str>) -> Result<Spec> {
    let host_root = r.rootfs.is_none();
    let named = r.name.is_some();
    let name = r.name.take().unwrap_or_else(generated_name);
    let mut s = Spec::blank();
    s.hostname = r.hostname.take().unwrap_or_else(|| name.clone());
    s.name = name;
    s.args = core::mem::take(&mut r.command);
    s.cwd = r.workdir.take().unwrap_or_else(|| String::from("/"));
    s.root.path = r.rootfs.take();
    s.root.readonly = r.read_only || host_root;
    s.namespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWCGROUP;
    s.mounts = default_mounts(host_root);
    s.optional_mounts = s.mounts.len();
    s.limits.pids = r.pids_limit;
    s.limits.memory = r.memory;
    s.limits.cpu_quota = r.cpus;
    check_limits(r)?;
    s.oom_score_adj = r.oom_score_adj;
    s.no_new_privs = true;
    s.oci.terminal = r.tty;
    s.pty_output_only = !r.interactive;
    s.init = r.init;
    user_namespace(r, &mut s.userns)?;
    if confined(r, &mut s.no_new_privs)? {
        s.seccomp = Seccomp::Default;
    }
    if named {
        check_name(&s.name)?;
    }
    if s.hostname.is_empty() || s.hostname.len() > MAX_NAME {
        return Err(Error::cat(&["hostname '", &s.hostname, "' must be 1 to 64 bytes"]));
    }
    if let Some(u) = r.user.take() {
        s.user = parse_user(&u)?;
        s.user_lookup = Some(u);
    }
    if !s.cwd.starts_with('/') {
        return Err(Error::cat(&["workdir '", &s.cwd, "' must be an absolute path"]));
    }
    match r.net.as_deref() {
        None | Some("none") => s.namespaces |= CLONE_NEWNET,
        Some("host") => {}
        Some(other) => return Err(Error::cat(&["invalid value '", other, "' for --net (none or host)"])),
    }
    let is_root = s.user.is_none_or(|u| u.uid == 0);
    s.env.push(String::from(DEFAULT_PATH));
    s.env.push(cat(&["HOSTNAME=", &s.hostname]));
    // With -u, HOME comes from the container's /etc/passwd (init::exec_as).
    if s.user_lookup.is_none() {
        s.env.push(String::from("HOME=/root"));
    }
    if let Some(t) = term {
        s.env.push(cat(&["TERM=", t]));
    }
    for e in &r.env {
        set_env(&mut s.env, e)?;
    }
    for v in &r.volumes {
        mounts::volume(v, &mut s.mounts)?;
    }
    for v in &r.mounts {
        mounts::mount(v, &mut s.mounts)?;
    }
    for v in &r.tmpfs {
        mounts::tmpfs(v, &mut s.mounts)?;
    }
    let mut cap_set = if r.privileged { caps::ALL } else { caps::DEFAULT };
    for c in &r.cap_add {
        cap_set |= caps::parse(c)?;
    }
    for c in &r.cap_drop {
        cap_set &= !caps::parse(c)?;
    }
    s.caps = Caps::for_user(cap_set, is_root);
    for u in &r.ulimits {
        s.rlimits.push(rlimits::parse(u)?);
    }
    for d in &r.devices {
        s.device_nodes.push(devices::parse_node(d)?);
    }
    if !r.privileged {
        s.device_rules = Some(devices::DEFAULT.to_vec());
        s.masked_paths = words(MASKED_PATHS);
        s.readonly_paths = words(READONLY_PATHS);
    }
    Ok(s)
}

/// As `from_args`, leaving `r` whole (tests build many specs from one set of arguments).
#[cfg(test)]
pub fn from_run(r: &RunArgs, generated_name: fn() -> String, term: Option<&str>) -> Result<Spec> {
    from_args(&mut r.clone(), generated_name, term)
}

/// What `--security-opt` accepts: three ways to keep no_new_privs, two to drop it, two to turn
/// seccomp off (`:` is Docker's older spelling of `=`). One string, split at spaces: smaller than a
/// table of pointers.
const SECURITY_OPTS: &str = "no-new-privileges no-new-privileges=true no-new-privileges:true \
    no-new-privileges=false no-new-privileges:false seccomp=unconfined seccomp:unconfined";

/// `--security-opt` values: `no-new-privileges[=true|false]`, `seccomp=unconfined`. Whether
/// the default seccomp filter applies (not with --privileged nor seccomp=unconfined).
fn confined(r: &RunArgs, no_new_privs: &mut bool) -> Result<bool> {
    let mut confined = !r.privileged;
    for o in &r.security_opts {
        match SECURITY_OPTS.split(' ').position(|k| k == o) {
            Some(0..=2) => *no_new_privs = true,
            Some(3 | 4) => *no_new_privs = false,
            Some(_) => confined = false,
            None => {
                return Err(Error::cat(&[
                    "unsupported --security-opt '",
                    o,
                    "' (no-new-privileges[=true|false], seccomp=unconfined)",
                ]))
            }
        }
    }
    Ok(confined)
}

/// `--userns`, `--uidmap`, `--gidmap`: explicit maps; a missing side copies the other; none at
/// all maps 0-65535 onto 100000-165535.
#[inline(never)]
fn user_namespace(r: &RunArgs, out: &mut Option<UserNs>) -> Result<()> {
    if !r.userns && r.uidmaps.is_empty() && r.gidmaps.is_empty() {
        return Ok(());
    }
    // Filled in place; on an error the whole spec is dropped.
    let ns = out.insert(UserNs { uid_maps: Vec::new(), gid_maps: Vec::new(), helpers: false, deny_setgroups: false });
    for (given, maps) in [(&r.uidmaps, &mut ns.uid_maps), (&r.gidmaps, &mut ns.gid_maps)] {
        for m in given {
            maps.push(userns::parse_map(m)?);
        }
    }
    let (uid_maps, gid_maps) = (&mut ns.uid_maps, &mut ns.gid_maps);
    if uid_maps.is_empty() && gid_maps.is_empty() {
        uid_maps.push(userns::IdMap { inside: 0, outside: 100_000, count: 65_536 });
    }
    if uid_maps.is_empty() {
        uid_maps.clone_from(gid_maps);
    }
    if gid_maps.is_empty() {
        gid_maps.clone_from(uid_maps);
    }
    Ok(())
}

/// Checks `KEY=VALUE` and replaces the variable of the same key, or appends.
#[inline(never)]
fn set_env(env: &mut Vec<String>, kv: &str) -> Result<()> {
    let Some((key, _)) = kv.split_once('=').filter(|(k, _)| !k.is_empty()) else {
        return Err(Error::cat(&["invalid --env '", kv, "' (KEY=VALUE)"]));
    };
    let same_key = |e: &&mut String| e.as_bytes().get(key.len()) == Some(&b'=') && e.starts_with(key);
    let kv = String::from(kv);
    match env.iter_mut().find(same_key) {
        Some(slot) => *slot = kv,
        None => env.push(kv),
    }
    Ok(())
}

/// Container names become cgroup directory names: keep them to a safe alphabet.
#[inline(never)]
fn check_name(n: &str) -> Result<()> {
    // A letter or digit first, then also '_', '.' and '-'.
    let ok_char = |(i, c): (usize, u8)| c.is_ascii_alphanumeric() || (i > 0 && matches!(c, b'_' | b'.' | b'-'));
    if !n.is_empty() && n.len() <= MAX_NAME && n.bytes().enumerate().all(ok_char) {
        Ok(())
    } else {
        Err(Error::cat(&[
            "invalid container name '",
            n,
            "': 1 to 64 of [A-Za-z0-9_.-], starting with a letter or digit",
        ]))
    }
}

/// `USER[:GROUP]`, names or numbers. The ids when both are numbers (a lone UID's group is the
/// same number until the container's /etc/passwd says otherwise): capabilities depend on whether
/// the user is root. Names are looked up inside the container (`Spec::user_lookup`).
fn parse_user(s: &str) -> Result<Option<User>> {
    let (u, g) = s.split_once(':').unwrap_or((s, s));
    if u.is_empty() || g.is_empty() || g.contains(':') {
        return Err(Error::cat(&["invalid --user '", s, "' (USER[:GROUP], names or numbers)"]));
    }
    Ok(crate::text::unsigned(u).zip(crate::text::unsigned(g)).map(|(uid, gid)| User { uid, gid }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Root;
    use alloc::vec;

    fn spec(f: impl FnOnce(&mut RunArgs)) -> Result<Spec> {
        let mut r = RunArgs { command: vec!["sh".into()], ..RunArgs::default() };
        f(&mut r);
        from_run(&r, || "gen123".into(), None)
    }

    #[test]
    fn defaults() {
        let s = spec(|_| {}).unwrap();
        assert_eq!(s.name, "gen123");
        assert_eq!(s.hostname, "gen123");
        assert_eq!(s.cwd, "/");
        assert_ne!(s.namespaces & CLONE_NEWNET, 0);
        assert_eq!(s.root, Root { path: None, readonly: true });
        assert_eq!(s.env, [DEFAULT_PATH, "HOSTNAME=gen123", "HOME=/root"]);
        assert!(!s.limits.any());
    }

    #[test]
    fn env_overrides_and_appends() {
        let s = spec(|r| r.env = vec!["PATH=/x".into(), "A=b=c".into()]).unwrap();
        assert_eq!(s.env, ["PATH=/x", "HOSTNAME=gen123", "HOME=/root", "A=b=c"]);
        let s = spec(|r| r.env = vec!["PAT=1".into(), "PATHX=2".into(), "A=1".into(), "A=".into()]).unwrap();
        assert_eq!(s.env[3..], ["PAT=1", "PATHX=2", "A="]);
        assert_eq!(spec(|r| r.env = vec!["=x".into()]).unwrap_err().what, "invalid --env '=x' (KEY=VALUE)");
        assert!(spec(|r| r.env = vec!["NOVALUE".into()]).is_err());
        assert!(spec(|r| r.env = vec!["=x".into()]).is_err());
    }

    #[test]
    fn users() {
        assert_eq!(spec(|r| r.user = Some("1000".into())).unwrap().user, Some(User { uid: 1000, gid: 1000 }));
        assert_eq!(spec(|r| r.user = Some("5:6".into())).unwrap().user, Some(User { uid: 5, gid: 6 }));
        // Names are looked up inside the container; until then they are root's as far as the
        // capabilities go (init drops them for a user who is not root).
        let bob = spec(|r| r.user = Some("bob:staff".into())).unwrap();
        assert_eq!((bob.user, bob.user_lookup.as_deref()), (None, Some("bob:staff")));
        assert_eq!(bob.caps.effective, caps::DEFAULT);
        assert_eq!(spec(|r| r.user = Some("7".into())).unwrap().user_lookup.as_deref(), Some("7"));
        // HOME then comes from the container's /etc/passwd.
        assert!(!spec(|r| r.user = Some("7".into())).unwrap().env.iter().any(|e| e.starts_with("HOME=")));
        for bad in ["", ":", "a:", ":b", "a:b:c"] {
            let why = spec(|r| r.user = Some(bad.into())).unwrap_err().into_what();
            assert_eq!(why, alloc::format!("invalid --user '{bad}' (USER[:GROUP], names or numbers)"));
        }
    }

    #[test]
    fn names() {
        assert!(spec(|r| r.name = Some("web-1.a_b".into())).is_ok());
        for bad in ["", "../x", "a/b", ".hidden", "-x", "a b"] {
            assert!(spec(|r| r.name = Some(bad.into())).is_err(), "{bad}");
        }
        assert!(spec(|r| r.name = Some("x".repeat(65))).is_err());
    }

    #[test]
    fn capabilities() {
        let s = spec(|r| {
            r.cap_add = vec!["SYS_ADMIN".into()];
            r.cap_drop = vec!["cap_chown".into()];
        })
        .unwrap();
        assert_eq!(s.caps.bounding, (caps::DEFAULT | 1 << 21) & !1);
        assert_eq!(s.caps.effective, s.caps.bounding);
        assert_eq!(spec(|r| r.privileged = true).unwrap().caps.bounding, caps::ALL);
        assert_eq!(spec(|r| r.cap_drop = vec!["ALL".into()]).unwrap().caps.bounding, 0);
        let user = spec(|r| r.user = Some("1000".into())).unwrap();
        assert_eq!((user.caps.bounding, user.caps.effective), (caps::DEFAULT, 0));
        assert!(spec(|r| r.cap_add = vec!["NOPE".into()]).is_err());
    }

    #[test]
    fn security_options() {
        let d = spec(|_| {}).unwrap();
        assert!(d.no_new_privs);
        assert_eq!(d.seccomp, Seccomp::Default);
        let s =
            spec(|r| r.security_opts = vec!["no-new-privileges=false".into(), "seccomp=unconfined".into()]).unwrap();
        assert!(!s.no_new_privs);
        assert_eq!(s.seccomp, Seccomp::Unconfined);
        assert_eq!(spec(|r| r.privileged = true).unwrap().seccomp, Seccomp::Unconfined);
        assert!(spec(|r| r.security_opts = vec!["apparmor=x".into()]).is_err());
    }

    #[test]
    fn user_namespaces() {
        assert_eq!(spec(|_| {}).unwrap().userns, None);
        let m = |inside, outside, count| userns::IdMap { inside, outside, count };
        let ns = spec(|r| r.userns = true).unwrap().userns.unwrap();
        assert_eq!((ns.uid_maps, ns.gid_maps), (vec![m(0, 100_000, 65_536)], vec![m(0, 100_000, 65_536)]));
        let ns = spec(|r| r.uidmaps = vec!["0:1000:1".into(), "1:2000:10".into()]).unwrap().userns.unwrap();
        assert_eq!(ns.uid_maps, [m(0, 1000, 1), m(1, 2000, 10)]);
        assert_eq!(ns.gid_maps, ns.uid_maps);
        let ns = spec(|r| r.gidmaps = vec!["0:5:1".into()]).unwrap().userns.unwrap();
        assert_eq!((ns.uid_maps, ns.gid_maps), (vec![m(0, 5, 1)], vec![m(0, 5, 1)]));
        let ns = spec(|r| {
            r.uidmaps = vec!["0:5:1".into()];
            r.gidmaps = vec!["0:6:1".into()];
        })
        .unwrap()
        .userns
        .unwrap();
        assert_eq!((ns.uid_maps, ns.gid_maps), (vec![m(0, 5, 1)], vec![m(0, 6, 1)]));
        assert!(spec(|r| r.gidmaps = vec!["x".into()]).is_err());
        assert!(spec(|r| r.uidmaps = vec!["0:5:1".into(), "1:2".into()]).is_err());
    }

    #[test]
    fn other_checks() {
        assert!(spec(|r| r.workdir = Some("rel".into())).is_err());
        assert!(spec(|r| r.net = Some("bridge".into())).is_err());
        assert_eq!(spec(|r| r.net = Some("host".into())).unwrap().namespaces & CLONE_NEWNET, 0);
        assert!(
            spec(|r| r.rootfs = Some("/r".into())).unwrap().root == Root { path: Some("/r".into()), readonly: false }
        );
    }

    #[test]
    fn cpus_are_a_limit() {
        assert!(spec(|r| r.cpus = Some(50_000)).unwrap().limits.any());
    }
}
