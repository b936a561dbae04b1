//! `linux.sysctl`: each key checked as runc checks it, against the namespaces the container
//! has, and turned into the file under /proc/sys that rootfs::sysctl writes (through the procfs
//! runt mounts for the container, once its namespaces exist).
//!
//! /proc/sys is not namespaced as a whole: only the network namespace's settings (net.*) and
//! the IPC namespace's (kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*) are the container's
//! own, and only when it has that namespace (made for it, or joined: a pod's containers join the
//! pause container's, which containerd hands the pod's sysctls). Anything else would change the
//! host: refused. So are kernel.hostname and kernel.domainname, which `hostname` and
//! `domainname` set.

use super::read::*;
use crate::cstr::open_path;
use crate::json::Value;
use crate::spec::Spec;
use crate::sys::fs;
use crate::sys::process::{CLONE_NEWIPC, CLONE_NEWNET};
use alloc::string::String;

/// The IPC namespace's settings under kernel.* (fs.mqueue.* are too).
const IPC_KEYS: &str =
    "kernel.msgmax kernel.msgmnb kernel.msgmni kernel.sem kernel.shmall kernel.shmmax kernel.shmmni kernel.shm_rmid_forced";

/// linux.sysctl into `s.oci.sysctl`; the namespaces must have been read.
pub(super) fn sysctl(linux: &Value, s: &mut Spec) -> Res<()> {
    for (key, v) in object_or_empty(linux, "sysctl")?.as_object().unwrap_or_default() {
        let value = str_of(v)?;
        let Some((dotted, file)) = forms(key) else { return Err(fail_q(v, "invalid key ", key, "")) };
        let has = |flag: u32| s.namespaces & flag != 0 || s.join.iter().any(|j| j.0 == flag);
        let refusal = if IPC_KEYS.split(' ').any(|k| k == dotted) || dotted.starts_with("fs.mqueue.") {
            (!has(CLONE_NEWIPC)).then_some("not allowed in the host's IPC namespace")
        } else if dotted.starts_with("net.") {
            (!has(CLONE_NEWNET) || joins_own_net(s)?).then_some("not allowed in the host's network namespace")
        } else if dotted == "kernel.hostname" || dotted == "kernel.domainname" {
            Some("not allowed: the hostname and domainname fields set it")
        } else {
            Some("not in a namespace of the container's: it would change the host")
        };
        if let Some(why) = refusal {
            return Err(fail(v, why));
        }
        s.oci.sysctl.push((file, value.clone()));
    }
    Ok(())
}

/// A key in runc's dotted form ("net.ipv4.conf.eth0/100.rp_filter": a '/' stands for a '.' in a
/// name) and as a file under /proc/sys ("net/ipv4/conf/eth0.100/rp_filter"). sysctl(8) takes
/// both forms, told apart by the first separator. None when the file would not be one below
/// /proc/sys (an empty, `.` or `..` component).
fn forms(key: &str) -> Option<(String, String)> {
    let swapped: String = key
        .chars()
        .map(|c| {
            if c == '.' {
                '/'
            } else if c == '/' {
                '.'
            } else {
                c
            }
        })
        .collect();
    let slashes_first = key.find(['.', '/']).is_some_and(|i| key.as_bytes().get(i) == Some(&b'/'));
    let (dotted, file) = if slashes_first { (swapped, String::from(key)) } else { (String::from(key), swapped) };
    let bad = |c: &str| matches!(c, "" | "." | "..");
    (!file.split('/').any(bad)).then_some((dotted, file))
}

/// Whether the network namespace the container joins is runt's own ("host" in runc's message
/// means the caller's).
fn joins_own_net(s: &Spec) -> Res<bool> {
    let Some((_, path)) = s.join.iter().find(|j| j.0 == CLONE_NEWNET) else { return Ok(false) };
    let same = |p: &str| {
        let fd = open_path(p, fs::O_PATH, 0, "open ").ok()?;
        fs::identity(fd.raw()).ok()
    };
    let own = same("/proc/self/ns/net");
    Ok(own.is_some() && own == same(path))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use std::string::ToString;

    #[test]
    fn keys_in_both_forms_name_files_below_proc_sys() {
        let f = forms;
        assert_eq!(f("net.ipv4.ip_forward"), Some(("net.ipv4.ip_forward".into(), "net/ipv4/ip_forward".into())));
        let vlan = ("net.ipv4.conf.eth0/100.rp_filter".into(), "net/ipv4/conf/eth0.100/rp_filter".into());
        assert_eq!(f("net/ipv4/conf/eth0.100/rp_filter"), Some(vlan.clone()));
        assert_eq!(f("net.ipv4.conf.eth0/100.rp_filter"), Some(vlan));
        for bad in ["", "/net/x", "net..x", "net.x.", "../../etc/x", "net/../../x", "net.ipv4.//", "."] {
            assert_eq!(f(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_the_containers_own_namespaces_settings() {
        let ok = runc_with(&[(
            "linux.sysctl",
            Some(r#"{"net.ipv4.ip_forward":"1","kernel.shm_rmid_forced":"1","fs.mqueue.msg_max":"20"}"#),
        )])
        .unwrap();
        let want = [("net/ipv4/ip_forward", "1"), ("kernel/shm_rmid_forced", "1"), ("fs/mqueue/msg_max", "20")];
        assert_eq!(ok.oci.sysctl, want.map(|(f, v)| (f.to_string(), v.to_string())));
        // A joined namespace counts: the pause container's, in a pod.
        let joined = ("linux.namespaces.1", Some(r#"{"type":"network","path":"/run/netns/cni-1"}"#));
        assert!(runc_with(&[joined, ("linux.sysctl", Some(r#"{"net.ipv4.ip_forward":"1"}"#))]).is_ok());
        let ipc_joined = ("linux.namespaces.2", Some(r#"{"type":"ipc","path":"/proc/1/ns/ipc"}"#));
        let sysctl = ("linux.sysctl", Some(r#"{"kernel.shmmax":"1"}"#));
        assert!(runc_with(&[ipc_joined, sysctl]).is_ok());
        let e = |c: &[(&str, Option<&str>)]| runc_with(c).unwrap_err().to_string();
        let no_net = ("linux.namespaces", Some(r#"[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}]"#));
        assert_eq!(
            e(&[no_net, ("linux.sysctl", Some(r#"{"net.core.somaxconn":"1"}"#))]),
            "config.json: linux.sysctl.net.core.somaxconn: not allowed in the host's network namespace"
        );
        let no_ipc =
            ("linux.namespaces", Some(r#"[{"type":"pid"},{"type":"network"},{"type":"uts"},{"type":"mount"}]"#));
        assert_eq!(
            e(&[no_ipc, sysctl]),
            "config.json: linux.sysctl.kernel.shmmax: not allowed in the host's IPC namespace"
        );
        assert_eq!(
            e(&[no_ipc, ("linux.sysctl", Some(r#"{"fs.mqueue.queues_max":"1"}"#))]),
            "config.json: linux.sysctl.fs.mqueue.queues_max: not allowed in the host's IPC namespace"
        );
        // runt's own network namespace, joined by path, is the host's.
        let own = ("linux.namespaces.1", Some(r#"{"type":"network","path":"/proc/self/ns/net"}"#));
        let net = ("linux.sysctl", Some(r#"{"net.ipv4.ip_forward":"1"}"#));
        assert_eq!(
            e(&[own, net]),
            "config.json: linux.sysctl.net.ipv4.ip_forward: not allowed in the host's network namespace"
        );
        for (key, why) in [
            ("kernel.hostname", "not allowed: the hostname and domainname fields set it"),
            ("kernel.domainname", "not allowed: the hostname and domainname fields set it"),
            ("vm.swappiness", "not in a namespace of the container's: it would change the host"),
            ("kernel.pid_max", "not in a namespace of the container's: it would change the host"),
        ] {
            let c = format!(r#"{{"{key}":"1"}}"#);
            assert_eq!(e(&[("linux.sysctl", Some(&c))]), format!("config.json: linux.sysctl.{key}: {why}"));
        }
        assert_eq!(
            e(&[("linux.sysctl", Some(r#"{"net.ipv4.ip_forward":1}"#))]),
            "config.json: linux.sysctl.net.ipv4.ip_forward: expected a string, found number"
        );
    }
}
