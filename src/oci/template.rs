//! `runt spec`: the default config.json that runc 1.1 writes (`runc spec`, `runc spec
//! --rootless`), byte for byte but for two values: ociVersion 1.0.2 (runc writes its own
//! 1.0.2-dev) and the hostname runt. Test suites make their bundles by editing this template and
//! expect what runc gives them: a terminal, `sh`, the capabilities AUDIT_WRITE, KILL and
//! NET_BIND_SERVICE (ambient too, which the kernel grants only with inheritable ones: see
//! `security::caps`), a device rule denying all (the standard devices stay allowed), and no
//! seccomp profile. `--seccomp` adds runt's default profile, the one `runt run` has.

use crate::error::push_dec;
use crate::security::seccomp::push_default_profile_json;
use alloc::string::String;

/// runc's text, one line each; a line marked `-` is only in the default config, one marked `+`
/// only in the rootless one (user namespace instead of network, id maps instead of device rules,
/// /sys bound from the host, no gid= on devpts), where `%u` and `%g` are the caller's uid and gid.
const TEMPLATE: &str = include_str!("template.json");

/// How the template ends: `--seccomp` adds the profile as the last member of `linux`.
const END: &str = "\n\t}\n}";

/// The config text. Rootless: a user namespace mapping `uid`/`gid` to root, no cgroup limits.
pub fn config(rootless: bool, seccomp: bool, uid: u32, gid: u32) -> String {
    let mut s = String::with_capacity(TEMPLATE.len() + if seccomp { 8 << 10 } else { 0 });
    for line in TEMPLATE.trim_end().split('\n') {
        let line = match line.as_bytes().first() {
            Some(b'-') if rootless => continue,
            Some(b'+') if !rootless => continue,
            Some(b'-' | b'+') => line.get(1..).unwrap_or_default(),
            _ => line,
        };
        if !s.is_empty() {
            s.push('\n');
        }
        match line.split_once('%') {
            Some((before, after)) => {
                s.push_str(before);
                push_dec(&mut s, if after.starts_with('u') { uid } else { gid }.into());
                s.push_str(after.get(1..).unwrap_or_default());
            }
            None => s.push_str(line),
        }
    }
    if seccomp && s.ends_with(END) {
        s.truncate(s.len() - END.len());
        s.push_str(",\n\t\t\"seccomp\": ");
        // The allow list is written from the syscall names table.
        push_default_profile_json(&mut s);
        s.push_str(END);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{self, Value};

    fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
        path.split('.').try_fold(v, |v, k| match k.parse::<usize>() {
            Ok(i) => v.as_array()?.get(i),
            Err(_) => v.get(k),
        })
    }

    #[test]
    fn runc_defaults() {
        let v = json::parse(config(false, false, 1000, 1000).as_bytes()).unwrap();
        assert_eq!(get(&v, "process.terminal"), Some(&Value::Bool(true)));
        assert_eq!(get(&v, "process.args.0").and_then(Value::as_str), Some("sh"));
        let caps = get(&v, "process.capabilities.ambient").and_then(Value::as_array).unwrap();
        assert_eq!(caps.len(), 3);
        assert!(get(&v, "process.capabilities.inheritable").is_none());
        assert_eq!(get(&v, "linux.namespaces").and_then(Value::as_array).map(|n| n.len()), Some(5));
        assert_eq!(get(&v, "linux.namespaces.1.type").and_then(Value::as_str), Some("network"));
        assert!(get(&v, "linux.resources.devices").is_some());
        assert!(get(&v, "linux.seccomp").is_none() && get(&v, "linux.uidMappings").is_none());
        assert_eq!(get(&v, "mounts.2.options.5").and_then(Value::as_str), Some("gid=5"));
    }

    #[test]
    fn rootless_maps_the_caller() {
        let text = config(true, false, 1000, 1001);
        // Every marker consumed.
        assert!(!text.contains('%') && !text.contains("\n+") && !text.contains("\n-"));
        let v = json::parse(text.as_bytes()).unwrap();
        assert_eq!(get(&v, "linux.uidMappings.0.hostID").and_then(Value::as_u64), Some(1000));
        assert_eq!(get(&v, "linux.gidMappings.0.hostID").and_then(Value::as_u64), Some(1001));
        assert_eq!(get(&v, "linux.namespaces.4.type").and_then(Value::as_str), Some("user"));
        assert!(get(&v, "linux.namespaces").and_then(Value::as_array).is_some_and(|n| n.len() == 5));
        assert!(get(&v, "linux.resources").is_none());
        assert_eq!(get(&v, "mounts.5.source").and_then(Value::as_str), Some("/sys"));
        assert!(get(&v, "mounts.2.options").and_then(Value::as_array).is_some_and(|o| o.len() == 5));
    }

    #[test]
    fn seccomp_on_request() {
        for rootless in [false, true] {
            let v = json::parse(config(rootless, true, 0, 0).as_bytes()).unwrap();
            assert!(get(&v, "linux.seccomp.syscalls").is_some());
            assert!(get(&v, "linux.readonlyPaths").is_some());
        }
    }
}
