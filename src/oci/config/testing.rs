//! What the tests of every section share: the runc and podman configs, and a way to change one
//! member of a config before it is mapped.

pub(super) use super::from_json;
pub(super) use crate::error::Result;
pub(super) use crate::json::{self, Value};
pub(super) use crate::spec::Spec;
use std::string::ToString;
use std::vec::Vec;

pub const PODMAN: &str = "/work/shared/fixtures/podman-4.3-config.json";

/// `runc spec` of runc 1.1.5 (Debian 12), as written.
pub const RUNC_SPEC: &str = r#"{"ociVersion":"1.0.2-dev","process":{"terminal":true,"user":{"uid":0,"gid":0},
  "args":["sh"],"env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","TERM=xterm"],"cwd":"/",
  "capabilities":{"bounding":["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"],
    "effective":["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"],
    "permitted":["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"],
    "ambient":["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"]},
  "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}],"noNewPrivileges":true},
  "root":{"path":"rootfs","readonly":true},"hostname":"runc",
  "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
    {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
    {"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
    {"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]},
    {"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
    {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
    {"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["nosuid","noexec","nodev","relatime","ro"]}],
  "linux":{"resources":{"devices":[{"allow":false,"access":"rwm"}]},
    "namespaces":[{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}],
    "maskedPaths":["/proc/acpi","/proc/asound","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list",
      "/proc/timer_stats","/proc/sched_debug","/sys/firmware","/proc/scsi"],
    "readonlyPaths":["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]}}"#;

pub fn parse(text: &str) -> Value {
    json::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Sets (or with `None` removes) the member at a dotted path ("linux.namespaces.2.type"),
/// creating objects on the way; numbers index arrays.
pub fn set(v: &mut Value, path: &str, new: Option<&str>) {
    let (parent, last) = path.rsplit_once('.').unwrap_or(("", path));
    let mut at = v;
    for k in parent.split('.').filter(|k| !k.is_empty()) {
        at = match at {
            Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
            Value::Object(o) => {
                if !o.iter().any(|(x, _)| x == k) {
                    o.push((k.to_string(), Value::Object(Vec::new())));
                }
                &mut o.iter_mut().find(|(x, _)| x == k).unwrap().1
            }
            _ => panic!("{path}: {k} is not a container"),
        };
    }
    match (at, new) {
        (Value::Array(a), Some(n)) => match last.parse::<usize>().unwrap() {
            i if i == a.len() => a.push(parse(n)),
            i => a[i] = parse(n),
        },
        (Value::Object(o), n) => {
            o.retain(|(x, _)| x != last);
            if let Some(n) = n {
                o.push((last.to_string(), parse(n)));
            }
        }
        _ => panic!("{path}"),
    }
}

/// The runc spec with each (path, JSON) change applied, mapped with bundle /b and id "c1".
pub fn runc_with(changes: &[(&str, Option<&str>)]) -> Result<Spec> {
    let mut v = parse(RUNC_SPEC);
    for (path, new) in changes {
        set(&mut v, path, *new);
    }
    from_json(&v, "/b", "c1")
}

pub fn error(path: &str, new: &str) -> String {
    match runc_with(&[(path, Some(new))]) {
        Ok(_) => panic!("{path} = {new}: accepted"),
        Err(e) => e.to_string(),
    }
}

pub fn podman() -> Spec {
    let text = std::fs::read(PODMAN).unwrap_or_else(|e| panic!("{PODMAN}: {e}"));
    from_json(&json::parse(&text).unwrap(), "/bundle", "e3d603a5eab2").unwrap()
}
