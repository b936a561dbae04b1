//! `runt spec`: the default config.json, with runt's secure defaults (the same as `runt run`'s:
//! Docker's capability set, masked and read-only paths, the default seccomp profile).

use crate::security::seccomp::DEFAULT_PROFILE_JSON;
use alloc::format;
use alloc::string::String;

const CAPS: &str = r#"["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID","CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_NET_RAW","CAP_SYS_CHROOT","CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP"]"#;

const MOUNTS: &str = r#"[
    {"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},
    {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
    {"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620"]},
    {"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]},
    {"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
    {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}
  ]"#;

const MASKED: &str = r#"["/proc/acpi","/proc/asound","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware"]"#;
const READONLY: &str = r#"["/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]"#;

/// The config text. Rootless: a user namespace mapping `uid`/`gid` to root, no cgroup limits.
pub fn config(rootless: bool, uid: u32, gid: u32) -> String {
    let (userns, maps, resources) = if rootless {
        (
            r#",{"type":"user"}"#,
            format!(
                r#","uidMappings":[{{"containerID":0,"hostID":{uid},"size":1}}],"gidMappings":[{{"containerID":0,"hostID":{gid},"size":1}}]"#
            ),
            "",
        )
    } else {
        ("", String::new(), r#""resources":{"devices":[{"allow":false,"access":"rwm"}]},"#)
    };
    format!(
        r#"{{
  "ociVersion": "1.0.2",
  "process": {{
    "terminal": false,
    "user": {{"uid": 0, "gid": 0}},
    "args": ["sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {{"bounding": {CAPS}, "effective": {CAPS}, "permitted": {CAPS}}},
    "rlimits": [{{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}}],
    "noNewPrivileges": true
  }},
  "root": {{"path": "rootfs", "readonly": true}},
  "hostname": "runt",
  "mounts": {MOUNTS},
  "linux": {{
    {resources}"namespaces": [{{"type":"pid"}},{{"type":"network"}},{{"type":"ipc"}},{{"type":"uts"}},{{"type":"mount"}},{{"type":"cgroup"}}{userns}]{maps},
    "maskedPaths": {MASKED},
    "readonlyPaths": {READONLY},
    "seccomp": {DEFAULT_PROFILE_JSON}
  }}
}}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oci::json;

    #[test]
    fn both_variants_are_json() {
        for rootless in [false, true] {
            let v = json::parse(config(rootless, 1000, 1000).as_bytes()).unwrap();
            let ns = v.get("linux").and_then(|l| l.get("namespaces")).and_then(json::Value::as_array).unwrap();
            assert_eq!(ns.len(), if rootless { 7 } else { 6 });
            assert!(v.get("linux").and_then(|l| l.get("seccomp")).is_some());
        }
    }
}
