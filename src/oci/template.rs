//! `runt spec`: the default config.json, with runt's secure defaults (the same as `runt run`'s:
//! Docker's capability set, masked and read-only paths, the default seccomp profile).

use crate::error::push_dec;
use crate::security::seccomp::push_default_profile_json;
use alloc::string::String;

const CAPS: &str = r#"["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP"]"#;

/// The config text, with a marker where a part goes: `$` the capability set, `^` the
/// resources (not rootless), `&` the end of the namespaces (with the id mappings when
/// rootless), `@` the seccomp profile. None of these occurs in the text itself.
const TEMPLATE: &str = r#"{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {"bounding": $, "effective": $, "permitted": $},
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "runt",
  "mounts": [
    {"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},
    {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
    {"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620"]},
    {"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]},
    {"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
    {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}
  ],
  "linux": {
    ^"namespaces": [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"}&,
    "maskedPaths": ["/proc/acpi","/proc/asound","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware"],
    "readonlyPaths": ["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"],
    "seccomp": @
  }
}
"#;

/// The config text. Rootless: a user namespace mapping `uid`/`gid` to root, no cgroup limits.
pub fn config(rootless: bool, uid: u32, gid: u32) -> String {
    let mut s = String::with_capacity(8 << 10);
    for &b in TEMPLATE.as_bytes() {
        match b {
            b'$' => s.push_str(CAPS),
            b'^' if !rootless => s.push_str(r#""resources":{"devices":[{"allow":false,"access":"rwm"}]},"#),
            b'^' => {}
            b'&' if rootless => {
                s.push_str(r#",{"type":"user"}],"uidMappings":[{"containerID":0,"hostID":"#);
                push_dec(&mut s, uid.into());
                s.push_str(r#","size":1}],"gidMappings":[{"containerID":0,"hostID":"#);
                push_dec(&mut s, gid.into());
                s.push_str(r#","size":1}]"#);
            }
            b'&' => s.push(']'),
            // The allow list is written from the syscall names table.
            b'@' => push_default_profile_json(&mut s),
            b => s.push(char::from(b)),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    #[test]
    fn both_variants_are_json() {
        for rootless in [false, true] {
            let text = config(rootless, 1000, 1000);
            assert!(!text.contains(['$', '^', '&', '@']), "a marker left in {text}");
            let v = json::parse(text.as_bytes()).unwrap();
            let ns = v.get("linux").and_then(|l| l.get("namespaces")).and_then(json::Value::as_array).unwrap();
            assert_eq!(ns.len(), if rootless { 7 } else { 6 });
            assert!(v.get("linux").and_then(|l| l.get("seccomp")).is_some());
        }
    }
}
