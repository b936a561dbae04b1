//! Resource limits (`--ulimit NAME=SOFT[:HARD]`, OCI process.rlimits).

use crate::error::Result;

/// getrlimit(2)'s RLIM_INFINITY.
pub const UNLIMITED: u64 = u64::MAX;

/// Names as `ulimit` and Docker spell them, in RLIMIT_* number order, separated by spaces: one
/// string is smaller than a table of pointers.
const NAMES: &str =
    "cpu fsize data stack core rss nproc nofile memlock as locks sigpending msgqueue nice rtprio rttime";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rlimit {
    pub resource: u32,
    pub soft: u64,
    pub hard: u64,
}

/// The lower-case name of a resource number ("nofile").
pub fn name(resource: u32) -> &'static str {
    NAMES.split(' ').nth(resource as usize).unwrap_or("unknown")
}

/// `nofile`, `NOFILE` or `RLIMIT_NOFILE` -> the resource number.
pub fn resource(name: &str) -> Option<u32> {
    super::position(&mut NAMES.split(' '), "rlimit_", name).map(|i| i as u32)
}

/// `nofile=1024:2048`, `nofile=1024` (hard = soft), `core=unlimited` or `-1`.
#[inline(never)]
pub fn parse(s: &str) -> Result<Rlimit> {
    // One message site: the checks only pick the reason.
    let why = 'why: {
        let Some((name, values)) = s.split_once('=') else { break 'why "expected NAME=SOFT[:HARD]" };
        let Some(resource) = resource(name) else { break 'why "unknown limit name" };
        let value = |v: &str| match v {
            "unlimited" | "-1" => Some(UNLIMITED),
            _ => crate::text::uint(v),
        };
        // One value is both limits.
        let (soft, hard) = values.split_once(':').unwrap_or((values, values));
        let (Some(soft), Some(hard)) = (value(soft), value(hard)) else {
            break 'why "values are numbers or 'unlimited'";
        };
        if soft > hard {
            break 'why "the soft limit is above the hard one";
        }
        return Ok(Rlimit { resource, soft, hard });
    };
    Err(super::invalid("--ulimit", s, why))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse("nofile=1024:2048").unwrap(), Rlimit { resource: 7, soft: 1024, hard: 2048 });
        assert_eq!(parse("NPROC=10").unwrap(), Rlimit { resource: 6, soft: 10, hard: 10 });
        assert_eq!(parse("core=unlimited").unwrap().hard, UNLIMITED);
        assert_eq!(parse("RLIMIT_NOFILE=1:-1").unwrap(), Rlimit { resource: 7, soft: 1, hard: UNLIMITED });
        assert_eq!(resource("rlimit_Core"), Some(4));
        assert_eq!(resource("RTTIME"), Some(15));
        assert_eq!(resource("RLIMIT_"), None);
        assert_eq!(resource("nofil"), None);
        assert_eq!(parse("x").unwrap_err().to_string(), "invalid --ulimit 'x': expected NAME=SOFT[:HARD]");
        for bad in ["nofile", "nofile=", "nofile=a", "nofile=2:1", "bogus=1", "nofile=1:2:3"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
