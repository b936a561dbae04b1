//! config.json → `Spec`: the OCI runtime spec (1.0 to 1.2) mapped onto the one description of a
//! container that `runt run` also produces.
//!
//! Decisions:
//! - Unknown fields are ignored (a newer engine's additions must not break runt); fields runt
//!   knows but cannot honour are errors naming the field, never silently dropped. JSON `null`
//!   counts as absent, as in Go's decoder.
//! - Only what config.json says: no runt defaults are added (no environment, no masked paths):
//!   the engine decides. The exceptions are the spec's own defaults: the hostname (the id, with a
//!   new UTS namespace) and the default devices' access rules (see `device_rules`).
//! - A new mount namespace is required: runt sets up the root filesystem in one, and in a shared or
//!   joined one it would mount over someone else's tree.
//! - Every error names its place: `config.json: linux.namespaces[2].type: unknown namespace type
//!   "foo"`. The place is not tracked while reading: an error holds the value it is about, and
//!   only then is that value looked up in the document (by address) to name its path. Reading
//!   passes plain `&Value`s around, which keeps this module small.

use crate::error::{cat, push_dec, Error, OrSys, Result};
use crate::json::{self, Value};
use crate::security::caps::{self, Caps};
use crate::security::devices::{self, Kind, Rule};
use crate::security::rlimits::{self, Rlimit};
use crate::security::seccomp::{self, ArgCmp, Profile, SyscallRule};
use crate::spec::CPU_PERIOD_US;
use crate::spec::{Hook, Hooks, Limits, Mount, Root, Seccomp, Spec, User};
use crate::sys::fs;
use crate::sys::process::{
    CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CLONE_NEWUTS,
};
use crate::userns::{IdMap, UserNs};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use linux_raw_sys::general::{
    MS_BIND, MS_DIRSYNC, MS_MANDLOCK, MS_NOATIME, MS_NODEV, MS_NODIRATIME, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY,
    MS_REC, MS_RELATIME, MS_REMOUNT, MS_SHARED, MS_SLAVE, MS_STRICTATIME, MS_SYNCHRONOUS, MS_UNBINDABLE,
};

/// Reads `<bundle_dir>/config.json` (at most 4 MiB) and maps it.
pub fn load(bundle_dir: &str, id: &str) -> Result<Spec> {
    let path = cat(&[bundle_dir.trim_end_matches(crate::text::SLASH), "/config.json"]);
    let fd = crate::cstr::open_path(&path, fs::O_RDONLY, 0, "open ")?;
    // Grown as needed: a config is usually a few KB; one byte past the limit makes the parser refuse.
    let mut buf: Vec<u8> = Vec::new();
    let mut len = 0;
    while len == buf.len() && len <= json::MAX_INPUT {
        buf.resize((2 * len).clamp(64 << 10, json::MAX_INPUT + 1), 0);
        len += fs::read_full(fd.raw(), buf.get_mut(len..).unwrap_or_default()).or_op("read", &path)?;
    }
    buf.truncate(len);
    let v = json::parse_json(&buf, &path)?;
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

// ---- reading values; errors name their place ----

/// What is wrong, and where: `at` (a value in the document) or its member `key`.
struct Fail {
    at: *const Value,
    key: &'static str,
    msg: String,
}

/// Boxed, so that results come back in registers and `?` moves one pointer.
type Res<T> = core::result::Result<T, Box<Fail>>;

impl Fail {
    /// The error, its place named by looking `at` up in `doc`. Takes the box: it is freed here,
    /// once, instead of after the call at each caller (48 bytes).
    #[allow(clippy::boxed_local)]
    fn error(self: Box<Fail>, doc: &Value, prefix: &str) -> Error {
        let mut path = String::new();
        locate(doc, self.at, &mut path);
        if !self.key.is_empty() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(self.key);
        }
        let sep = if path.is_empty() { "" } else { ": " };
        Error::cat(&[prefix, &path, sep, &self.msg])
    }
}

/// Appends the path of `target` inside `v` ("linux.namespaces[2].type") to `path`.
fn locate(v: &Value, target: *const Value, path: &mut String) -> bool {
    if core::ptr::eq(v, target) {
        return true;
    }
    let len = path.len();
    let found = match v {
        Value::Array(items) => items.iter().enumerate().any(|(i, x)| {
            path.truncate(len);
            path.push('[');
            push_dec(path, i as u64);
            path.push(']');
            locate(x, target, path)
        }),
        Value::Object(members) => members.iter().any(|(k, x)| {
            path.truncate(len);
            if len > 0 {
                path.push('.');
            }
            path.push_str(k);
            locate(x, target, path)
        }),
        _ => false,
    };
    if !found {
        path.truncate(len);
    }
    found
}

/// `msg` about the value `at`.
#[inline(never)]
fn fail(at: &Value, msg: &str) -> Box<Fail> {
    fail_in(at, "", msg)
}

/// `msg` about member `key` of `at`.
#[inline(never)]
fn fail_in(at: &Value, key: &'static str, msg: &str) -> Box<Fail> {
    fail_owned(at, key, msg.into())
}

#[inline(never)]
fn fail_owned(at: &Value, key: &'static str, msg: String) -> Box<Fail> {
    Box::new(Fail { at, key, msg })
}

/// A message about `at` quoting a value from the document: `before"x"after`.
#[inline(never)]
fn fail_q(at: &Value, before: &str, x: &str, after: &str) -> Box<Fail> {
    fail_q_in(at, "", before, x, after)
}

/// As `fail_q`, about member `key` of `at`.
#[inline(never)]
fn fail_q_in(at: &Value, key: &'static str, before: &str, x: &str, after: &str) -> Box<Fail> {
    fail_owned(at, key, cat(&[before, "\"", x, "\"", after]))
}

#[inline(never)]
fn wrong(at: &Value, want: &str) -> Box<Fail> {
    fail_owned(at, "", cat(&["expected ", want, ", found ", at.type_name()]))
}

/// Stands in for an absent object ("linux", "resources"): every member is then absent too.
static EMPTY: Value = Value::Object(Vec::new());

/// Member `k`; None when missing or null.
fn get<'v>(v: &'v Value, k: &str) -> Option<&'v Value> {
    v.get(k).filter(|x| !x.is_null())
}

fn need<'v>(v: &'v Value, k: &'static str) -> Res<&'v Value> {
    get(v, k).ok_or_else(|| fail_in(v, k, "required"))
}

fn obj(v: &Value) -> Res<&Value> {
    match v {
        Value::Object(_) => Ok(v),
        _ => Err(wrong(v, "an object")),
    }
}

/// Member `k`, an object; None when absent.
fn object_or_none<'v>(v: &'v Value, k: &str) -> Res<Option<&'v Value>> {
    get(v, k).map(obj).transpose()
}

/// Member `k`, an object; an empty one when absent.
fn object_or_empty<'v>(v: &'v Value, k: &str) -> Res<&'v Value> {
    Ok(object_or_none(v, k)?.unwrap_or(&EMPTY))
}

/// The text of a string value. A `&String`, one pointer: with the error it comes back in two
/// registers, where a `&str` (two words) would come back through memory.
fn str_of(v: &Value) -> Res<&String> {
    match v {
        Value::String(s) => Ok(s),
        _ => Err(wrong(v, "a string")),
    }
}

fn u64_of(v: &Value) -> Res<u64> {
    v.as_u64().ok_or_else(|| wrong(v, "a non-negative integer"))
}

fn i64_of(v: &Value) -> Res<i64> {
    v.as_i64().ok_or_else(|| wrong(v, "an integer"))
}

/// A non-negative integer up to `max`. Given as a u64 all the same, which callers narrow (exact
/// after the check): a `Res<u64>` comes back in two registers, a `Res<u32>` through memory.
#[inline(never)]
fn num_to(v: &Value, max: u32) -> Res<u64> {
    match u64_of(v)? {
        n if n <= u64::from(max) => Ok(n),
        _ => Err(fail(v, "out of range")),
    }
}

/// A non-negative integer that fits a u32.
fn num(v: &Value) -> Res<u64> {
    num_to(v, u32::MAX)
}

/// Member `k` as a u32; `default` when absent.
#[inline(never)]
fn opt_num(v: &Value, k: &str, default: u32) -> Res<u64> {
    match get(v, k) {
        Some(n) => num(n),
        None => Ok(default.into()),
    }
}

/// Member `k` as a u32 into `out`, which stays as it is when the member is absent.
#[inline(never)]
fn set_num(v: &Value, k: &str, out: &mut Option<u32>) -> Res<()> {
    if let Some(n) = get(v, k) {
        *out = Some(num(n)? as u32);
    }
    Ok(())
}

/// Member `k`, required, as a u32.
#[inline(never)]
fn need_num(v: &Value, k: &'static str) -> Res<u64> {
    num(need(v, k)?)
}

/// Member `k` as a u64; 0 when absent.
#[inline(never)]
fn opt_u64(v: &Value, k: &str) -> Res<u64> {
    get(v, k).map_or(Ok(0), u64_of)
}

/// Member `k`, required, as a u64.
#[inline(never)]
fn need_u64(v: &Value, k: &'static str) -> Res<u64> {
    u64_of(need(v, k)?)
}

/// Member `k`, required, as a string.
#[inline(never)]
fn need_str<'v>(v: &'v Value, k: &'static str) -> Res<&'v String> {
    str_of(need(v, k)?)
}

/// Member `k`, required, an absolute path.
#[inline(never)]
fn need_abs<'v>(v: &'v Value, k: &'static str) -> Res<&'v String> {
    abs_path(need(v, k)?)
}

/// A non-negative integer that fits a u16.
fn num16(v: &Value) -> Res<u64> {
    num_to(v, u16::MAX.into())
}

/// Member `k` as a boolean into `out`, which stays as it is when the member is absent (a
/// `Res<bool>` would come back through memory).
fn flag(v: &Value, k: &str, out: &mut bool) -> Res<()> {
    if let Some(b) = get(v, k) {
        *out = b.as_bool().ok_or_else(|| wrong(b, "a boolean"))?;
    }
    Ok(())
}

/// Member `k` as a string; empty when absent.
fn text<'v>(v: &'v Value, k: &str) -> Res<&'v String> {
    static NONE: String = String::new();
    match get(v, k) {
        Some(x) => str_of(x),
        None => Ok(&NONE),
    }
}

/// Member `k` as a string; None when absent or empty.
#[inline(never)]
fn opt_text(v: &Value, k: &str, out: &mut Option<String>) -> Res<()> {
    let s = text(v, k)?;
    *out = if s.is_empty() { None } else { Some(s.into()) };
    Ok(())
}

/// The elements of the array in member `k`; none when absent. A `&Vec` for the same reason
/// as in `str_of`.
fn list<'v>(v: &'v Value, k: &str) -> Res<&'v Vec<Value>> {
    static NONE: Vec<Value> = Vec::new();
    match get(v, k) {
        Some(Value::Array(a)) => Ok(a),
        Some(a) => Err(wrong(a, "an array")),
        None => Ok(&NONE),
    }
}

/// The strings in the array in member `k`, appended to `out` (filled in place: a `Vec` result
/// would go back through memory at each of the callers).
fn strings(v: &Value, k: &str, out: &mut Vec<String>) -> Res<()> {
    string_list(v, k, out, false)
}

/// `strings` and `absolute_paths` in one body.
#[inline(never)]
fn string_list(v: &Value, k: &str, out: &mut Vec<String>, absolute: bool) -> Res<()> {
    for s in list(v, k)? {
        out.push(if absolute { abs_path(s) } else { str_of(s) }?.into());
    }
    Ok(())
}

/// Member `k` as an object of strings, in order, appended to `out` (none when absent).
fn map(v: &Value, k: &str, out: &mut Vec<(String, String)>) -> Res<()> {
    for (key, x) in object_or_empty(v, k)?.as_object().unwrap_or_default() {
        out.push((key.clone(), str_of(x)?.into()));
    }
    Ok(())
}

/// A string that must be an absolute path.
#[inline(never)]
fn abs_path(v: &Value) -> Res<&String> {
    let s = str_of(v)?;
    if !s.starts_with('/') {
        return Err(fail(v, "must be an absolute path"));
    }
    Ok(s)
}

/// Whether a value says anything: not false, 0, "", [] or {}.
fn is_set(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::Number(_) => v.as_u64() != Some(0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Bool(true) => true,
    }
}

/// Fields runt cannot honour (`keys`, separated by single spaces: one string costs less than a
/// table of pointers): an error when one says anything.
fn refuse(v: &Value, keys: &str, why: &str) -> Res<()> {
    match keys.split(' ').find_map(|k| get(v, k).filter(|x| is_set(x))) {
        Some(x) => Err(fail(x, why)),
        None => Ok(()),
    }
}

// ---- the parts ----

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
    refuse(linux, "mountLabel", "SELinux is not supported")?;
    refuse(linux, "intelRdt personality timeOffsets memoryPolicy netDevices", "not supported")?;
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
        seccomp(s, &mut spec.seccomp)?;
    }
    map(linux, "sysctl", &mut spec.oci.sysctl)?;
    // Keys name files under /proc/sys: none may step out of it.
    let bad_key = |k: &String| k.starts_with('/') || k.split('.').any(str::is_empty);
    if let Some((k, _)) = spec.oci.sysctl.iter().find(|(k, _)| bad_key(k)) {
        return Err(fail_q_in(linux, "sysctl", "invalid key ", k, ""));
    }
    if let Some(p) = get(linux, "rootfsPropagation").filter(|p| is_set(p)) {
        spec.oci.rootfs_propagation = propagation(str_of(p)?).ok_or_else(|| fail(p, "unknown propagation"))?;
    }
    cgroups_path(linux, &mut spec.oci.cgroups_path)?;
    hooks(top, &mut spec.oci.hooks)?;
    map(top, "annotations", &mut spec.oci.annotations)?;
    process(obj(need(top, "process")?)?, &mut spec)?;
    namespaces(top, linux, &mut spec)?;
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

/// `p` as an absolute path: relative ones are taken from the bundle directory.
fn in_bundle(bundle: &str, mut p: &str) -> String {
    if p.starts_with('/') {
        return p.into();
    }
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    cat(&[bundle.trim_end_matches(crate::text::SLASH), "/", p])
}

fn process(p: &Value, s: &mut Spec) -> Res<()> {
    refuse(p, "apparmorProfile", "AppArmor is not supported")?;
    refuse(p, "selinuxLabel", "SELinux is not supported")?;
    refuse(p, "ioPriority scheduler execCPUAffinity", "not supported")?;
    s.args.clear();
    strings(p, "args", &mut s.args)?;
    if s.args.is_empty() {
        return Err(fail_in(p, "args", "must not be empty"));
    }
    s.env.clear();
    for e in list(p, "env")? {
        let kv = str_of(e)?;
        // No '=', or no name before it.
        if matches!(kv.bytes().position(|b| b == b'='), None | Some(0)) {
            return Err(fail_q(e, "", kv, " is not KEY=VALUE"));
        }
        s.env.push(kv.into());
    }
    s.cwd.clear();
    s.cwd.push_str(need_abs(p, "cwd")?);
    let user = object_or_empty(p, "user")?;
    s.user = Some(User { uid: opt_num(user, "uid", 0)? as u32, gid: opt_num(user, "gid", 0)? as u32 });
    s.oci.additional_gids.clear();
    for g in list(user, "additionalGids")? {
        s.oci.additional_gids.push(num(g)? as u32);
    }
    if let Some(m) = get(user, "umask") {
        s.oci.umask = Some(num(m)? as u32 & 0o777);
    }
    s.oci.terminal = false;
    flag(p, "terminal", &mut s.oci.terminal)?;
    s.oci.console_size = match object_or_none(p, "consoleSize")? {
        Some(c) => Some((num16(need(c, "height")?)? as u16, num16(need(c, "width")?)? as u16)),
        None => None,
    };
    if let Some(c) = object_or_none(p, "capabilities")? {
        s.caps = Caps {
            bounding: cap_set(c, "bounding")?,
            effective: cap_set(c, "effective")?,
            permitted: cap_set(c, "permitted")?,
            inheritable: cap_set(c, "inheritable")?,
            ambient: cap_set(c, "ambient")?,
        };
    }
    let limits = process_rlimits(p)?;
    if !limits.is_empty() {
        s.rlimits = limits;
    }
    flag(p, "noNewPrivileges", &mut s.no_new_privs)?;
    if let Some(o) = get(p, "oomScoreAdj") {
        let n = i32::try_from(i64_of(o)?).ok().filter(|n| (-1000..=1000).contains(n));
        s.oom_score_adj = Some(n.ok_or_else(|| fail(o, "must be from -1000 to 1000"))?);
    }
    Ok(())
}

/// One capability set. Names this runt does not know are skipped, as runc does: an engine may
/// list what a newer kernel has.
fn cap_set(c: &Value, k: &str) -> Res<u64> {
    let mut set = 0;
    for name in list(c, k)? {
        if let Some(i) = str_of(name)?.strip_prefix("CAP_").and_then(|n| caps::NAMES.iter().position(|x| *x == n)) {
            set |= 1 << i;
        }
    }
    Ok(set)
}

fn process_rlimits(p: &Value) -> Res<Vec<Rlimit>> {
    let mut out: Vec<Rlimit> = Vec::new();
    for r in list(p, "rlimits")? {
        let t = need(obj(r)?, "type")?;
        let name = str_of(t)?.as_str();
        let Some(resource) = Some(name).filter(|n| n.starts_with("RLIMIT_")).and_then(rlimits::resource) else {
            return Err(fail_q(t, "unknown resource limit ", name, ""));
        };
        if out.iter().any(|l| l.resource == resource) {
            return Err(fail_q(t, "", name, " given twice"));
        }
        let (soft, hard) = (need_u64(r, "soft")?, need_u64(r, "hard")?);
        if soft > hard {
            return Err(fail(r, "the soft limit is above the hard one"));
        }
        out.push(Rlimit { resource, soft, hard });
    }
    Ok(out)
}

/// One column of a const table of tuples, as an array of its own: looked up by index, the
/// columns keep only what runtime code needs in the binary.
macro_rules! column {
    ($table:expr, $field:tt, $zero:expr) => {{
        let mut out = [$zero; $table.len()];
        let mut i = 0;
        while i < out.len() {
            out[i] = $table[i].$field;
            i += 1;
        }
        out
    }};
}

/// Namespace types in config.json's words, split at spaces (one string is smaller than a table
/// of pointers), and their flags in the same order.
const NAMESPACE_NAMES: &str = "pid network mount ipc uts user cgroup";
const NAMESPACE_FLAGS: [u32; 7] =
    [CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWUSER, CLONE_NEWCGROUP];

/// linux.namespaces, uidMappings, gidMappings. A type not listed stays the host's.
fn namespaces(top: &Value, linux: &Value, s: &mut Spec) -> Res<()> {
    let (mut seen, mut new_user) = (0, false);
    for ns in list(linux, "namespaces")? {
        let t = need(obj(ns)?, "type")?;
        let name = str_of(t)?;
        let Some(&flag) = NAMESPACE_NAMES.split(' ').position(|n| n == name).and_then(|i| NAMESPACE_FLAGS.get(i))
        else {
            let why = if name == "time" { "time namespaces are not supported " } else { "unknown namespace type " };
            return Err(fail_q(t, why, name, ""));
        };
        if seen & flag != 0 {
            return Err(fail_q(t, "", name, " listed twice"));
        }
        seen |= flag;
        // An empty path is no path.
        match get(ns, "path").filter(|p| p.as_str() != Some("")) {
            Some(p) => s.join.push((flag, abs_path(p)?.into())),
            None if flag == CLONE_NEWUSER => new_user = true,
            None => s.namespaces |= flag,
        }
    }
    if s.namespaces & CLONE_NEWNS == 0 {
        let why = "a new mount namespace (\"mount\" without a path) is required";
        return Err(if core::ptr::eq(linux, &EMPTY) {
            fail_in(top, "linux", why)
        } else {
            fail_in(linux, "namespaces", why)
        });
    }
    let (mut uid_maps, mut gid_maps) = (Vec::new(), Vec::new());
    id_maps(linux, "uidMappings", &mut uid_maps)?;
    id_maps(linux, "gidMappings", &mut gid_maps)?;
    // The first of the two that is missing (new user namespace) or given (none).
    let k = if uid_maps.is_empty() == new_user { "uidMappings" } else { "gidMappings" };
    if new_user {
        if uid_maps.is_empty() || gid_maps.is_empty() {
            return Err(fail_in(linux, k, "required with a new user namespace"));
        }
        s.userns = Some(UserNs { uid_maps, gid_maps, helpers: false, deny_setgroups: false });
    } else if !uid_maps.is_empty() || !gid_maps.is_empty() {
        return Err(fail_in(linux, k, "given without a new user namespace"));
    }
    Ok(())
}

/// The maps in member `k`, appended to `out`.
fn id_maps(linux: &Value, k: &str, out: &mut Vec<IdMap>) -> Res<()> {
    for m in list(linux, k)? {
        let size = need(obj(m)?, "size")?;
        let count = num(size)? as u32;
        if count == 0 {
            return Err(fail(size, "must not be 0"));
        }
        let (inside, outside) = (need_num(m, "containerID")? as u32, need_num(m, "hostID")? as u32);
        out.push(IdMap { inside, outside, count });
    }
    Ok(())
}

// Mount options: a flag set or cleared, a propagation type, or filesystem data.

/// (option, MS_* bits, whether the option clears them).
const FLAG_OPTIONS: [(&str, u32, bool); 25] = [
    ("ro", MS_RDONLY, false),
    ("rw", MS_RDONLY, true),
    ("nosuid", MS_NOSUID, false),
    ("suid", MS_NOSUID, true),
    ("nodev", MS_NODEV, false),
    ("dev", MS_NODEV, true),
    ("noexec", MS_NOEXEC, false),
    ("exec", MS_NOEXEC, true),
    ("sync", MS_SYNCHRONOUS, false),
    ("async", MS_SYNCHRONOUS, true),
    ("dirsync", MS_DIRSYNC, false),
    ("remount", MS_REMOUNT, false),
    ("mand", MS_MANDLOCK, false),
    ("nomand", MS_MANDLOCK, true),
    ("noatime", MS_NOATIME, false),
    ("atime", MS_NOATIME, true),
    ("nodiratime", MS_NODIRATIME, false),
    ("diratime", MS_NODIRATIME, true),
    ("relatime", MS_RELATIME, false),
    ("norelatime", MS_RELATIME, true),
    ("strictatime", MS_STRICTATIME, false),
    ("nostrictatime", MS_STRICTATIME, true),
    ("bind", MS_BIND, false),
    ("rbind", MS_BIND | MS_REC, false),
    ("defaults", 0, false),
];

const PROPAGATION: [(&str, u32); 8] = [
    ("private", MS_PRIVATE),
    ("rprivate", MS_PRIVATE | MS_REC),
    ("shared", MS_SHARED),
    ("rshared", MS_SHARED | MS_REC),
    ("slave", MS_SLAVE),
    ("rslave", MS_SLAVE | MS_REC),
    ("unbindable", MS_UNBINDABLE),
    ("runbindable", MS_UNBINDABLE | MS_REC),
];

/// Every mount option runt acts on itself (`runt features`); others go to the filesystem. The
/// names of both tables above, in order, then tmpcopyup: an option is looked up here by name, and
/// its index picks its bits (the tables themselves only exist at compile time).
pub const MOUNT_OPTIONS: &[&str] = &option_names();

const fn option_names() -> [&'static str; FLAG_OPTIONS.len() + PROPAGATION.len() + 1] {
    let mut out = ["tmpcopyup"; FLAG_OPTIONS.len() + PROPAGATION.len() + 1];
    let mut i = 0;
    while i < FLAG_OPTIONS.len() + PROPAGATION.len() {
        out[i] = if i < FLAG_OPTIONS.len() { FLAG_OPTIONS[i].0 } else { PROPAGATION[i - FLAG_OPTIONS.len()].0 };
        i += 1;
    }
    out
}

/// FLAG_OPTIONS and PROPAGATION by column, without the names.
const FLAG_BITS: [u32; FLAG_OPTIONS.len()] = column!(FLAG_OPTIONS, 1, 0);
const FLAG_CLEARS: [bool; FLAG_OPTIONS.len()] = column!(FLAG_OPTIONS, 2, false);
const PROPAGATION_BITS: [u32; PROPAGATION.len()] = column!(PROPAGATION, 1, 0);

/// The index of option `name` in MOUNT_OPTIONS; past its end for an option runt does not know.
#[inline(never)]
fn option(name: &str) -> usize {
    MOUNT_OPTIONS.iter().position(|o| *o == name).unwrap_or(usize::MAX)
}

fn propagation(name: &str) -> Option<u32> {
    PROPAGATION_BITS.get(option(name).wrapping_sub(FLAG_BITS.len())).copied()
}

/// One of `mounts`, appended to `out`.
#[inline(never)]
fn mount(m: &Value, bundle: &str, out: &mut Vec<Mount>) -> Res<()> {
    let destination = need_abs(m, "destination")?;
    refuse(m, "uidMappings gidMappings", "idmapped mounts are not supported")?;
    let mut mount = Mount {
        destination: String::new(),
        source: text(m, "source")?.into(),
        fstype: text(m, "type")?.into(),
        flags: 0,
        data: String::new(),
        propagation: 0,
        copy_up: false,
    };
    mount.destination.push_str(destination);
    for o in list(m, "options")? {
        let name = str_of(o)?.as_str();
        let i = option(name);
        if let (Some(&bits), Some(&clear)) = (FLAG_BITS.get(i), FLAG_CLEARS.get(i)) {
            mount.flags = if clear { mount.flags & !bits } else { mount.flags | bits };
        } else if let Some(&p) = PROPAGATION_BITS.get(i.wrapping_sub(FLAG_BITS.len())) {
            if mount.propagation != 0 && mount.propagation != p {
                return Err(fail(o, "a second, different propagation type"));
            }
            mount.propagation = p;
        } else if i == FLAG_BITS.len() + PROPAGATION_BITS.len() {
            // tmpcopyup, the last of MOUNT_OPTIONS.
            mount.copy_up = true;
        } else if matches!(name, "idmap" | "ridmap")
            // rro, rnosuid, ...: mount_setattr's recursive attributes.
            || name.strip_prefix('r').is_some_and(|f| option(f) < FLAG_BITS.len())
        {
            return Err(fail_q(o, "", name, " is not supported"));
        } else {
            if !mount.data.is_empty() {
                mount.data.push(',');
            }
            mount.data.push_str(name);
        }
    }
    if mount.fstype == "bind" || mount.is_bind() {
        if mount.source.is_empty() {
            return Err(fail_in(m, "source", "required for a bind mount"));
        }
        // The kernel ignores data on a bind mount: an option it would drop is refused instead.
        if !mount.data.is_empty() {
            return Err(fail_q_in(m, "options", "", &mount.data, ": not an option of bind mounts"));
        }
        mount.source = in_bundle(bundle, &mount.source);
        mount.fstype.clear();
        mount.flags |= MS_BIND;
        // tmpcopyup is for fresh filesystems (tmpfs); runc ignores it elsewhere.
        mount.copy_up = false;
    } else if mount.fstype.is_empty() {
        return Err(fail_in(m, "type", "required for a mount that is not a bind mount"));
    } else if mount.source.is_empty() {
        // cgroup and cgroup2 stay as given: rootfs decides how to mount them.
        mount.source.clone_from(&mount.fstype);
    }
    out.push(mount);
    Ok(())
}

/// One of linux.devices, appended to `out`: nodes created in the container's /dev. Their access
/// is up to linux.resources.devices, as in runc (the engine adds the rules it wants).
#[inline(never)]
fn device_node(d: &Value, out: &mut Vec<devices::Node>) -> Res<()> {
    let p = need(d, "path")?;
    let path = str_of(p)?;
    if !path.starts_with("/dev/") || path.split('/').any(|c| c == "..") {
        return Err(fail(p, "must be a path under /dev"));
    }
    let t = need(d, "type")?;
    let kind = match str_of(t)?.as_str() {
        "c" | "u" => Kind::Char,
        "b" => Kind::Block,
        "p" => return Err(fail(t, "fifos are not supported")),
        other => return Err(fail_q(t, "unknown device type ", other, "")),
    };
    let (major, minor) = (need_num(d, "major")? as u32, need_num(d, "minor")? as u32);
    // fileMode may carry the type bits too (podman writes 0o20666): only the permissions count.
    let mode = opt_num(d, "fileMode", 0o666)? as u32 & 0o7777;
    let (uid, gid) = (opt_num(d, "uid", 0)? as u32, opt_num(d, "gid", 0)? as u32);
    let (host, path) = (path.into(), path.into());
    out.push(devices::Node { host, path, access: devices::RWM, kind, major, minor, mode, uid, gid });
    Ok(())
}

/// linux.resources.devices, in order, then the default devices' allow rules, into `rules`.
///
/// As runc (on v1 and v2 alike): the rules apply on top of "deny everything", and the devices
/// the spec says every container has (null, zero, full, random, urandom, tty, console, ptmx,
/// pts/*, plus mknod of any node) are allowed after the config's rules, whatever those say. So
/// podman's lone deny-all rule still leaves /dev/null usable, no rules at all means only the
/// default devices, and a privileged engine's allow-all rule allows everything.
#[inline(never)]
fn device_rules(r: &Value, rules: &mut Vec<Rule>) -> Res<()> {
    let deny_all = Rule { allow: false, kind: Kind::All, major: None, minor: None, access: devices::RWM };
    // The v1 devices files start from what the parent allows: make the starting point explicit
    // (once: a config's own first rule that says the same is not repeated).
    rules.push(deny_all);
    for (i, d) in list(r, "devices")?.iter().enumerate() {
        let kind = match text(obj(d)?, "type")?.as_str() {
            "" | "a" => Kind::All,
            "c" => Kind::Char,
            "b" => Kind::Block,
            other => return Err(fail_q_in(d, "type", "unknown device type ", other, " (a, c or b)")),
        };
        let a = need(d, "access")?;
        let access = devices::parse_access(str_of(a)?).ok_or_else(|| fail(a, "expected a mix of r, w and m"))?;
        let mut rule = Rule { allow: false, kind, major: None, minor: None, access };
        flag(d, "allow", &mut rule.allow)?;
        // -1, and any number with type "a", stands for all.
        if kind != Kind::All {
            for (k, n) in [("major", &mut rule.major), ("minor", &mut rule.minor)] {
                if get(d, k).and_then(Value::as_i64) != Some(-1) {
                    set_num(d, k, n)?;
                }
            }
        }
        if i > 0 || rule != deny_all {
            rules.push(rule);
        }
    }
    for d in devices::DEFAULT.iter().filter(|r| r.allow) {
        rules.push(*d);
    }
    Ok(())
}

/// Member `k`, a number where -1 and 0 mean no limit, into `out`.
fn positive(v: &Value, k: &str, out: &mut Option<u64>) -> Res<()> {
    *out = get(v, k).map(i64_of).transpose()?.and_then(|n| u64::try_from(n).ok()).filter(|&n| n > 0);
    Ok(())
}

/// linux.resources (also `runt update`'s input).
fn limits(r: &Value) -> Res<Limits> {
    let mut l = Limits::default();
    fill_limits(r, &mut l)?;
    Ok(l)
}

/// linux.resources into `l` (a default one), in place.
fn fill_limits(r: &Value, l: &mut Limits) -> Res<()> {
    l.cpu_period = CPU_PERIOD_US;
    refuse(r, "hugepageLimits network rdma", "not supported")?;
    if let Some(p) = object_or_none(r, "pids")? {
        positive(p, "limit", &mut l.pids)?;
    }
    if let Some(m) = object_or_none(r, "memory")? {
        positive(m, "limit", &mut l.memory)?;
        positive(m, "reservation", &mut l.memory_reservation)?;
        if let Some(s) = get(m, "swap") {
            let n = i64_of(s)?;
            if n < -1 {
                return Err(fail(s, "expected -1 (unlimited) or a number of bytes"));
            }
            l.memory_swap = Some(n).filter(|&n| n != 0);
        }
        // kernel and kernelTCP are deprecated (gone since Linux 5.4 on v1, never on v2); runc
        // ignores them, and so does runt. swappiness only exists on v1, and runc ignores it on
        // v2: runt does not write it either. useHierarchy is always on in current kernels.
        refuse(m, "disableOOMKiller checkBeforeUpdate", "not supported")?;
    }
    if let Some(c) = object_or_none(r, "cpu")? {
        l.cpu_shares = Some(opt_u64(c, "shares")?).filter(|&n| n > 0);
        positive(c, "quota", &mut l.cpu_quota)?;
        match opt_u64(c, "period")? {
            0 => {}
            p => l.cpu_period = p,
        }
        opt_text(c, "cpus", &mut l.cpuset_cpus)?;
        opt_text(c, "mems", &mut l.cpuset_mems)?;
        refuse(c, "realtimeRuntime realtimePeriod idle burst", "not supported")?;
    }
    if let Some(b) = object_or_none(r, "blockIO")? {
        if let Some(w) = get(b, "weight") {
            let n = num16(w)? as u16;
            if n != 0 && !(10..=1000).contains(&n) {
                return Err(fail(w, "must be from 10 to 1000"));
            }
            l.blkio_weight = Some(n).filter(|&n| n != 0);
        }
        const PER_DEVICE: &str = "leafWeight weightDevice throttleReadBpsDevice throttleWriteBpsDevice \
            throttleReadIOPSDevice throttleWriteIOPSDevice";
        refuse(b, PER_DEVICE, "not supported")?;
    }
    map(r, "unified", &mut l.unified)?;
    Ok(())
}

/// linux.cgroupsPath below each hierarchy's root: "/a/b" and "a/b" are "a/b"; the systemd form
/// "slice:prefix:name" is "slice/prefix-name.scope", a dashed slice expanded into its parents as
/// systemd does ("machine-libpod.slice" is machine.slice/machine-libpod.slice).
/// Set in `out` (left alone when not given).
fn cgroups_path(linux: &Value, out: &mut Option<String>) -> Res<()> {
    let Some(p) = get(linux, "cgroupsPath").filter(|p| is_set(p)) else { return Ok(()) };
    let text = str_of(p)?;
    let bad = |why: &str| fail_q(p, "", text, why);
    let path = out.insert(String::new());
    let mut parts = text.split(':');
    let slice = parts.next().unwrap_or_default();
    if let Some(prefix) = parts.next() {
        let (Some(name), None) = (parts.next(), parts.next()) else {
            return Err(bad(": expected slice:prefix:name"));
        };
        if name.is_empty() || name.contains('/') {
            return Err(bad(": invalid unit name"));
        }
        if !expand_slice(if slice.is_empty() { "system.slice" } else { slice }, path) {
            return Err(bad(": invalid slice name"));
        }
        if !prefix.is_empty() && !name.ends_with(".slice") {
            path.push_str(prefix);
            path.push('-');
        }
        path.push_str(name);
        if !name.ends_with(".slice") {
            path.push_str(".scope");
        }
        return Ok(());
    }
    for c in text.split('/').filter(|c| !c.is_empty() && *c != ".") {
        if c == ".." {
            return Err(bad(": '..' is not allowed"));
        }
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(c);
    }
    if path.is_empty() {
        return Err(bad(": names no cgroup below the root"));
    }
    Ok(())
}

/// Appends "a.slice/a-b.slice/a-b-c.slice/" for "a-b-c.slice" to `path` ("" for "-.slice", the
/// root slice); false for an invalid name (`path` then holds part of it).
#[inline(never)]
fn expand_slice(slice: &str, path: &mut String) -> bool {
    let Some(base) = slice.strip_suffix(".slice") else { return false };
    if base == "-" {
        return true;
    }
    // One pass checks and writes: a '/' or an empty part (a '-' at either end or after another,
    // or no name at all) is invalid.
    let mut prev = b'-';
    for (i, b) in base.bytes().chain([b'-']).enumerate() {
        if b == b'/' || (b == b'-' && prev == b'-') {
            return false;
        }
        if b == b'-' {
            path.push_str(base.get(..i).unwrap_or(base));
            path.push_str(".slice/");
        }
        prev = b;
    }
    true
}

/// The absolute paths listed in member `k`, appended to `out`.
fn absolute_paths(linux: &Value, k: &str, out: &mut Vec<String>) -> Res<()> {
    string_list(linux, k, out, true)
}

/// linux.seccomp, compiled, into `out`.
#[inline(never)]
fn seccomp(s: &Value, out: &mut Seccomp) -> Res<()> {
    refuse(s, "listenerPath listenerMetadata", "seccomp notification is not supported")?;
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
    *out = Seccomp::Custom { filter, flags };
    Ok(())
}

/// `hooks`, into the (empty) lists of `hooks`.
#[inline(never)]
fn hooks(top: &Value, hooks: &mut Hooks) -> Res<()> {
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
    use super::*;
    use crate::security::bpf::{vm, Action};
    use std::string::ToString;
    use std::vec;

    const PODMAN: &str = "/work/shared/fixtures/podman-4.3-config.json";

    /// `runc spec` of runc 1.1.5 (Debian 12), as written.
    const RUNC_SPEC: &str = r#"{"ociVersion":"1.0.2-dev","process":{"terminal":true,"user":{"uid":0,"gid":0},
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

    fn parse(text: &str) -> Value {
        json::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    /// Sets (or with `None` removes) the member at a dotted path ("linux.namespaces.2.type"),
    /// creating objects on the way; numbers index arrays.
    fn set(v: &mut Value, path: &str, new: Option<&str>) {
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
    fn runc_with(changes: &[(&str, Option<&str>)]) -> Result<Spec> {
        let mut v = parse(RUNC_SPEC);
        for (path, new) in changes {
            set(&mut v, path, *new);
        }
        from_json(&v, "/b", "c1")
    }

    fn error(path: &str, new: &str) -> String {
        match runc_with(&[(path, Some(new))]) {
            Ok(_) => panic!("{path} = {new}: accepted"),
            Err(e) => e.to_string(),
        }
    }

    fn podman() -> Spec {
        let text = std::fs::read(PODMAN).unwrap_or_else(|e| panic!("{PODMAN}: {e}"));
        from_json(&json::parse(&text).unwrap(), "/bundle", "e3d603a5eab2").unwrap()
    }

    #[test]
    fn every_namespace_name_has_its_flag() {
        assert_eq!(NAMESPACE_NAMES.split(' ').count(), NAMESPACE_FLAGS.len());
    }

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
        assert_eq!(s.limits.cpu_period, 100_000);
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
    fn podman_seccomp_is_compiled() {
        let Seccomp::Custom { filter, flags } = podman().seccomp else { panic!("not a custom filter") };
        assert!(!filter.is_empty());
        assert_eq!(flags, 0);
        let run = |name, args: &[u64]| vm::run(&filter, &vm::Data::x86_64(seccomp::syscall_nr(name).unwrap(), args));
        assert_eq!(run("read", &[]), Action::Allow.ret());
        // podman 4.3 leaves mount to the capabilities; bpf it refuses with EPERM. setns is both in
        // the allow list and in a later EPERM rule: the first unconditional rule wins.
        assert_eq!(run("mount", &[]), Action::Allow.ret());
        assert_eq!(run("bpf", &[]), Action::Errno(1).ret());
        assert_eq!(run("setns", &[]), Action::Allow.ret());
        assert_eq!(run("personality", &[8]), Action::Allow.ret());
        assert_eq!(run("personality", &[4]), Action::Errno(38).ret());
        // defaultErrnoRet 38: what the profile does not name fails with ENOSYS.
        assert_eq!(run("create_module", &[]), Action::Errno(38).ret());
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
        for rootless in [false, true] {
            let v = parse(&crate::oci::template::config(rootless, 1000, 1000));
            let s = from_json(&v, "/b", "x").unwrap();
            let Seccomp::Custom { filter, .. } = &s.seccomp else { panic!("no filter") };
            let nr = seccomp::syscall_nr("mount").unwrap();
            assert_eq!(vm::run(filter, &vm::Data::x86_64(nr, &[])), Action::Errno(1).ret());
            assert_eq!(s.caps.bounding, caps::DEFAULT);
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
        assert_eq!(s.limits, Limits { cpu_period: 100_000, ..Limits::default() });
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
        ("process.apparmorProfile", r#""docker-default""#, "process.apparmorProfile: AppArmor is not supported"),
        ("process.selinuxLabel", r#""system_u:r""#, "process.selinuxLabel: SELinux is not supported"),
        ("process.ioPriority", r#"{"class":"IOPRIO_CLASS_RT","priority":1}"#, "process.ioPriority: not supported"),
        ("process.scheduler", r#"{"policy":"SCHED_FIFO"}"#, "process.scheduler: not supported"),
        ("process.execCPUAffinity", r#"{"initial":"0"}"#, "process.execCPUAffinity: not supported"),
        ("process.noNewPrivileges", "1", "process.noNewPrivileges: expected a boolean, found number"),
        ("mounts.1.destination", r#""dev""#, "mounts[1].destination: must be an absolute path"),
        ("mounts.1.options", r#"["idmap"]"#, r#"mounts[1].options[0]: "idmap" is not supported"#),
        ("mounts.1.options", r#"["ro","idmap"]"#, r#"mounts[1].options[1]: "idmap" is not supported"#),
        ("mounts.1.options", r#"["ridmap"]"#, r#"mounts[1].options[0]: "ridmap" is not supported"#),
        ("mounts.1.options", r#"["rro"]"#, r#"mounts[1].options[0]: "rro" is not supported"#),
        ("mounts.1.options", r#"["private","shared"]"#, "mounts[1].options[1]: a second, different propagation type"),
        ("mounts.1.uidMappings", r#"[{"containerID":0,"hostID":1,"size":1}]"#, "mounts[1].uidMappings: idmapped mounts are not supported"),
        ("mounts.1.type", r#""""#, "mounts[1].type: required for a mount that is not a bind mount"),
        ("mounts.1", r#"{"destination":"/x","type":"bind","options":["rbind"]}"#, "mounts[1].source: required for a bind mount"),
        ("mounts.1", r#"{"destination":"/x","source":"/y","options":["rbind","mode=755"]}"#,
            r#"mounts[1].options: "mode=755": not an option of bind mounts"#),
        ("linux.namespaces.2.type", r#""foo""#, r#"linux.namespaces[2].type: unknown namespace type "foo""#),
        ("linux.namespaces.2.type", r#""time""#, r#"linux.namespaces[2].type: time namespaces are not supported "time""#),
        ("linux.namespaces.2.type", r#""pid""#, r#"linux.namespaces[2].type: "pid" listed twice"#),
        ("linux.namespaces.2.path", r#""proc/1/ns/ipc""#, "linux.namespaces[2].path: must be an absolute path"),
        ("linux.namespaces.4.path", r#""/proc/1/ns/mnt""#, r#"linux.namespaces: a new mount namespace ("mount" without a path) is required"#),
        ("linux.uidMappings", r#"[{"containerID":0,"hostID":1000,"size":1}]"#, "linux.uidMappings: given without a new user namespace"),
        ("linux.devices", r#"[{"path":"/dev/fuse","type":"p","major":10,"minor":229}]"#, "linux.devices[0].type: fifos are not supported"),
        ("linux.devices", r#"[{"path":"/dev/fuse","type":"x","major":10,"minor":229}]"#, r#"linux.devices[0].type: unknown device type "x""#),
        ("linux.devices", r#"[{"path":"/etc/fuse","type":"c","major":10,"minor":229}]"#, "linux.devices[0].path: must be a path under /dev"),
        ("linux.devices", r#"[{"path":"/dev/../etc/x","type":"c","major":10,"minor":229}]"#, "linux.devices[0].path: must be a path under /dev"),
        ("linux.devices", r#"[{"path":"/dev/fuse","type":"c","minor":229}]"#, "linux.devices[0].major: required"),
        ("linux.resources.devices.0.access", r#""rwx""#, "linux.resources.devices[0].access: expected a mix of r, w and m"),
        ("linux.resources.devices.0.type", r#""p""#, r#"linux.resources.devices[0].type: unknown device type "p" (a, c or b)"#),
        ("linux.resources.devices.0", r#"{"allow":false}"#, "linux.resources.devices[0].access: required"),
        ("linux.resources.memory.swap", "-2", "linux.resources.memory.swap: expected -1 (unlimited) or a number of bytes"),
        ("linux.resources.memory.disableOOMKiller", "true", "linux.resources.memory.disableOOMKiller: not supported"),
        ("linux.resources.cpu.realtimeRuntime", "950000", "linux.resources.cpu.realtimeRuntime: not supported"),
        ("linux.resources.cpu.realtimePeriod", "1000000", "linux.resources.cpu.realtimePeriod: not supported"),
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
        ("linux.sysctl", r#"{"../../etc/x":"1"}"#, r#"linux.sysctl: invalid key "../../etc/x""#),
        ("linux.maskedPaths", r#"["proc/kcore"]"#, "linux.maskedPaths[0]: must be an absolute path"),
        ("linux.readonlyPaths", r#"["/proc/sys",3]"#, "linux.readonlyPaths[1]: expected a string, found number"),
        ("linux.rootfsPropagation", r#""bogus""#, "linux.rootfsPropagation: unknown propagation"),
        ("linux.seccomp", r#"{"defaultAction":"SCMP_ACT_NOPE"}"#, "linux.seccomp: unknown seccomp action 'SCMP_ACT_NOPE'"),
        ("linux.seccomp", r#"{"defaultAction":"SCMP_ACT_ALLOW","flags":["SECCOMP_FILTER_FLAG_NEW_LISTENER"]}"#,
            "linux.seccomp: unsupported seccomp flag 'SECCOMP_FILTER_FLAG_NEW_LISTENER'"),
        ("linux.seccomp", r#"{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/s.sock"}"#,
            "linux.seccomp.listenerPath: seccomp notification is not supported"),
        ("linux.seccomp", r#"{"syscalls":[]}"#, "linux.seccomp.defaultAction: required"),
        ("linux.seccomp", r#"{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1}]}]}"#,
            "linux.seccomp.syscalls[0].args[0].op: required"),
        ("linux.mountLabel", r#""system_u:object_r""#, "linux.mountLabel: SELinux is not supported"),
        ("linux.intelRdt", r#"{"closID":"x"}"#, "linux.intelRdt: not supported"),
        ("linux.personality", r#"{"domain":"LINUX32"}"#, "linux.personality: not supported"),
        ("linux.timeOffsets", r#"{"monotonic":{"secs":1}}"#, "linux.timeOffsets: not supported"),
        ("linux.memoryPolicy", r#"{"mode":"MPOL_BIND","nodes":"0"}"#, "linux.memoryPolicy: not supported"),
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
        let no_mount_ns = r#"config.json: linux: a new mount namespace ("mount" without a path) is required"#;
        assert_eq!(missing("linux"), no_mount_ns);
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
    fn namespaces_joined_and_user() {
        let s = runc_with(&[(
            "linux.namespaces",
            Some(
                r#"[{"type":"pid"},{"type":"network","path":"/var/run/netns/n1"},{"type":"mount"},{"type":"cgroup"},
                {"type":"user","path":"/proc/9/ns/user"},{"type":"ipc","path":""},{"type":"uts"}]"#,
            ),
        )])
        .unwrap();
        assert_eq!(s.namespaces, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWIPC | CLONE_NEWUTS);
        assert_eq!(s.join, [(CLONE_NEWNET, "/var/run/netns/n1".into()), (CLONE_NEWUSER, "/proc/9/ns/user".into())]);
        assert_eq!(s.userns, None);
        let e = |c: &[(&str, Option<&str>)]| runc_with(c).unwrap_err().to_string();
        let user = ("linux.namespaces.5", Some(r#"{"type":"user"}"#));
        assert_eq!(e(&[user]), "config.json: linux.uidMappings: required with a new user namespace");
        let uid = ("linux.uidMappings", Some(r#"[{"containerID":0,"hostID":100000,"size":65536}]"#));
        assert_eq!(e(&[user, uid]), "config.json: linux.gidMappings: required with a new user namespace");
        let gid = ("linux.gidMappings", Some(r#"[{"containerID":0,"hostID":100000,"size":0}]"#));
        assert_eq!(e(&[user, uid, gid]), "config.json: linux.gidMappings[0].size: must not be 0");
        let gid = ("linux.gidMappings", Some(r#"[{"containerID":0,"hostID":100000,"size":65536}]"#));
        let maps = vec![IdMap { inside: 0, outside: 100_000, count: 65_536 }];
        let want = UserNs { uid_maps: maps.clone(), gid_maps: maps, helpers: false, deny_setgroups: false };
        assert_eq!(runc_with(&[user, uid, gid]).unwrap().userns, Some(want));
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
    fn mount_options() {
        let m = |json: &str| runc_with(&[("mounts.0", Some(json))]).map(|s| s.mounts[0].clone());
        let t = m(r#"{"destination":"/t","type":"tmpfs",
            "options":["ro","rw","nodev","dev","defaults","size=1m","mode=1777","rshared"]}"#)
        .unwrap();
        assert_eq!((t.flags, t.data.as_str(), t.source.as_str()), (0, "size=1m,mode=1777", "tmpfs"));
        assert!(!t.copy_up);
        assert_eq!(t.propagation, MS_SHARED | MS_REC);
        let t = m(r#"{"destination":"/t","type":"tmpfs","options":["tmpcopyup","mode=755"]}"#).unwrap();
        assert_eq!((t.copy_up, t.data.as_str()), (true, "mode=755"));
        let b = m(r#"{"destination":"/x","source":"/y","options":["rbind","tmpcopyup"]}"#).unwrap();
        assert!(b.is_bind() && !b.copy_up);
        let t = m(r#"{"destination":"/t","type":"tmpfs","source":"x",
            "options":["sync","dirsync","remount","mand","noatime","nodiratime","strictatime","runbindable"]}"#)
        .unwrap();
        let all = MS_SYNCHRONOUS | MS_DIRSYNC | MS_REMOUNT | MS_MANDLOCK | MS_NOATIME | MS_NODIRATIME | MS_STRICTATIME;
        assert_eq!(t.flags, all);
        assert_eq!((t.source.as_str(), t.propagation), ("x", MS_UNBINDABLE | MS_REC));
        let t = m(r#"{"destination":"/t","type":"tmpfs","options":["sync","async","mand","nomand","noatime","atime",
            "nodiratime","diratime","strictatime","nostrictatime","relatime","norelatime","noexec","exec","nosuid","suid"]}"#)
        .unwrap();
        assert_eq!(t.flags, 0);
        // A type "bind" without a bind option binds non-recursively.
        let b = m(r#"{"destination":"/x","type":"bind","source":"/y","options":["slave"]}"#).unwrap();
        assert_eq!((b.flags, b.propagation, b.fstype.as_str()), (MS_BIND, MS_SLAVE, ""));
        // Repeating the same propagation is fine.
        assert!(m(r#"{"destination":"/x","source":"/y","options":["rbind","rprivate","rprivate"]}"#).is_ok());
        assert_eq!(m(r#"{"destination":"/c","type":"cgroup2","source":"cgroup2"}"#).unwrap().fstype, "cgroup2");
        let names: std::collections::BTreeSet<&str> = MOUNT_OPTIONS.iter().copied().collect();
        assert_eq!(names.len(), MOUNT_OPTIONS.len());
        for o in ["ro", "rbind", "rprivate", "runbindable", "strictatime", "defaults", "tmpcopyup"] {
            assert!(names.contains(o), "{o}");
        }
    }

    #[test]
    fn cgroups_paths() {
        let path = |p: &str| runc_with(&[("linux.cgroupsPath", Some(&format!("\"{p}\"")))]).map(|s| s.oci.cgroups_path);
        let cases = [
            ("", None),
            ("/a/b", Some("a/b")),
            ("a/b", Some("a/b")),
            ("//a/./b/", Some("a/b")),
            ("machine.slice:libpod:abc", Some("machine.slice/libpod-abc.scope")),
            ("machine-libpod.slice:libpod:abc", Some("machine.slice/machine-libpod.slice/libpod-abc.scope")),
            ("a-b-c.slice:p:n", Some("a.slice/a-b.slice/a-b-c.slice/p-n.scope")),
            ("system.slice::n", Some("system.slice/n.scope")),
            (":docker:n", Some("system.slice/docker-n.scope")),
            ("-.slice:p:n", Some("p-n.scope")),
            ("user.slice:p:my.slice", Some("user.slice/my.slice")),
        ];
        for (p, want) in cases {
            assert_eq!(path(p).unwrap().as_deref(), want, "{p}");
        }
        let bad = [
            "/",
            "a:b:c:d",
            "nope:p:n",
            "-a.slice:p:n",
            "a--b.slice:p:n",
            "a-.slice:p:n",
            ".slice:p:n",
            "a/b.slice:p:n",
            "x.slice:p:",
            "x.slice:p:a/b",
        ];
        for b in bad.iter().chain(&["../x"]) {
            assert!(path(b).is_err(), "{b}");
        }
    }

    #[test]
    fn devices_and_rules() {
        let s = runc_with(&[
            (
                "linux.devices",
                Some(
                    r#"[{"path":"/dev/fuse","type":"c","major":10,"minor":229,"fileMode":8630,"uid":0,"gid":5},
                    {"path":"/dev/sda","type":"b","major":8,"minor":0,"fileMode":416,"uid":7}]"#,
                ),
            ),
            (
                "linux.resources.devices",
                Some(
                    r#"[{"allow":true,"type":"c","major":10,"minor":229,"access":"rw"},
                    {"allow":false,"type":"b","major":-1,"access":"m"},{"allow":true,"access":"r","major":3}]"#,
                ),
            ),
        ])
        .unwrap();
        let node = |path: &str, kind, major, minor, mode, uid, gid| devices::Node {
            host: path.into(),
            path: path.into(),
            access: devices::RWM,
            kind,
            major,
            minor,
            mode,
            uid,
            gid,
        };
        assert_eq!(
            s.device_nodes,
            [node("/dev/fuse", Kind::Char, 10, 229, 0o666, 0, 5), node("/dev/sda", Kind::Block, 8, 0, 0o640, 7, 0)]
        );
        let rules = s.device_rules.unwrap();
        // deny all (added: the first rule was not one), the config's three, the defaults' allows.
        assert_eq!(rules.len(), 1 + 3 + devices::DEFAULT.len() - 1);
        assert_eq!(rules[0], devices::DEFAULT[0]);
        let rw = devices::READ | devices::WRITE;
        assert_eq!(rules[1], Rule { allow: true, kind: Kind::Char, major: Some(10), minor: Some(229), access: rw });
        assert_eq!(
            rules[2],
            Rule { allow: false, kind: Kind::Block, major: None, minor: None, access: devices::MKNOD }
        );
        assert_eq!(rules[3], Rule { allow: true, kind: Kind::All, major: None, minor: None, access: devices::READ });
        assert_eq!(rules[4..], devices::DEFAULT[1..]);
        // A privileged engine's allow-all ends with everything allowed.
        let p = runc_with(&[("linux.resources.devices", Some(r#"[{"allow":true,"access":"rwm"}]"#))]).unwrap();
        let p = p.device_rules.unwrap();
        assert_eq!((p[0].allow, p[1].allow, p[1].kind), (false, true, Kind::All));
        // Only a leading deny-all stands for the one runt adds; a later one stays.
        let deny = r#"{"allow":false,"access":"rwm"}"#;
        for (rules, denies) in [(format!("[{deny}]"), 1), (format!("[{deny},{deny}]"), 2)] {
            let d = runc_with(&[("linux.resources.devices", Some(&rules))]).unwrap().device_rules.unwrap();
            assert_eq!(d.len(), denies + devices::DEFAULT.len() - 1, "{rules}");
            assert!(d[..denies].iter().all(|r| *r == devices::DEFAULT[0]), "{rules}");
        }
    }

    #[test]
    fn resources_map_to_limits() {
        let v = parse(
            r#"{"pids":{"limit":-1},"memory":{"limit":-1,"reservation":1024,"swap":-1},
            "cpu":{"shares":512,"quota":50000,"period":200000,"cpus":"0-1","mems":"0"},
            "blockIO":{"weight":500},"unified":{"memory.high":"1M","io.max":"8:0 rbps=1"}}"#,
        );
        let want = Limits {
            pids: None,
            memory: None,
            memory_reservation: Some(1024),
            memory_swap: Some(-1),
            cpu_shares: Some(512),
            cpuset_cpus: Some("0-1".into()),
            cpuset_mems: Some("0".into()),
            blkio_weight: Some(500),
            unified: vec![("memory.high".into(), "1M".into()), ("io.max".into(), "8:0 rbps=1".into())],
            cpu_quota: Some(50_000),
            cpu_period: 200_000,
        };
        assert_eq!(resources(&v).unwrap(), want);
        let v = parse(r#"{"cpu":{"quota":-1,"shares":0},"pids":{"limit":0},"memory":{"swap":0}}"#);
        assert_eq!(resources(&v).unwrap(), Limits { cpu_period: 100_000, ..Limits::default() });
        // Errors name the path inside the file; `runt update` adds the file's name.
        let e = resources(&parse(r#"{"memory":{"limit":"1g"}}"#)).unwrap_err();
        assert_eq!(e.to_string(), "memory.limit: expected an integer, found string");
        assert_eq!(resources(&parse("3")).unwrap_err().to_string(), "expected an object, found number");
    }

    #[test]
    fn process_for_exec() {
        let mut s = runc_with(&[("process.oomScoreAdj", Some("-500")), ("process.user.umask", Some("63"))]).unwrap();
        assert_eq!((s.oom_score_adj, s.oci.umask), (Some(-500), Some(0o77)));
        let before = s.caps;
        let v = parse(
            r#"{"args":["ps"],"cwd":"/tmp","user":{"uid":1000,"gid":100,"additionalGids":[5,6]},"terminal":true,
            "consoleSize":{"height":24,"width":80},"env":["A=b"]}"#,
        );
        apply_process(&v, &mut s).unwrap();
        assert_eq!((s.args[0].as_str(), s.cwd.as_str(), s.env.as_slice()), ("ps", "/tmp", &["A=b".to_string()][..]));
        assert_eq!(s.user, Some(User { uid: 1000, gid: 100 }));
        assert_eq!(s.oci.additional_gids, [5, 6]);
        assert_eq!((s.oci.terminal, s.oci.console_size), (true, Some((24, 80))));
        // Not given: the container's own stay.
        assert_eq!(s.caps, before);
        assert!(s.no_new_privs);
        assert_eq!(s.rlimits.len(), 1);
        assert_eq!(s.oci.umask, Some(0o77));
        let v = parse(
            r#"{"args":["x"],"cwd":"/","noNewPrivileges":false,"capabilities":{"bounding":["CAP_KILL","CAP_FLY"]},
            "rlimits":[{"type":"RLIMIT_CORE","soft":0,"hard":0}]}"#,
        );
        apply_process(&v, &mut s).unwrap();
        assert!(!s.no_new_privs);
        assert_eq!(s.caps, Caps { bounding: 1 << 5, ..Caps::default() });
        assert_eq!(s.rlimits, [Rlimit { resource: 4, soft: 0, hard: 0 }]);
        assert_eq!(apply_process(&parse(r#"{"args":["x"]}"#), &mut s).unwrap_err().to_string(), "cwd: required");
    }

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
        assert_eq!(s.oci.sysctl[0], ("net.ipv4.ip_forward".into(), "1".into()));
        assert_eq!(s.oci.rootfs_propagation, MS_SLAVE | MS_REC);
        assert_eq!(s.oci.annotations, [("z".into(), "1".into()), ("a".into(), "2".into())]);
    }

    #[test]
    fn load_reads_the_bundle() {
        let dir = std::env::temp_dir().join(format!("runt-config-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let b = dir.to_str().unwrap();
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
