//! config.json → `Spec`: the OCI runtime spec (1.0 to 1.2) mapped onto the one description of a
//! container that `runt run` also produces.
//!
//! Decisions:
//! - Unknown fields are ignored (a newer engine's additions must not break runt); fields runt
//!   knows but cannot honour are errors naming the field, never silently dropped. JSON `null`
//!   counts as absent, as in Go's decoder.
//! - Only what config.json says: no runt defaults are added (no environment, no masked paths):
//!   the engine decides. The exceptions are the spec's own defaults: the hostname (the id, with a
//!   new UTS namespace) and the default devices' access rules (see devices.rs).
//! - Without a mount namespace of its own the container keeps the caller's, as the spec allows:
//!   its mounts are then made there, under its root (see rootfs::bind_in_place).
//! - Every error names its place: `config.json: linux.namespaces[2].type: unknown namespace type
//!   "foo"`. The place is not tracked while reading: an error holds the value it is about, and
//!   only then is that value looked up in the document (by address) to name its path. Reading
//!   passes plain `&Value`s around, which keeps this module small.
//!
//! One file per section of the spec: process.rs, mounts.rs (and paths in the bundle),
//! namespaces.rs (with the id mappings), resources.rs (limits and cgroupsPath), devices.rs,
//! seccomp.rs, hooks.rs, sysctl.rs; read.rs reads values and names an error's place. This file:
//! the entry points and the top level (version, root, hostname, domainname, masked and read-only
//! paths, annotations).

mod devices;
mod hooks;
mod mounts;
mod namespaces;
mod process;
mod read;
mod resources;
mod seccomp;
mod sysctl;
#[cfg(test)]
mod testing;

use crate::error::{cat, OrSys, Result};
use crate::json::{self, Value};
use crate::spec::{Limits, Root, Spec};
use crate::sys::fs;
use crate::sys::process::CLONE_NEWUTS;
use alloc::string::String;
use alloc::vec::Vec;
use devices::{device_node, device_rules};
use hooks::hooks;
pub use mounts::MOUNT_OPTIONS;
use mounts::{in_bundle, mount, propagation};
use namespaces::namespaces;
use process::{linux_process, process};
pub use process::{Lsm, MPOL_FLAGS, MPOL_MODES};
use read::*;
use resources::{cgroups_path, fill_limits, limits};
use seccomp::seccomp;
use sysctl::sysctl;

/// Where a bundle's config is unless crun's `--config` says otherwise.
pub fn default_path(bundle_dir: &str) -> String {
    cat(&[bundle_dir.trim_end_matches(crate::text::SLASH), "/config.json"])
}

/// Reads the config at `path` (at most 4 MiB; usually `default_path`) for the bundle
/// `bundle_dir` and maps it.
pub fn load(path: &str, bundle_dir: &str, id: &str) -> Result<Spec> {
    let fd = crate::cstr::open_path(path, fs::O_RDONLY, 0, "open ")?;
    // Grown as needed: a config is usually a few KB; one byte past the limit makes the parser refuse.
    let mut buf: Vec<u8> = Vec::new();
    let mut len = 0;
    while len == buf.len() && len <= json::MAX_INPUT {
        buf.resize((2 * len).clamp(64 << 10, json::MAX_INPUT + 1), 0);
        len += fs::read_full(fd.raw(), buf.get_mut(len..).unwrap_or_default()).or_op("read", path)?;
    }
    buf.truncate(len);
    let v = json::parse_json(&buf, path)?;
    from_json(&v, bundle_dir, id)
}

/// Maps a parsed config.json; relative paths (root, bind sources) are taken from `bundle_dir`.
pub fn from_json(v: &Value, bundle_dir: &str, id: &str) -> Result<Spec> {
    spec(v, bundle_dir, id).map_err(|f| f.error(v, "config.json: "))
}

/// `runt update --resources FILE`: a `linux.resources` object on its own.
pub fn resources(v: &Value) -> Result<Limits> {
    obj(v).and_then(limits).map_err(|f| f.error(v, ""))
}

/// `runt exec --process FILE`: a `process` object replacing the container's own, as runc does:
/// args, env, cwd, user and terminal always; capabilities, rlimits, noNewPrivileges, umask and
/// oomScoreAdj only when given (otherwise the container's stay).
pub fn apply_process(v: &Value, spec: &mut Spec) -> Result<()> {
    obj(v).and_then(|p| process(p, spec)).map_err(|f| f.error(v, ""))
}

fn spec(top: &Value, bundle_dir: &str, id: &str) -> Res<Spec> {
    let top = obj(top)?;
    let ver = need(top, "ociVersion")?;
    let version = str_of(ver)?;
    if !supported_version(version) {
        return Err(fail_q(ver, "unsupported version ", version, " (runt reads 1.0.x to 1.2.x)"));
    }
    let root = obj(need(top, "root")?)?;
    let rp = need(root, "path")?;
    let root_path = str_of(rp)?;
    if root_path.is_empty() {
        return Err(fail(rp, "must not be empty"));
    }
    let linux = object_or_empty(top, "linux")?;
    refuse(linux, "intelRdt netDevices", "not supported")?;
    let resources = object_or_empty(linux, "resources")?;
    // Filled in place, strings too: an error on the way then drops one Spec, not each field built
    // so far.
    let mut spec = Spec::blank();
    spec.root = Root { path: Some(in_bundle(bundle_dir, root_path)), readonly: false };
    flag(root, "readonly", &mut spec.root.readonly)?;
    spec.name.push_str(id);
    spec.oci.version.push_str(version);
    spec.oci.bundle.push_str(bundle_dir);
    fill_limits(resources, &mut spec.limits)?;
    device_rules(resources, spec.device_rules.insert(Vec::new()))?;
    absolute_paths(linux, "maskedPaths", &mut spec.masked_paths)?;
    absolute_paths(linux, "readonlyPaths", &mut spec.readonly_paths)?;
    if let Some(s) = object_or_none(linux, "seccomp")? {
        seccomp(s, &mut spec.seccomp, &mut spec.oci.seccomp_listener)?;
    }
    // As process.selinuxLabel: ignored where SELinux is not enabled, refused where it is.
    if let Some(label) = get(linux, "mountLabel").filter(|v| is_set(v)) {
        if let Some(why) = Lsm::SELinux.refusal(Lsm::SELinux.enabled()) {
            return Err(fail(label, why));
        }
    }
    if let Some(p) = get(linux, "rootfsPropagation").filter(|p| is_set(p)) {
        spec.oci.rootfs_propagation = propagation(str_of(p)?).ok_or_else(|| fail(p, "unknown propagation"))?;
    }
    cgroups_path(linux, &mut spec.oci.cgroups_path)?;
    hooks(top, &mut spec.oci.hooks)?;
    map(top, "annotations", &mut spec.oci.annotations)?;
    process(obj(need(top, "process")?)?, &mut spec)?;
    linux_process(linux, &mut spec)?;
    namespaces(linux, &mut spec)?;
    sysctl(linux, &mut spec)?;
    // Without a UTS namespace of its own the container would rename the host.
    let uts = spec.namespaces & CLONE_NEWUTS != 0 || spec.join.iter().any(|j| j.0 == CLONE_NEWUTS);
    opt_text(top, "domainname", &mut spec.oci.domainname)?;
    if spec.oci.domainname.is_some() && !uts {
        return Err(fail_in(top, "domainname", "set without a UTS namespace"));
    }
    let hostname = match text(top, "hostname")?.as_str() {
        "" if spec.namespaces & CLONE_NEWUTS != 0 => id.get(..64).unwrap_or(id),
        // The spec leaves it to the runtime: a new UTS namespace is named after the container
        // (at most 64 bytes of it). A joined or shared one is left alone (empty: not set).
        "" => "",
        _ if !uts => return Err(fail_in(top, "hostname", "set without a UTS namespace")),
        h if h.len() > 64 => return Err(fail_in(top, "hostname", "longer than 64 bytes")),
        h => h,
    };
    spec.hostname.push_str(hostname);
    for m in list(top, "mounts")? {
        mount(obj(m)?, bundle_dir, &mut spec.mounts)?;
    }
    for d in list(linux, "devices")? {
        device_node(obj(d)?, &mut spec.device_nodes)?;
    }
    Ok(spec)
}

/// 1.0.x, 1.1.x and 1.2.x, with any pre-release or build suffix ("1.0.2-dev", "1.1.0-rc.1").
fn supported_version(v: &str) -> bool {
    let [b'1', b'.', b'0'..=b'2', b'.', patch @ ..] = v.as_bytes() else { return false };
    let digits = patch.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && matches!(patch.get(digits), None | Some(b'-' | b'+'))
}

/// The absolute paths listed in member `k`, appended to `out`.
fn absolute_paths(linux: &Value, k: &str, out: &mut Vec<String>) -> Res<()> {
    string_list(linux, k, out, true)
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use crate::security::bpf::{vm, Action};
    use crate::security::caps::{self, Caps};
    use crate::security::devices;
    use crate::security::rlimits::Rlimit;
    use crate::spec::{Hooks, Mount, Seccomp, User};
    use crate::sys::process::{CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID};
    use crate::userns::IdMap;
    use linux_raw_sys::general::{
        MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_RELATIME, MS_STRICTATIME,
    };
    use std::string::ToString;

    #[test]
    fn podman_config() {
        let s = podman();
        assert_eq!(s.name, "e3d603a5eab2");
        assert_eq!(s.oci.version, "1.0.2-dev");
        assert_eq!(s.args, ["echo", "hi"]);
        assert_eq!(
            s.env,
            [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "TERM=xterm",
                "container=podman",
                "HOME=/root",
                "HOSTNAME=e3d603a5eab2"
            ]
        );
        assert_eq!(s.cwd, "/");
        assert_eq!(s.user, Some(User { uid: 0, gid: 0 }));
        assert_eq!(s.oci.umask, Some(18));
        assert!(s.oci.additional_gids.is_empty());
        assert!(!s.oci.terminal);
        // podman's 14 capabilities are Docker's default set.
        let default = caps::DEFAULT;
        assert_eq!(s.caps, Caps { bounding: default, effective: default, permitted: default, ..Caps::default() });
        assert_eq!(
            s.rlimits,
            [Rlimit { resource: 7, soft: 1024, hard: 1024 }, Rlimit { resource: 6, soft: 1024, hard: 1024 }]
        );
        assert!(!s.no_new_privs);
        assert_eq!(s.oom_score_adj, None);
        let rootfs = "/PODMAN/graph/vfs/dir/9e0b79f9c5fe3de96bb83bbfd35386cd510394b0bdf46b72dc258efb66b133e3";
        assert_eq!(s.root, Root { path: Some(rootfs.into()), readonly: false });
        assert_eq!(s.hostname, "e3d603a5eab2");
        assert_eq!(s.oci.domainname, None);

        assert_eq!(s.mounts.len(), 11);
        let m = |dest: &str| s.mounts.iter().find(|m| m.destination == dest).unwrap();
        let vol = Mount {
            destination: "/mnt".into(),
            source: "/PODMAN/vol".into(),
            fstype: String::new(),
            flags: MS_BIND | MS_REC,
            data: String::new(),
            propagation: MS_PRIVATE | MS_REC,
            attr_set: 0,
            attr_clear: 0,
            attrs_optional: false,
            copy_up: false,
        };
        assert_eq!(s.mounts[0], vol);
        let proc = m("/proc");
        assert_eq!((proc.fstype.as_str(), proc.source.as_str()), ("proc", "proc"));
        assert_eq!((proc.flags, proc.data.as_str(), proc.propagation), (MS_NOSUID | MS_NOEXEC | MS_NODEV, "", 0));
        assert_eq!(m("/dev").flags, MS_NOSUID | MS_NOEXEC | MS_STRICTATIME);
        assert_eq!(m("/dev").data, "mode=755,size=65536k");
        assert_eq!(m("/dev/pts").data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
        assert_eq!(m("/sys").flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
        let shm = m("/dev/shm");
        assert!(shm.is_bind() && shm.fstype.is_empty());
        assert_eq!(shm.flags, MS_BIND | MS_NOSUID | MS_NOEXEC | MS_NODEV);
        assert_eq!(m("/etc/hosts").flags, MS_BIND);
        let cg = m("/sys/fs/cgroup");
        assert_eq!(cg.fstype, "cgroup");
        assert_eq!(cg.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);
        assert_eq!(cg.propagation, MS_PRIVATE | MS_REC);

        assert_eq!(s.namespaces, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
        assert!(s.join.is_empty());
        assert_eq!(s.userns, None);
        assert_eq!(
            s.oci.cgroups_path.as_deref(),
            Some("libpod_parent/libpod-e3d603a5eab27a41a6acdcf6728e56cb749ca21aaeaf4073d9d7b727a434b9a4")
        );
        let limits = Limits {
            pids: Some(10),
            memory: Some(64 << 20),
            memory_swap: Some(128 << 20),
            ..resources(&parse("{}")).unwrap()
        };
        assert_eq!(s.limits, limits);
        assert_eq!(s.limits.cpu_period, None);
        assert_eq!(s.masked_paths.len(), 11);
        assert_eq!(s.masked_paths[9..], ["/sys/fs/selinux", "/sys/dev/block"]);
        let ro = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];
        assert_eq!(s.readonly_paths, ro);
        // podman's lone deny-all rule, then the default devices: exactly runt's own default list.
        assert_eq!(s.device_rules.as_deref(), Some(devices::DEFAULT));
        assert!(s.device_nodes.is_empty());
        assert_eq!(s.oci.annotations.len(), 8);
        assert_eq!(s.oci.annotations[0], ("io.container.manager".into(), "libpod".into()));
        assert_eq!(s.oci.hooks, Hooks::default());
        assert_eq!(s.oci.bundle, "/bundle");
    }

    #[test]
    fn runc_spec_config() {
        let s = runc_with(&[]).unwrap();
        assert_eq!(s.name, "c1");
        assert_eq!(s.args, ["sh"]);
        assert!(s.oci.terminal);
        let three = (1 << 29) | (1 << 5) | (1 << 10); // AUDIT_WRITE, KILL, NET_BIND_SERVICE
        assert_eq!(
            s.caps,
            Caps { bounding: three, effective: three, permitted: three, inheritable: 0, ambient: three }
        );
        assert!(s.no_new_privs);
        assert_eq!(s.root, Root { path: Some("/b/rootfs".into()), readonly: true });
        assert_eq!(s.hostname, "runc");
        assert_eq!(s.mounts.len(), 7);
        let proc = Mount {
            destination: "/proc".into(),
            source: "proc".into(),
            fstype: "proc".into(),
            flags: 0,
            data: String::new(),
            propagation: 0,
            attr_set: 0,
            attr_clear: 0,
            attrs_optional: false,
            copy_up: false,
        };
        assert_eq!(s.mounts[0], proc);
        assert_eq!(s.namespaces, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
        assert_eq!(s.device_rules.as_deref(), Some(devices::DEFAULT));
        assert_eq!(s.seccomp, Seccomp::Unconfined);
        assert_eq!(s.oci.umask, None);
        assert_eq!(s.oci.cgroups_path, None);
        assert!(!s.limits.any());
        assert_eq!(s.masked_paths.len(), 10);
        assert_eq!(s.readonly_paths.len(), 5);
    }

    #[test]
    fn runc_rootless_spec_config() {
        // What `runc spec --rootless` changes.
        let sys = r#"{"destination":"/sys","type":"none","source":"/sys","options":["rbind","nosuid","noexec","nodev","ro"]}"#;
        let s = runc_with(&[
            ("mounts.2.options", Some(r#"["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620"]"#)),
            ("mounts.5", Some(sys)),
            ("linux.resources", None),
            ("linux.uidMappings", Some(r#"[{"containerID":0,"hostID":1000,"size":1}]"#)),
            ("linux.gidMappings", Some(r#"[{"containerID":0,"hostID":1001,"size":1}]"#)),
            (
                "linux.namespaces",
                Some(r#"[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"user"}]"#),
            ),
        ])
        .unwrap();
        let ns = s.userns.unwrap();
        assert_eq!(ns.uid_maps, [IdMap { inside: 0, outside: 1000, count: 1 }]);
        assert_eq!(ns.gid_maps, [IdMap { inside: 0, outside: 1001, count: 1 }]);
        assert_eq!(s.namespaces, CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
        let sys = &s.mounts[5];
        assert_eq!((sys.source.as_str(), sys.fstype.as_str()), ("/sys", ""));
        assert_eq!(sys.flags, MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
        // No rules at all: the default devices only.
        assert_eq!(s.device_rules.as_deref(), Some(devices::DEFAULT));
    }

    #[test]
    fn runt_spec_configs() {
        // runc's three: AUDIT_WRITE, KILL, NET_BIND_SERVICE.
        let three = 1 << 29 | 1 << 5 | 1 << 10;
        for (rootless, seccomp) in [(false, false), (true, false), (false, true), (true, true)] {
            let v = parse(&crate::oci::template::config(rootless, seccomp, 1000, 1000));
            let s = from_json(&v, "/b", "x").unwrap();
            if seccomp {
                let Seccomp::Custom { filter, .. } = &s.seccomp else { panic!("no filter") };
                let nr = crate::security::seccomp::syscall_nr("mount").unwrap();
                assert_eq!(vm::run(filter, &crate::security::seccomp::native_data(nr, &[])), Action::Errno(1).ret());
            } else {
                assert!(!matches!(s.seccomp, Seccomp::Custom { .. }));
            }
            assert_eq!((s.caps.bounding, s.caps.ambient, s.caps.inheritable), (three, three, 0));
            assert_eq!(s.userns.is_some(), rootless);
            assert_eq!(s.device_rules.as_deref(), Some(devices::DEFAULT));
        }
    }

    #[test]
    fn minimal_config() {
        let v = parse(
            r#"{"ociVersion":"1.2.0","root":{"path":"r"},"process":{"args":["true"],"cwd":"/"},
            "linux":{"namespaces":[{"type":"mount"},{"type":"uts"}]}}"#,
        );
        let s = from_json(&v, "/b/", "c1").unwrap();
        assert_eq!(s.root.path.as_deref(), Some("/b/r"));
        assert_eq!(s.user, Some(User { uid: 0, gid: 0 }));
        assert_eq!(s.caps, Caps::default());
        assert!(s.env.is_empty() && s.rlimits.is_empty() && s.mounts.is_empty() && s.masked_paths.is_empty());
        assert_eq!(s.hostname, "c1");
        assert_eq!(s.seccomp, Seccomp::Unconfined);
        // Without linux.resources: only the default devices.
        assert_eq!(s.device_rules.as_deref(), Some(devices::DEFAULT));
        assert_eq!(s.limits, Limits::default());
    }

    #[test]
    fn versions() {
        for ok in ["1.0.0", "1.0.2-dev", "1.1.0-rc.1", "1.2.0", "1.2.1+build", "1.0.0-rc5-dev"] {
            assert!(supported_version(ok), "{ok}");
        }
        for bad in ["", "1", "1.0", "1.3.0", "2.0.0", "0.5.0", "1.0.x", "1.0.0.0", "v1.0.0", "1..0"] {
            assert!(!supported_version(bad), "{bad}");
        }
        assert_eq!(
            error("ociVersion", r#""1.3.0""#),
            r#"config.json: ociVersion: unsupported version "1.3.0" (runt reads 1.0.x to 1.2.x)"#
        );
    }

    #[rustfmt::skip]
    const ERRORS: &[(&str, &str, &str)] = &[
        ("ociVersion", "1", "ociVersion: expected a string, found number"),
        ("root", "[]", "root: expected an object, found array"),
        ("root.path", r#""""#, "root.path: must not be empty"),
        ("process.args", "[]", "process.args: must not be empty"),
        ("process.args", r#"["a",1]"#, "process.args[1]: expected a string, found number"),
        ("process.env", r#"["A=1","B"]"#, r#"process.env[1]: "B" is not KEY=VALUE"#),
        ("process.env", r#"["=1"]"#, r#"process.env[0]: "=1" is not KEY=VALUE"#),
        ("process.cwd", r#""rel""#, "process.cwd: must be an absolute path"),
        ("process.user.uid", "-1", "process.user.uid: expected a non-negative integer, found number"),
        ("process.user.gid", "4294967296", "process.user.gid: out of range"),
        ("process.user.additionalGids", "[1,1.5]", "process.user.additionalGids[1]: expected a non-negative integer, found number"),
        ("process.consoleSize", r#"{"height":70000,"width":80}"#, "process.consoleSize.height: out of range"),
        ("process.capabilities.bounding", r#""CAP_KILL""#, "process.capabilities.bounding: expected an array, found string"),
        ("process.rlimits.0.type", r#""RLIMIT_NOPE""#, r#"process.rlimits[0].type: unknown resource limit "RLIMIT_NOPE""#),
        ("process.rlimits.0.type", r#""nofile""#, r#"process.rlimits[0].type: unknown resource limit "nofile""#),
        ("process.rlimits.0.soft", "2048", "process.rlimits[0]: the soft limit is above the hard one"),
        ("process.rlimits", r#"[{"type":"RLIMIT_CORE","soft":0,"hard":0},{"type":"RLIMIT_CORE","soft":0,"hard":0}]"#,
            r#"process.rlimits[1].type: "RLIMIT_CORE" given twice"#),
        ("process.oomScoreAdj", "1001", "process.oomScoreAdj: must be from -1000 to 1000"),
        ("process.ioPriority", r#"{"class":"IOPRIO_CLASS_NONE"}"#, r#"process.ioPriority.class: unknown value "IOPRIO_CLASS_NONE""#),
        ("process.ioPriority", r#"{"class":"IOPRIO_CLASS_BE","priority":8}"#, "process.ioPriority.priority: out of range"),
        ("process.scheduler", r#"{"nice":1}"#, "process.scheduler.policy: required"),
        ("process.scheduler", r#"{"policy":"SCHED_BATCH","nice":20}"#, "process.scheduler.nice: must be from -20 to 19"),
        ("process.scheduler", r#"{"policy":"SCHED_BATCH","priority":1}"#, "process.scheduler.priority: only SCHED_FIFO and SCHED_RR take one"),
        ("process.scheduler", r#"{"policy":"SCHED_RR","period":1}"#, "process.scheduler: runtime, deadline and period are SCHED_DEADLINE's"),
        ("process.scheduler", r#"{"policy":"SCHED_RR","flags":["SCHED_FLAG_NOPE"]}"#, r#"process.scheduler.flags[0]: unknown value "SCHED_FLAG_NOPE""#),
        ("process.execCPUAffinity", r#"{"initial":"0-x"}"#, "process.execCPUAffinity.initial: expected a list of CPUs such as 0-3,7"),
        ("process.noNewPrivileges", "1", "process.noNewPrivileges: expected a boolean, found number"),
        ("mounts.1.destination", r#""dev""#, "mounts[1].destination: must be an absolute path"),
        ("mounts.1.options", r#"["idmap"]"#, r#"mounts[1].options[0]: "idmap" is not supported"#),
        ("mounts.1.options", r#"["ro","idmap"]"#, r#"mounts[1].options[1]: "idmap" is not supported"#),
        ("mounts.1.options", r#"["ridmap"]"#, r#"mounts[1].options[0]: "ridmap" is not supported"#),
        ("mounts.1.options", r#"["private","shared"]"#, "mounts[1].options[1]: a second, different propagation type"),
        ("mounts.1.uidMappings", r#"[{"containerID":0,"hostID":1,"size":1}]"#, "mounts[1].uidMappings: idmapped mounts are not supported"),
        ("mounts.1.type", r#""""#, "mounts[1].type: required for a mount that is not a bind mount"),
        ("mounts.1", r#"{"destination":"/x","type":"bind","options":["rbind"]}"#, "mounts[1].source: required for a bind mount"),
        ("linux.namespaces.2.type", r#""foo""#, r#"linux.namespaces[2].type: unknown namespace type "foo""#),
        ("linux.namespaces.2.type", r#""pid""#, r#"linux.namespaces[2].type: "pid" listed twice"#),
        ("linux.namespaces.2.path", r#""proc/1/ns/ipc""#, "linux.namespaces[2].path: must be an absolute path"),
        ("linux.uidMappings", r#"[{"containerID":0,"hostID":1000,"size":1}]"#, "linux.uidMappings: given without a new user namespace"),
        ("linux.devices", r#"[{"path":"/dev/fuse","type":"x","major":10,"minor":229}]"#, r#"linux.devices[0].type: unknown device type "x""#),
        ("linux.devices", r#"[{"path":"dev/fuse","type":"c","major":10,"minor":229}]"#, "linux.devices[0].path: must be an absolute path to a file, without '..'"),
        ("linux.devices", r#"[{"path":"/dev/../etc/x","type":"c","major":10,"minor":229}]"#, "linux.devices[0].path: must be an absolute path to a file, without '..'"),
        ("linux.devices", r#"[{"path":"/","type":"c","major":10,"minor":229}]"#, "linux.devices[0].path: must be an absolute path to a file, without '..'"),
        ("linux.devices", r#"[{"path":"/dev/fuse","type":"c","minor":229}]"#, "linux.devices[0].major: required"),
        ("linux.resources.devices.0.access", r#""rwx""#, "linux.resources.devices[0].access: expected a mix of r, w and m"),
        ("linux.resources.devices.0.type", r#""p""#, r#"linux.resources.devices[0].type: unknown device type "p" (a, c or b)"#),
        ("linux.resources.devices.0", r#"{"allow":false}"#, "linux.resources.devices[0].access: required"),
        ("linux.resources.memory.swap", "-2", "linux.resources.memory.swap: expected -1 (unlimited) or a number of bytes"),
        ("linux.resources.memory.disableOOMKiller", "true", "linux.resources.memory.disableOOMKiller: not supported"),
        ("linux.resources.cpu.realtimeRuntime", "-2", "linux.resources.cpu.realtimeRuntime: expected -1 (unlimited) or a number of microseconds"),
        ("linux.resources.memory.limit", "-12345", "linux.resources.memory.limit: expected -1 (unlimited), 0 (not set) or a positive number"),
        ("linux.resources.memory.limit", "4096", "linux.resources.memory.limit: below the minimum of 2097152: 4096"),
        ("linux.resources.memory.reservation", "-3", "linux.resources.memory.reservation: expected -1 (unlimited), 0 (not set) or a positive number"),
        ("linux.resources.pids.limit", "-5", "linux.resources.pids.limit: expected -1 (unlimited), 0 (not set) or a positive number"),
        ("linux.resources.cpu.quota", "-7", "linux.resources.cpu.quota: expected -1 (unlimited), 0 (not set) or a positive number"),
        ("linux.resources.cpu.quota", "500", "linux.resources.cpu.quota: below the minimum of 1000: 500"),
        ("linux.resources.cpu.period", "500", "linux.resources.cpu.period: out of range: 1000 to 1000000 (microseconds)"),
        ("linux.resources.cpu.period", "-1", "linux.resources.cpu.period: expected a non-negative integer, found number"),
        ("linux.resources.memory", r#"{"limit":67108864,"swap":33554432}"#,
            "linux.resources: memory+swap limit (33554432) should be >= memory limit (67108864)"),
        ("linux.resources.cpu.idle", "1", "linux.resources.cpu.idle: not supported"),
        ("linux.resources.blockIO.weight", "5", "linux.resources.blockIO.weight: must be from 10 to 1000"),
        ("linux.resources.blockIO.throttleReadBpsDevice", r#"[{"major":8,"minor":0,"rate":1}]"#,
            "linux.resources.blockIO.throttleReadBpsDevice: not supported"),
        ("linux.resources.hugepageLimits", r#"[{"pageSize":"2MB","limit":1}]"#, "linux.resources.hugepageLimits: not supported"),
        ("linux.resources.network", r#"{"classID":1}"#, "linux.resources.network: not supported"),
        ("linux.resources.rdma", r#"{"mlx5_1":{"hcaHandles":3}}"#, "linux.resources.rdma: not supported"),
        ("linux.resources.unified", r#"{"memory.high":1}"#, "linux.resources.unified.memory.high: expected a string, found number"),
        ("linux.resources.pids", "10", "linux.resources.pids: expected an object, found number"),
        ("linux.cgroupsPath", r#""a:b""#, r#"linux.cgroupsPath: "a:b": expected slice:prefix:name"#),
        ("linux.cgroupsPath", r#""/a/../b""#, r#"linux.cgroupsPath: "/a/../b": '..' is not allowed"#),
        ("linux.sysctl", r#"{"../../etc/x":"1"}"#, r#"linux.sysctl.../../etc/x: invalid key "../../etc/x""#),
        ("linux.maskedPaths", r#"["proc/kcore"]"#, "linux.maskedPaths[0]: must be an absolute path"),
        ("linux.readonlyPaths", r#"["/proc/sys",3]"#, "linux.readonlyPaths[1]: expected a string, found number"),
        ("linux.rootfsPropagation", r#""bogus""#, "linux.rootfsPropagation: unknown propagation"),
        ("linux.seccomp", r#"{"defaultAction":"SCMP_ACT_NOPE"}"#, "linux.seccomp: unknown seccomp action 'SCMP_ACT_NOPE'"),
        ("linux.seccomp", r#"{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}"#,
            "linux.seccomp: unsupported seccomp flag 'SECCOMP_FILTER_FLAG_NEW_LISTENER'"),
        ("linux.seccomp", r#"{"defaultAction":"SCMP_ACT_ALLOW","listenerMetadata":"m"}"#,
            "linux.seccomp.listenerMetadata: listenerMetadata needs a listenerPath"),
        ("linux.seccomp", r#"{"syscalls":[]}"#, "linux.seccomp.defaultAction: required"),
        ("linux.seccomp", r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1}]}]}"#,
            "linux.seccomp.syscalls[0].args[0].op: required"),
        ("linux.intelRdt", r#"{"closID":"x"}"#, "linux.intelRdt: not supported"),
        ("linux.personality", r#"{"domain":"LINUX64"}"#, r#"linux.personality.domain: unknown value "LINUX64""#),
        ("linux.personality", r#"{"domain":"LINUX","flags":["X"]}"#, "linux.personality.flags: not supported"),
        ("linux.timeOffsets", r#"{"monotonic":{"secs":1}}"#, "linux.timeOffsets: given without a new time namespace"),
        ("linux.memoryPolicy", r#"{"nodes":"0"}"#, "linux.memoryPolicy.mode: required"),
        ("linux.memoryPolicy", r#"{"mode":"MPOL_BIND","nodes":"0-"}"#, "linux.memoryPolicy.nodes: expected a list of nodes such as 0-3,7"),
        ("linux.memoryPolicy", r#"{"mode":"MPOL_BIND","flags":["MPOL_F_X"]}"#, r#"linux.memoryPolicy.flags[0]: unknown value "MPOL_F_X""#),
        ("hooks.prestart", r#"[{"path":"hook"}]"#, "hooks.prestart[0].path: must be an absolute path"),
        ("hooks.poststop", r#"[{"path":"/bin/true","timeout":0}]"#, "hooks.poststop[0].timeout: must be above 0"),
        ("hooks.createRuntime", r#"[{"args":["x"]}]"#, "hooks.createRuntime[0].path: required"),
        ("annotations", r#"{"a":1}"#, "annotations.a: expected a string, found number"),
    ];

    #[test]
    fn errors_name_their_field() {
        for &(path, new, want) in ERRORS {
            assert_eq!(error(path, new), format!("config.json: {want}"), "{path} = {new}");
        }
        let missing = |path: &str| runc_with(&[(path, None)]).unwrap_err().to_string();
        assert_eq!(missing("process"), "config.json: process: required");
        assert_eq!(missing("process.cwd"), "config.json: process.cwd: required");
        assert_eq!(missing("process.args"), "config.json: process.args: must not be empty");
        assert_eq!(missing("root"), "config.json: root: required");
        assert_eq!(missing("ociVersion"), "config.json: ociVersion: required");
        // No namespaces at all: the caller's, where a hostname may not be set.
        assert_eq!(missing("linux"), "config.json: hostname: set without a UTS namespace");
        let not_object = from_json(&parse("[]"), "/b", "c").unwrap_err().to_string();
        assert_eq!(not_object, "config.json: expected an object, found array");
    }

    #[test]
    fn unknown_fields_and_empty_unsupported_ones_pass() {
        let s = runc_with(&[
            ("somethingNew", Some(r#"{"a":[1,2]}"#)),
            ("linux.newThing", Some("true")),
            ("process.apparmorProfile", Some(r#""""#)),
            ("process.selinuxLabel", Some("null")),
            ("linux.intelRdt", Some("{}")),
            ("linux.mountLabel", Some(r#""""#)),
            ("linux.resources.hugepageLimits", Some("[]")),
            ("linux.resources.cpu", Some(r#"{"realtimeRuntime":0,"idle":0}"#)),
            // Deprecated or v1-only: ignored, as runc does.
            ("linux.resources.memory", Some(r#"{"kernel":1,"kernelTCP":1,"swappiness":60,"useHierarchy":true}"#)),
            ("windows", Some("{}")),
        ]);
        assert!(s.is_ok(), "{s:?}");
    }

    #[test]
    fn hostname_and_uts_namespace() {
        let e = |c: &[(&str, Option<&str>)]| runc_with(c).unwrap_err().to_string();
        let no_uts = ("linux.namespaces", Some(r#"[{"type":"mount"}]"#));
        assert_eq!(e(&[no_uts]), "config.json: hostname: set without a UTS namespace");
        assert_eq!(
            e(&[no_uts, ("hostname", None), ("domainname", Some(r#""d""#))]),
            "config.json: domainname: set without a UTS namespace"
        );
        // No UTS namespace of its own and no hostname: nothing to set.
        assert_eq!(runc_with(&[no_uts, ("hostname", None)]).unwrap().hostname, "");
        // A new one without a hostname is named after the container.
        let s = runc_with(&[("hostname", None), ("domainname", Some(r#""example.org""#))]).unwrap();
        assert_eq!((s.hostname.as_str(), s.oci.domainname.as_deref()), ("c1", Some("example.org")));
        let mut v = parse(RUNC_SPEC);
        set(&mut v, "hostname", None);
        assert_eq!(from_json(&v, "/b", &"a".repeat(80)).unwrap().hostname, "a".repeat(64));
        // A joined one keeps its name unless one is given.
        let joined = ("linux.namespaces.3", Some(r#"{"type":"uts","path":"/proc/1/ns/uts"}"#));
        assert_eq!(runc_with(&[joined, ("hostname", None)]).unwrap().hostname, "");
        assert_eq!(runc_with(&[joined]).unwrap().hostname, "runc");
        assert_eq!(
            error("hostname", &format!("\"{}\"", "h".repeat(65))),
            "config.json: hostname: longer than 64 bytes"
        );
    }

    #[test]
    fn relative_paths_resolve_against_the_bundle() {
        for (bundle, root, want) in
            [("/b", "rootfs", "/b/rootfs"), ("/b/", "./rootfs", "/b/rootfs"), ("/", "r", "/r"), ("/b", "/abs", "/abs")]
        {
            let mut v = parse(RUNC_SPEC);
            set(&mut v, "root.path", Some(&format!("\"{root}\"")));
            assert_eq!(from_json(&v, bundle, "c").unwrap().root.path.as_deref(), Some(want), "{bundle} {root}");
        }
        let s = runc_with(&[
            ("mounts.0", Some(r#"{"destination":"/data","type":"bind","source":"data","options":["rbind","ro"]}"#)),
            ("mounts.1", Some(r#"{"destination":"/abs","source":"/srv","options":["bind"]}"#)),
        ])
        .unwrap();
        assert_eq!(s.mounts[0].source, "/b/data");
        assert_eq!(s.mounts[0].flags, MS_BIND | MS_REC | MS_RDONLY);
        assert_eq!(s.mounts[1].source, "/srv");
        assert_eq!(s.mounts[1].flags, MS_BIND);
    }

    #[test]
    fn load_reads_the_bundle() {
        let dir = std::env::temp_dir().join(format!("runt-config-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let b = dir.to_str().unwrap();
        let load = |dir: &str, id| super::load(&default_path(dir), dir, id);
        let missing = load(b, "c").unwrap_err();
        assert_eq!(missing.to_string(), format!("open {b}/config.json: No such file or directory"));
        // Bigger than the first read, to go through the growing buffer.
        let mut text = RUNC_SPEC.replace("\"sh\"", &format!("\"{}\"", "x".repeat(200_000)));
        std::fs::write(dir.join("config.json"), &text).unwrap();
        let s = load(&format!("{b}/"), "c").unwrap();
        assert_eq!(s.args[0].len(), 200_000);
        assert_eq!(s.root.path, Some(format!("{b}/rootfs")));
        std::fs::write(dir.join("config.json"), "{\n\"ociVersion\": }").unwrap();
        let e = load(b, "c").unwrap_err().to_string();
        assert_eq!(e, format!("{b}/config.json: line 2, column 15: expected a value"));
        text.extend(std::iter::repeat_n(' ', json::MAX_INPUT));
        std::fs::write(dir.join("config.json"), &text).unwrap();
        let e = load(b, "c").unwrap_err().to_string();
        assert_eq!(e, format!("{b}/config.json: line 1, column 1: input larger than 4 MiB"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
