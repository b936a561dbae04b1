//! Capabilities: names, the default set, and applying the five sets around the uid change.

use crate::error::{push_dec, Error, OrSys, Result};
use crate::sys::process;
use alloc::string::String;

/// Capability names in number order (CAP_CHOWN = 0 ... CAP_CHECKPOINT_RESTORE = 40).
pub const NAMES: &[&str] = &[
    "CHOWN",
    "DAC_OVERRIDE",
    "DAC_READ_SEARCH",
    "FOWNER",
    "FSETID",
    "KILL",
    "SETGID",
    "SETUID",
    "SETPCAP",
    "LINUX_IMMUTABLE",
    "NET_BIND_SERVICE",
    "NET_BROADCAST",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "IPC_OWNER",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_CHROOT",
    "SYS_PTRACE",
    "SYS_PACCT",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_NICE",
    "SYS_RESOURCE",
    "SYS_TIME",
    "SYS_TTY_CONFIG",
    "MKNOD",
    "LEASE",
    "AUDIT_WRITE",
    "AUDIT_CONTROL",
    "SETFCAP",
    "MAC_OVERRIDE",
    "MAC_ADMIN",
    "SYSLOG",
    "WAKE_ALARM",
    "BLOCK_SUSPEND",
    "AUDIT_READ",
    "PERFMON",
    "BPF",
    "CHECKPOINT_RESTORE",
];

/// Every capability runt knows.
pub const ALL: u64 = (1 << NAMES.len()) - 1;

/// The set Docker and the OCI default config give a container.
pub const DEFAULT: u64 = bit(0) // CHOWN
    | bit(1) // DAC_OVERRIDE
    | bit(3) // FOWNER
    | bit(4) // FSETID
    | bit(5) // KILL
    | bit(6) // SETGID
    | bit(7) // SETUID
    | bit(8) // SETPCAP
    | bit(10) // NET_BIND_SERVICE
    | bit(13) // NET_RAW
    | bit(18) // SYS_CHROOT
    | bit(27) // MKNOD
    | bit(29) // AUDIT_WRITE
    | bit(31); // SETFCAP

const fn bit(n: u32) -> u64 {
    1 << n
}

/// The five capability sets of the container's process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Caps {
    pub bounding: u64,
    pub effective: u64,
    pub permitted: u64,
    pub inheritable: u64,
    pub ambient: u64,
}

impl Caps {
    /// What `runt run` gives: root gets `set` effective and permitted; any other user keeps only
    /// the bounding set (as after a setuid without file capabilities).
    pub fn for_user(set: u64, root: bool) -> Caps {
        let active = if root { set } else { 0 };
        Caps { bounding: set, effective: active, permitted: active, inheritable: 0, ambient: 0 }
    }
}

/// Parses `NET_ADMIN`, `CAP_NET_ADMIN`, `net_admin` or `ALL` into a mask.
#[inline(never)]
pub fn parse(name: &str) -> Result<u64> {
    // ALL is no capability's name, so the order of the two look-ups does not matter.
    match super::position(&mut NAMES.iter().copied(), "CAP_", name) {
        Some(i) => Ok(1 << i),
        None if super::position(&mut core::iter::once("ALL"), "CAP_", name).is_some() => Ok(ALL),
        None => Err(Error::cat(&["unknown capability '", name, "'"])),
    }
}

/// The capabilities `c` asks for (in any set) that its process cannot have: those runt does not
/// hold itself, or, where the process is root of a user namespace (`in_userns`: it then holds
/// every capability there), those past the kernel's last one. `after_setuid` leaves them out;
/// the door warns about them. Nothing when runt's own set cannot be read: the process then gets
/// what it gets, as ever.
pub fn unavailable(c: &Caps, in_userns: bool) -> u64 {
    let asked = c.bounding | c.effective | c.permitted | c.inheritable | c.ambient;
    let have = match in_userns {
        // The bounding set answers for every capability the kernel knows, held or not.
        true => (0..64).take_while(|&cap| process::capbset_read(cap).is_ok()).fold(0, |m, cap| m | bit(cap)),
        false => process::cap_permitted().unwrap_or(ALL),
    };
    asked & !have
}

/// "drop capability 3 from the bounding set": the failed operation on one capability.
#[inline(never)]
fn cap_error(e: crate::sys::Errno, op: &str, cap: u32, rest: &str) -> Error {
    let mut what = String::from(op);
    push_dec(&mut what, cap.into());
    what.push_str(rest);
    Error::sys_owned(e, what)
}

/// Step 1, while still uid 0 with every capability: shrink the bounding set, and keep the
/// permitted set across the coming uid change if a non-root user is to have capabilities: the
/// inheritable set counts too, as the kernel lets a process raise an inheritable capability only
/// while it is permitted (with none permitted after the change, it would end up empty).
pub fn before_setuid(c: &Caps) -> Result<()> {
    for cap in 0..64u32 {
        if c.bounding & (1 << cap) == 0 {
            match process::capbset_drop(cap) {
                Ok(()) => {}
                // Past the kernel's last capability.
                Err(crate::sys::Errno::EINVAL) => break,
                Err(e) => return Err(cap_error(e, "drop capability ", cap, " from the bounding set")),
            }
        }
    }
    if c.permitted | c.inheritable != 0 {
        process::set_keep_caps(true).or_what("prctl PR_SET_KEEPCAPS")?;
    }
    Ok(())
}

/// The ambient capabilities the kernel can grant: it keeps a capability ambient only while it is
/// both permitted and inheritable, and refuses to raise any other (EPERM). Configs routinely ask
/// for more: `runc spec` and `crun spec` list their three capabilities as ambient with no
/// inheritable set. runc (whose capability library ignored every ambient error) and crun (which
/// ignores EPERM) start such a container with no ambient capability; so does runt, by asking only
/// for what can be had, so that an error left is a real one.
fn grantable_ambient(c: &Caps, have: u64) -> u64 {
    c.ambient & c.permitted & c.inheritable & have
}

/// Step 2, after setuid: set effective, permitted and inheritable exactly, then raise ambient.
/// Nothing can be raised above what runt itself holds (a host may withhold some from root, e.g.
/// CAP_SYS_RESOURCE): `--privileged` or `--cap-add ALL` mean everything runt has.
// Out of line (measured): smaller than inlined into its caller.
#[inline(never)]
pub fn after_setuid(c: &Caps) -> Result<()> {
    let have = process::cap_permitted().or_what("capget")?;
    process::capset(c.effective & have, c.permitted & have, c.inheritable & have).or_what("capset")?;
    let ambient = grantable_ambient(c, have);
    for cap in 0..64u32 {
        if ambient & (1 << cap) != 0 {
            process::ambient_raise(cap).map_err(|e| cap_error(e, "raise ambient capability ", cap, ""))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers() {
        assert_eq!(NAMES.len(), 41);
        assert_eq!(parse("CHOWN").unwrap(), 1);
        assert_eq!(parse("cap_sys_admin").unwrap(), 1 << 21);
        assert_eq!(parse("Net_Raw").unwrap(), 1 << 13);
        assert_eq!(parse("ALL").unwrap(), ALL);
        assert_eq!(parse("CHECKPOINT_RESTORE").unwrap(), 1 << 40);
        assert!(parse("FLY").is_err());
        assert_eq!(parse("cap_all").unwrap(), ALL);
        assert_eq!(parse("CAP_BPF").unwrap(), 1 << 39);
        for bad in ["", "CAP_", "CAP", "CAP_CAP_BPF", "BPF ", "CHOWNX"] {
            assert_eq!(parse(bad).unwrap_err().to_string(), std::format!("unknown capability '{bad}'"));
        }
    }

    #[test]
    fn default_set_is_dockers() {
        let names: alloc::vec::Vec<&str> =
            NAMES.iter().enumerate().filter(|(i, _)| DEFAULT & (1 << i) != 0).map(|(_, n)| *n).collect();
        assert_eq!(
            names,
            [
                "CHOWN",
                "DAC_OVERRIDE",
                "FOWNER",
                "FSETID",
                "KILL",
                "SETGID",
                "SETUID",
                "SETPCAP",
                "NET_BIND_SERVICE",
                "NET_RAW",
                "SYS_CHROOT",
                "MKNOD",
                "AUDIT_WRITE",
                "SETFCAP"
            ]
        );
    }

    #[test]
    fn ambient_only_where_permitted_and_inheritable() {
        let three = bit(5) | bit(10) | bit(29);
        // `runc spec`: ambient = permitted, inheritable empty: nothing can be raised.
        let stock = Caps { bounding: three, effective: three, permitted: three, inheritable: 0, ambient: three };
        assert_eq!(grantable_ambient(&stock, ALL), 0);
        let inheritable = Caps { inheritable: bit(5) | bit(29), ..stock };
        assert_eq!(grantable_ambient(&inheritable, ALL), bit(5) | bit(29));
        // Nor above what runt holds.
        assert_eq!(grantable_ambient(&inheritable, bit(29)), bit(29));
    }

    #[test]
    fn users() {
        let root = Caps::for_user(DEFAULT, true);
        assert_eq!((root.effective, root.permitted, root.inheritable, root.ambient), (DEFAULT, DEFAULT, 0, 0));
        let user = Caps::for_user(DEFAULT, false);
        assert_eq!((user.bounding, user.effective, user.permitted), (DEFAULT, 0, 0));
    }
}
