//! `linux.seccomp`: the profile, compiled to a BPF filter by security::seccomp.

use super::read::*;
use crate::error::Error;
use crate::json::Value;
use crate::security::seccomp::{self, ArgCmp, Profile, SyscallRule};
use crate::spec::Seccomp;
use alloc::string::String;
use alloc::vec::Vec;

/// linux.seccomp, compiled, into `out`; where the listener of a filter that notifies goes, into
/// `listener`.
#[inline(never)]
pub(super) fn seccomp(s: &Value, out: &mut Seccomp, listener: &mut Option<(String, Option<String>)>) -> Res<()> {
    let (mut path, mut metadata) = (None, None);
    opt_text(s, "listenerPath", &mut path)?;
    opt_text(s, "listenerMetadata", &mut metadata)?;
    if path.is_none() && metadata.is_some() {
        return Err(fail_in(s, "listenerMetadata", "listenerMetadata needs a listenerPath"));
    }
    let default_action = need_str(s, "defaultAction")?;
    let mut profile = Profile {
        default_action: String::new(),
        default_errno_ret: None,
        architectures: Vec::new(),
        flags: Vec::new(),
        syscalls: Vec::new(),
    };
    profile.default_action.push_str(default_action);
    set_num(s, "defaultErrnoRet", &mut profile.default_errno_ret)?;
    strings(s, "architectures", &mut profile.architectures)?;
    strings(s, "flags", &mut profile.flags)?;
    for r in list(s, "syscalls")? {
        let mut rule = SyscallRule { names: Vec::new(), action: String::new(), errno_ret: None, args: Vec::new() };
        strings(obj(r)?, "names", &mut rule.names)?;
        rule.action.push_str(need_str(r, "action")?);
        set_num(r, "errnoRet", &mut rule.errno_ret)?;
        for a in list(r, "args")? {
            rule.args.push(ArgCmp {
                index: need_num(obj(a)?, "index")? as u32,
                value: need_u64(a, "value")?,
                value_two: opt_u64(a, "valueTwo")?,
                op: need_str(a, "op")?.into(),
            });
        }
        profile.syscalls.push(rule);
    }
    let err = |e: Error| fail_owned(s, "", e.into_what());
    let filter = seccomp::compile(&profile).map_err(err)?;
    let flags = seccomp::flags(&profile).map_err(err)?;
    // Without SCMP_ACT_NOTIFY rules the listener is not asked for, and listenerPath is ignored
    // (runtime-spec).
    if seccomp::notifies(&profile) {
        let Some(path) = path else {
            return Err(fail(s, "SCMP_ACT_NOTIFY needs a listenerPath to send the listener to"));
        };
        *listener = Some((path, metadata));
    }
    *out = Seccomp::Custom { filter, flags };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::security::bpf::{vm, Action};

    #[test]
    fn the_listener_goes_where_listener_path_says_when_a_rule_notifies() {
        let notify = r#"{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock","listenerMetadata":"m",
            "syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}"#;
        let s = runc_with(&[("linux.seccomp", Some(notify))]).unwrap();
        assert_eq!(s.oci.seccomp_listener, Some(("/run/agent.sock".into(), Some("m".into()))));
        let Seccomp::Custom { flags, .. } = s.seccomp else { panic!("not a custom filter") };
        assert_eq!(flags, crate::sys::seccomp::FILTER_FLAG_NEW_LISTENER);
        // no rule notifies: the path is ignored, as the spec says
        let plain = r#"{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/agent.sock"}"#;
        assert_eq!(runc_with(&[("linux.seccomp", Some(plain))]).unwrap().oci.seccomp_listener, None);
        let e = error(
            "linux.seccomp",
            r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_NOTIFY"}]}"#,
        );
        assert_eq!(e, "config.json: linux.seccomp: SCMP_ACT_NOTIFY needs a listenerPath to send the listener to");
    }

    #[test]
    fn podman_seccomp_is_compiled() {
        let Seccomp::Custom { filter, flags } = podman().seccomp else { panic!("not a custom filter") };
        assert!(!filter.is_empty());
        assert_eq!(flags, 0);
        let run =
            |name, args: &[u64]| vm::run(&filter, &seccomp::native_data(seccomp::syscall_nr(name).unwrap(), args));
        assert_eq!(run("read", &[]), Action::Allow.ret());
        // podman 4.3 leaves mount to the capabilities; bpf it refuses with EPERM. setns is both in
        // the allow list and in a later EPERM rule: the first unconditional rule wins.
        assert_eq!(run("mount", &[]), Action::Allow.ret());
        assert_eq!(run("bpf", &[]), Action::Errno(1).ret());
        assert_eq!(run("setns", &[]), Action::Allow.ret());
        assert_eq!(run("personality", &[8]), Action::Allow.ret());
        assert_eq!(run("personality", &[4]), Action::Errno(38).ret());
        // defaultErrnoRet 38: what the profile does not name fails with ENOSYS.
        assert_eq!(run("add_key", &[]), Action::Errno(38).ret());
    }

    /// The profile `runt spec --seccomp` writes is the default one: compiled, it decides every syscall as
    /// the build-time filter does. (Not the same instructions: the JSON compares socket's family
    /// as 64 bits, as Docker's profile does; the built-in filter only the low 32 bits.)
    #[test]
    fn seccomp_profile_decides_as_the_default_filter() {
        use crate::security::bpf::vm::run;
        let v = json::parse(crate::oci::template::config(false, true, 0, 0).as_bytes()).unwrap();
        let s = from_json(&v, "/b", "x").unwrap();
        let Seccomp::Custom { filter, flags } = s.seccomp else { panic!("no filter") };
        let default = seccomp::default_filter();
        let args: [&[u64]; 8] = [&[], &[17], &[0x003d_0f00], &[0x1000_0011], &[8], &[0x2_0008], &[40, 1], &[9]];
        for nr in 0..520 {
            for a in args {
                let d = seccomp::native_data(nr, a);
                assert_eq!(run(&filter, &d), run(default, &d), "syscall {nr} {a:?}");
            }
        }
        assert_eq!(flags, 0);
    }
}
