//! `hooks`: the six lists of programs run around the container's life.

use super::read::*;
use crate::json::Value;
use crate::spec::{Hook, Hooks};
use alloc::vec::Vec;

/// `hooks`, into the (empty) lists of `hooks`.
#[inline(never)]
pub(super) fn hooks(top: &Value, hooks: &mut Hooks) -> Res<()> {
    let h = object_or_empty(top, "hooks")?;
    let lists = [
        ("prestart", &mut hooks.prestart),
        ("createRuntime", &mut hooks.create_runtime),
        ("createContainer", &mut hooks.create_container),
        ("startContainer", &mut hooks.start_container),
        ("poststart", &mut hooks.poststart),
        ("poststop", &mut hooks.poststop),
    ];
    for (k, out) in lists {
        for x in list(h, k)? {
            let path = need_abs(obj(x)?, "path")?;
            let mut hook = Hook { path: path.into(), args: Vec::new(), env: Vec::new(), timeout: None };
            strings(x, "args", &mut hook.args)?;
            strings(x, "env", &mut hook.env)?;
            if let Some(t) = get(x, "timeout") {
                let n = u32::try_from(i64_of(t)?).ok().filter(|&n| n > 0);
                hook.timeout = Some(n.ok_or_else(|| fail(t, "must be above 0"))?);
            }
            out.push(hook);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use linux_raw_sys::general::{MS_REC, MS_SLAVE};
    use std::vec;

    #[test]
    fn hooks_sysctl_and_more() {
        let hooks = r#"{"prestart":[{"path":"/bin/a"}],
            "createRuntime":[{"path":"/bin/b","args":["b","1"],"env":["X=1"],"timeout":5}],
            "createContainer":[{"path":"/c"}],"startContainer":[{"path":"/d"}],"poststart":[{"path":"/e"}],
            "poststop":[{"path":"/f"},{"path":"/g"}]}"#;
        let s = runc_with(&[
            ("hooks", Some(hooks)),
            ("linux.sysctl", Some(r#"{"net.ipv4.ip_forward":"1","kernel.shm_rmid_forced":"1"}"#)),
            ("linux.rootfsPropagation", Some(r#""rslave""#)),
            ("annotations", Some(r#"{"z":"1","a":"2"}"#)),
        ])
        .unwrap();
        let h = &s.oci.hooks;
        assert_eq!(h.prestart, [Hook { path: "/bin/a".into(), ..Hook::default() }]);
        let b = Hook {
            path: "/bin/b".into(),
            args: vec!["b".into(), "1".into()],
            env: vec!["X=1".into()],
            timeout: Some(5),
        };
        assert_eq!(h.create_runtime, [b]);
        let counts = (h.create_container.len(), h.start_container.len(), h.poststart.len(), h.poststop.len());
        assert_eq!(counts, (1, 1, 1, 2));
        assert_eq!(s.oci.sysctl[0], ("net/ipv4/ip_forward".into(), "1".into()));
        assert_eq!(s.oci.rootfs_propagation, MS_SLAVE | MS_REC);
        assert_eq!(s.oci.annotations, [("z".into(), "1".into()), ("a".into(), "2".into())]);
    }
}
