//! Reading config.json's values: typed getters whose errors name their place. The place is not
//! tracked while reading: an error holds the value it is about, and only then is that value
//! looked up in the document (by address) to name its path (`linux.namespaces[2].type`).

use crate::error::{cat, push_dec, Error};
use crate::json::Value;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// What is wrong, and where: `at` (a value in the document) or its member `key`.
pub(super) struct Fail {
    at: *const Value,
    key: &'static str,
    msg: String,
}

/// Boxed, so that results come back in registers and `?` moves one pointer.
pub(super) type Res<T> = core::result::Result<T, Box<Fail>>;

impl Fail {
    /// The error, its place named by looking `at` up in `doc`. Takes the box: it is freed here,
    /// once, instead of after the call at each caller (48 bytes).
    #[allow(clippy::boxed_local)]
    pub(super) fn error(self: Box<Fail>, doc: &Value, prefix: &str) -> Error {
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
pub(super) fn fail(at: &Value, msg: &str) -> Box<Fail> {
    fail_in(at, "", msg)
}

/// `msg` about member `key` of `at`.
#[inline(never)]
pub(super) fn fail_in(at: &Value, key: &'static str, msg: &str) -> Box<Fail> {
    fail_owned(at, key, msg.into())
}

#[inline(never)]
pub(super) fn fail_owned(at: &Value, key: &'static str, msg: String) -> Box<Fail> {
    Box::new(Fail { at, key, msg })
}

/// A message about `at` quoting a value from the document: `before"x"after`.
#[inline(never)]
pub(super) fn fail_q(at: &Value, before: &str, x: &str, after: &str) -> Box<Fail> {
    fail_q_in(at, "", before, x, after)
}

/// As `fail_q`, about member `key` of `at`.
#[inline(never)]
pub(super) fn fail_q_in(at: &Value, key: &'static str, before: &str, x: &str, after: &str) -> Box<Fail> {
    fail_owned(at, key, cat(&[before, "\"", x, "\"", after]))
}

#[inline(never)]
pub(super) fn wrong(at: &Value, want: &str) -> Box<Fail> {
    fail_owned(at, "", cat(&["expected ", want, ", found ", at.type_name()]))
}

/// Stands in for an absent object ("linux", "resources"): every member is then absent too.
pub(super) static EMPTY: Value = Value::Object(Vec::new());

/// Member `k`; None when missing or null.
pub(super) fn get<'v>(v: &'v Value, k: &str) -> Option<&'v Value> {
    v.get(k).filter(|x| !x.is_null())
}

pub(super) fn need<'v>(v: &'v Value, k: &'static str) -> Res<&'v Value> {
    get(v, k).ok_or_else(|| fail_in(v, k, "required"))
}

pub(super) fn obj(v: &Value) -> Res<&Value> {
    match v {
        Value::Object(_) => Ok(v),
        _ => Err(wrong(v, "an object")),
    }
}

/// Member `k`, an object; None when absent.
pub(super) fn object_or_none<'v>(v: &'v Value, k: &str) -> Res<Option<&'v Value>> {
    get(v, k).map(obj).transpose()
}

/// Member `k`, an object; an empty one when absent.
pub(super) fn object_or_empty<'v>(v: &'v Value, k: &str) -> Res<&'v Value> {
    Ok(object_or_none(v, k)?.unwrap_or(&EMPTY))
}

/// The text of a string value. A `&String`, one pointer: with the error it comes back in two
/// registers, where a `&str` (two words) would come back through memory.
pub(super) fn str_of(v: &Value) -> Res<&String> {
    match v {
        Value::String(s) => Ok(s),
        _ => Err(wrong(v, "a string")),
    }
}

pub(super) fn u64_of(v: &Value) -> Res<u64> {
    v.as_u64().ok_or_else(|| wrong(v, "a non-negative integer"))
}

pub(super) fn i64_of(v: &Value) -> Res<i64> {
    v.as_i64().ok_or_else(|| wrong(v, "an integer"))
}

/// A non-negative integer up to `max`. Given as a u64 all the same, which callers narrow (exact
/// after the check): a `Res<u64>` comes back in two registers, a `Res<u32>` through memory.
#[inline(never)]
pub(super) fn num_to(v: &Value, max: u32) -> Res<u64> {
    match u64_of(v)? {
        n if n <= u64::from(max) => Ok(n),
        _ => Err(fail(v, "out of range")),
    }
}

/// A non-negative integer that fits a u32.
pub(super) fn num(v: &Value) -> Res<u64> {
    num_to(v, u32::MAX)
}

/// Member `k` as a u32; `default` when absent.
#[inline(never)]
pub(super) fn opt_num(v: &Value, k: &str, default: u32) -> Res<u64> {
    match get(v, k) {
        Some(n) => num(n),
        None => Ok(default.into()),
    }
}

/// Member `k` as a u32 into `out`, which stays as it is when the member is absent.
#[inline(never)]
pub(super) fn set_num(v: &Value, k: &str, out: &mut Option<u32>) -> Res<()> {
    if let Some(n) = get(v, k) {
        *out = Some(num(n)? as u32);
    }
    Ok(())
}

/// Member `k`, required, as a u32.
#[inline(never)]
pub(super) fn need_num(v: &Value, k: &'static str) -> Res<u64> {
    num(need(v, k)?)
}

/// Member `k` as a u64; 0 when absent.
#[inline(never)]
pub(super) fn opt_u64(v: &Value, k: &str) -> Res<u64> {
    get(v, k).map_or(Ok(0), u64_of)
}

/// Member `k`, required, as a u64.
#[inline(never)]
pub(super) fn need_u64(v: &Value, k: &'static str) -> Res<u64> {
    u64_of(need(v, k)?)
}

/// Member `k`, required, as a string.
#[inline(never)]
pub(super) fn need_str<'v>(v: &'v Value, k: &'static str) -> Res<&'v String> {
    str_of(need(v, k)?)
}

/// Member `k`, required, an absolute path.
#[inline(never)]
pub(super) fn need_abs<'v>(v: &'v Value, k: &'static str) -> Res<&'v String> {
    abs_path(need(v, k)?)
}

/// A non-negative integer that fits a u16.
pub(super) fn num16(v: &Value) -> Res<u64> {
    num_to(v, u16::MAX.into())
}

/// Member `k` as a boolean into `out`, which stays as it is when the member is absent (a
/// `Res<bool>` would come back through memory).
pub(super) fn flag(v: &Value, k: &str, out: &mut bool) -> Res<()> {
    if let Some(b) = get(v, k) {
        *out = b.as_bool().ok_or_else(|| wrong(b, "a boolean"))?;
    }
    Ok(())
}

/// Member `k` as a string; empty when absent.
pub(super) fn text<'v>(v: &'v Value, k: &str) -> Res<&'v String> {
    static NONE: String = String::new();
    match get(v, k) {
        Some(x) => str_of(x),
        None => Ok(&NONE),
    }
}

/// Member `k` as a string; None when absent or empty.
#[inline(never)]
pub(super) fn opt_text(v: &Value, k: &str, out: &mut Option<String>) -> Res<()> {
    let s = text(v, k)?;
    *out = if s.is_empty() { None } else { Some(s.into()) };
    Ok(())
}

/// The elements of the array in member `k`; none when absent. A `&Vec` for the same reason
/// as in `str_of`.
pub(super) fn list<'v>(v: &'v Value, k: &str) -> Res<&'v Vec<Value>> {
    static NONE: Vec<Value> = Vec::new();
    match get(v, k) {
        Some(Value::Array(a)) => Ok(a),
        Some(a) => Err(wrong(a, "an array")),
        None => Ok(&NONE),
    }
}

/// The strings in the array in member `k`, appended to `out` (filled in place: a `Vec` result
/// would go back through memory at each of the callers).
pub(super) fn strings(v: &Value, k: &str, out: &mut Vec<String>) -> Res<()> {
    string_list(v, k, out, false)
}

/// `strings` and `absolute_paths` in one body.
#[inline(never)]
pub(super) fn string_list(v: &Value, k: &str, out: &mut Vec<String>, absolute: bool) -> Res<()> {
    for s in list(v, k)? {
        out.push(if absolute { abs_path(s) } else { str_of(s) }?.into());
    }
    Ok(())
}

/// Member `k` as an object of strings, in order, appended to `out` (none when absent).
pub(super) fn map(v: &Value, k: &str, out: &mut Vec<(String, String)>) -> Res<()> {
    for (key, x) in object_or_empty(v, k)?.as_object().unwrap_or_default() {
        out.push((key.clone(), str_of(x)?.into()));
    }
    Ok(())
}

/// A string that must be an absolute path.
#[inline(never)]
pub(super) fn abs_path(v: &Value) -> Res<&String> {
    let s = str_of(v)?;
    if !s.starts_with('/') {
        return Err(fail(v, "must be an absolute path"));
    }
    Ok(s)
}

/// Whether a value says anything: not false, 0, "", [] or {}.
pub(super) fn is_set(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::Number(_) => v.as_u64() != Some(0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        Value::Bool(true) => true,
    }
}

/// The position of the string `v` among `names` (separated by single spaces): the kernel's
/// number for it, where the names are listed in that order.
#[inline(never)]
pub(super) fn named(v: &Value, names: &str) -> Res<u64> {
    let name = str_of(v)?;
    match names.split(' ').position(|n| n == name) {
        Some(i) => Ok(i as u64),
        None => Err(fail_q(v, "unknown value ", name, "")),
    }
}

/// The strings in the array in member `k` as a bit mask: bit N for the Nth of `names`.
pub(super) fn named_bits(v: &Value, k: &str, names: &str) -> Res<u64> {
    let mut bits = 0;
    for n in list(v, k)? {
        bits |= 1 << named(n, names)?;
    }
    Ok(bits)
}

/// Fields runt cannot honour (`keys`, separated by single spaces: one string costs less than a
/// table of pointers): an error when one says anything.
pub(super) fn refuse(v: &Value, keys: &str, why: &str) -> Res<()> {
    match keys.split(' ').find_map(|k| get(v, k).filter(|x| is_set(x))) {
        Some(x) => Err(fail(x, why)),
        None => Ok(()),
    }
}
