//! A small JSON reader (RFC 8259) for OCI config.json: `parse` turns bytes into a `Value` tree.
//!
//! Decisions, chosen for a runtime that reads one trusted-but-checked file at start-up:
//! - Integers are exact: anything from `i64::MIN` to `u64::MAX`; beyond that is an error, never a
//!   rounded value. `-0` is the integer 0.
//! - No float machinery: a number with a fraction or an exponent is checked against the grammar
//!   and kept as its text (`Number::Float`); config.json has no fields that need one.
//! - A duplicate key in one object is an error. Go's encoding/json (runc, podman) takes the last,
//!   other readers the first; refusing it means runt never runs something other than what another
//!   tool shows for the same file.
//! - Limits: input at most `MAX_INPUT` bytes, containers nested at most `MAX_DEPTH` deep (the
//!   parser recurses once a level). A node takes 32 bytes plus Vec slack: a 4 MiB `[0,0,...]`
//!   peaks at ~70 MB, the worst shape found (`[[0],[0],...]`) at ~180 MB.
//! - The whole input must be UTF-8; `\u0000` is accepted (callers turning strings into C
//!   strings must refuse NUL). A byte order mark is refused, as Go does.
//! - Errors carry a 1-based line and column (lines end at `\n`; columns count characters) and a
//!   short message; they point at the offending character, at the backslash of a bad escape, at
//!   the start of an out-of-range number, or at the end for truncated input.

use super::value::{Number, Value};
use alloc::string::String;
use alloc::vec::Vec;

/// The largest input accepted, in bytes.
pub const MAX_INPUT: usize = 4 << 20;
/// How deep arrays and objects may nest.
pub const MAX_DEPTH: usize = 64;

/// Where and why parsing failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    pub line: u32,
    pub column: u32,
    pub msg: &'static str,
}

// Only tests print a JsonError on its own: runt's messages name the file first (json::parse_json).
#[cfg(test)]
impl JsonError {
    /// "line L, column C: msg", as `Display` writes it.
    pub fn text(&self) -> String {
        crate::error::cat(&[
            "line ",
            &crate::error::dec(self.line.into()),
            ", column ",
            &crate::error::dec(self.column.into()),
            ": ",
            self.msg,
        ])
    }
}

#[cfg(test)]
impl core::fmt::Display for JsonError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.text())
    }
}

const EOF: &str = "unexpected end of input";

/// Parses one JSON value filling all of `text` (whitespace around it allowed).
pub fn parse(text: &[u8]) -> Result<Value, JsonError> {
    if text.len() > MAX_INPUT {
        return Err(JsonError { line: 1, column: 1, msg: "input larger than 4 MiB" });
    }
    let text = core::str::from_utf8(text).map_err(|e| locate(text, e.valid_up_to(), "invalid UTF-8"))?;
    let mut p = Parser { text, pos: 0, depth: 0, fail: (0, EOF) };
    let mut v = Value::Null;
    let r = p.value(&mut v).and_then(|()| {
        p.ws();
        if p.pos < text.len() {
            return Err(p.fail(p.pos, "trailing characters after the value"));
        }
        Ok(())
    });
    match r {
        Ok(()) => Ok(v),
        Err(Stop) => Err(locate(text.as_bytes(), p.fail.0, p.fail.1)),
    }
}

/// Line and column (1-based) of byte offset `pos`.
fn locate(text: &[u8], pos: usize, msg: &'static str) -> JsonError {
    let (mut line, mut column) = (1u32, 1u32);
    for &b in text.get(..pos).unwrap_or(text) {
        if b == b'\n' {
            (line, column) = (line.saturating_add(1), 1);
        } else if b & 0xc0 != 0x80 {
            // Characters, not bytes: UTF-8 continuation bytes do not count.
            column = column.saturating_add(1);
        }
    }
    JsonError { line, column, msg }
}

/// Parsing failed: the byte offset and message wait in `Parser::fail`. Zero-sized, so that
/// most results come back in registers instead of carrying a 24-byte error through memory.
struct Stop;

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
    /// Where and why parsing stopped; turned into line and column once, at the end.
    fail: (usize, &'static str),
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Stops with `msg` at byte `at`.
    #[inline(never)]
    fn fail(&mut self, at: usize, msg: &'static str) -> Stop {
        self.fail = (at, msg);
        Stop
    }

    /// `msg` at the current position, or "unexpected end of input" when there is nothing left.
    #[inline(never)]
    fn expected(&mut self, msg: &'static str) -> Stop {
        self.expected_at(self.pos, msg)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// One value, into `out` (a `Null` to begin with): filled where it ends up, not built and
    /// then moved into its array or object.
    fn value(&mut self, out: &mut Value) -> Result<(), Stop> {
        self.ws();
        *out = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => Value::Number(self.number()?),
            Some(b't' | b'f' | b'n') => self.literal()?,
            _ => return Err(self.expected("expected a value")),
        };
        Ok(())
    }

    /// true, false or null, from its first letter.
    fn literal(&mut self) -> Result<Value, Stop> {
        let (word, v): (&[u8], _) = match self.peek() {
            Some(b't') => (b"true", Value::Bool(true)),
            Some(b'f') => (b"false", Value::Bool(false)),
            _ => (b"null", Value::Null),
        };
        for &c in word {
            if !self.eat(c) {
                return Err(self.expected("invalid literal"));
            }
        }
        Ok(v)
    }

    /// Steps over an opening bracket, one level deeper.
    fn enter(&mut self) -> Result<(), Stop> {
        if self.depth >= MAX_DEPTH {
            return Err(self.fail(self.pos, "nested deeper than 64"));
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    fn array(&mut self) -> Result<Value, Stop> {
        self.enter()?;
        let mut items = Vec::new();
        self.ws();
        if !self.eat(b']') {
            loop {
                items.push(Value::Null);
                if let Some(last) = items.last_mut() {
                    self.value(last)?;
                }
                self.ws();
                if self.eat(b']') {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.expected("expected ',' or ']'"));
                }
            }
        }
        self.depth -= 1;
        Ok(Value::Array(items))
    }

    fn object(&mut self) -> Result<Value, Stop> {
        self.enter()?;
        let mut members = Vec::new();
        // Where each key starts, to point at a duplicate.
        let mut key_pos = Vec::new();
        self.ws();
        if !self.eat(b'}') {
            loop {
                self.ws();
                if self.peek() != Some(b'"') {
                    return Err(self.expected("expected a string key"));
                }
                key_pos.push(self.pos);
                let key = self.string()?;
                self.ws();
                if !self.eat(b':') {
                    return Err(self.expected("expected ':'"));
                }
                members.push((key, Value::Null));
                if let Some((_, last)) = members.last_mut() {
                    self.value(last)?;
                }
                self.ws();
                if self.eat(b'}') {
                    break;
                }
                if !self.eat(b',') {
                    return Err(self.expected("expected ',' or '}'"));
                }
            }
            if let Some(at) = repeated_key(&members, &key_pos) {
                return Err(self.fail(at, "duplicate key"));
            }
        }
        self.depth -= 1;
        Ok(Value::Object(members))
    }

    /// A string, from its opening quote.
    fn string(&mut self) -> Result<String, Stop> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // Both ends sit on ASCII bytes (or the end) of valid UTF-8, so this always succeeds.
            match self.text.get(start..self.pos) {
                Some(s) => out.push_str(s),
                None => return Err(self.fail(start, "invalid UTF-8")),
            }
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => out.push(self.escape()?),
                Some(_) => return Err(self.fail(self.pos, "control character in string")),
                None => return Err(self.fail(self.pos, EOF)),
            }
        }
    }

    /// One escape, from its backslash.
    fn escape(&mut self) -> Result<char, Stop> {
        let at = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'u') => return self.unicode(at),
            Some(b) => b"\"\\/bfnrt".iter().position(|&x| x == b),
            None => return Err(self.fail(self.pos, EOF)),
        };
        // The escape letters above and what they stand for, in the same order.
        let Some(&c) = c.and_then(|i| b"\"\\/\x08\x0c\n\r\t".get(i)) else {
            return Err(self.fail(at, "invalid escape"));
        };
        self.pos += 1;
        Ok(char::from(c))
    }

    /// `\uXXXX` from its `u`, with a following `\uXXXX` when it is a high surrogate.
    fn unicode(&mut self, at: usize) -> Result<char, Stop> {
        let hi = self.hex4(at)?;
        let code = match hi {
            0xd800..=0xdbff => {
                let at2 = self.pos;
                if !(self.eat(b'\\') && self.peek() == Some(b'u')) {
                    return Err(self.expected_at(at, "unpaired surrogate in \\u escape"));
                }
                let lo = self.hex4(at2)?;
                if !(0xdc00..=0xdfff).contains(&lo) {
                    return Err(self.fail(at, "unpaired surrogate in \\u escape"));
                }
                0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
            }
            0xdc00..=0xdfff => return Err(self.fail(at, "unpaired surrogate in \\u escape")),
            _ => hi,
        };
        // Every value left is a scalar value; the fallback is never taken.
        char::from_u32(code).ok_or_else(|| self.fail(at, "invalid \\u escape"))
    }

    /// `msg` at `at`, or "unexpected end of input" at the end when there is nothing left.
    fn expected_at(&mut self, at: usize, msg: &'static str) -> Stop {
        if self.pos < self.text.len() {
            self.fail(at, msg)
        } else {
            self.fail(self.pos, EOF)
        }
    }

    /// The four hex digits after the `u` the parser sits on; errors point at `at`, the backslash.
    fn hex4(&mut self, at: usize) -> Result<u32, Stop> {
        self.pos += 1;
        let mut v = 0;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return Err(self.expected_at(at, "invalid \\u escape")),
            };
            v = v * 16 + u32::from(d);
            self.pos += 1;
        }
        Ok(v)
    }

    /// Steps over digits; false when there were none.
    fn digits(&mut self) -> bool {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos > start
    }

    fn number(&mut self) -> Result<Number, Stop> {
        let start = self.pos;
        let neg = self.eat(b'-');
        let int_start = self.pos;
        if self.eat(b'0') {
            if let Some(b'0'..=b'9') = self.peek() {
                return Err(self.fail(self.pos, "leading zero in number"));
            }
        } else if !self.digits() {
            return Err(self.expected("invalid number"));
        }
        let int_end = self.pos;
        let mut float = false;
        if self.eat(b'.') {
            float = true;
            if !self.digits() {
                return Err(self.expected("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            float = true;
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !self.digits() {
                return Err(self.expected("invalid number"));
            }
        }
        if float {
            return Ok(Number::Float(self.text.get(start..self.pos).unwrap_or_default().into()));
        }
        // Only digits: text's reader fails only when the magnitude does not fit.
        let n = match crate::text::uint(self.text.get(int_start..int_end).unwrap_or_default()) {
            Some(mag) if !neg || mag == 0 => Some(Number::Uint(mag)),
            Some(mag) => 0i64.checked_sub_unsigned(mag).map(Number::Int),
            None => None,
        };
        n.ok_or_else(|| self.fail(start, "number out of range"))
    }
}

/// Where an object repeats a key: the first repeat in the text.
fn repeated_key(members: &[(String, Value)], key_pos: &[usize]) -> Option<usize> {
    if members.len() < 2 {
        return None;
    }
    let mut keys: Vec<(&str, usize)> = members.iter().map(|(k, _)| k.as_str()).zip(key_pos.iter().copied()).collect();
    // Heapsort by key, then position: n log n for an object of 100 000 members, where comparing
    // pairs would take minutes; a few hundred bytes, where `sort_unstable` brings in 3 KB.
    for i in (0..keys.len() / 2).rev() {
        sift_down(&mut keys, i);
    }
    for end in (1..keys.len()).rev() {
        swap(&mut keys, 0, end);
        sift_down(keys.get_mut(..end).unwrap_or_default(), 0);
    }
    keys.windows(2).filter_map(|w| if let [a, b] = w { (a.0 == b.0).then_some(b.1) } else { None }).min()
}

/// Moves `v[root]` down the max-heap `v` to where it belongs.
fn sift_down(v: &mut [(&str, usize)], mut root: usize) {
    loop {
        let left = 2 * root + 1;
        // None sorts below Some: a missing right child never wins, a missing left one ends it.
        let child = if v.get(left + 1) > v.get(left) { left + 1 } else { left };
        if v.get(child).is_none() || v.get(child) <= v.get(root) {
            return;
        }
        swap(v, root, child);
        root = child;
    }
}

/// Swaps `v[a]` and `v[b]` for `a < b`, without a bounds panic.
fn swap<T>(v: &mut [T], a: usize, b: usize) {
    if let Some([x, .., y]) = v.get_mut(a..=b) {
        core::mem::swap(x, y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::format;
    use std::string::ToString;
    use std::time::Duration;
    use std::vec;

    fn ok(s: &str) -> Value {
        match parse(s.as_bytes()) {
            Ok(v) => v,
            Err(e) => panic!("{s:?}: {e}"),
        }
    }

    /// "L:C message" of the error `s` gives.
    fn err(s: &[u8]) -> String {
        match parse(s) {
            Ok(v) => panic!("{s:?} parsed as {v:?}"),
            Err(e) => format!("{}:{} {}", e.line, e.column, e.msg),
        }
    }

    fn string(s: &str) -> String {
        match ok(s) {
            Value::String(s) => s,
            v => panic!("{s:?}: {v:?}"),
        }
    }

    fn num(s: &str) -> Number {
        match ok(s) {
            Value::Number(n) => n,
            v => panic!("{s:?}: {v:?}"),
        }
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect())
    }

    #[test]
    fn literals_and_whitespace() {
        assert_eq!(ok("null"), Value::Null);
        assert_eq!(ok("true"), Value::Bool(true));
        assert_eq!(ok("false"), Value::Bool(false));
        assert_eq!(ok(" \t\r\n null \t\r\n "), Value::Null);
        assert_eq!(ok("[]"), Value::Array(vec![]));
        assert_eq!(ok("{}"), Value::Object(vec![]));
        assert_eq!(ok(" [ ] "), Value::Array(vec![]));
        assert_eq!(ok("{ \n }"), Value::Object(vec![]));
        assert_eq!(
            ok(r#" { "a" : [ 1 , true , null , "x" , { } ] , "b" : { "c" : -2 } } "#),
            obj(&[
                (
                    "a",
                    Value::Array(vec![
                        Value::Number(Number::Uint(1)),
                        Value::Bool(true),
                        Value::Null,
                        Value::String("x".into()),
                        Value::Object(vec![]),
                    ])
                ),
                ("b", obj(&[("c", Value::Number(Number::Int(-2)))])),
            ])
        );
    }

    #[test]
    fn member_order_is_kept() {
        let v = ok(r#"{"z":1,"a":2,"m":3}"#);
        let keys: Vec<&str> = v.as_object().unwrap().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn every_escape() {
        assert_eq!(string(r#""\"\\\/\b\f\n\r\t""#), "\"\\/\u{8}\u{c}\n\r\t");
        assert_eq!(string(r#""a\nb""#), "a\nb");
        assert_eq!(string(r#""\u0041\u00e9\u20AC\uFFFF""#), "Aé€\u{ffff}");
        assert_eq!(string(r#""\u0000""#), "\0");
        assert_eq!(string(r#""\u001f\u007F""#), "\u{1f}\u{7f}");
        assert_eq!(string("\"\u{7f}é€😀\""), "\u{7f}é€😀");
        assert_eq!(string(r#""""#), "");
        assert_eq!(string(r#""x\u0041y""#), "xAy");
    }

    #[test]
    fn surrogates() {
        assert_eq!(string(r#""\ud83d\ude00""#), "😀");
        assert_eq!(string(r#""\uD800\uDC00""#), "\u{10000}");
        assert_eq!(string(r#""\uDBFF\uDFFF""#), "\u{10ffff}");
        assert_eq!(string(r#""a\uD834\uDD1Eb""#), "a𝄞b");
        // Just outside the surrogate ranges.
        assert_eq!(string(r#""\uD7FF\uE000""#), "\u{d7ff}\u{e000}");
    }

    #[test]
    fn bad_surrogates() {
        assert_eq!(err(br#""\ud800""#), "1:2 unpaired surrogate in \\u escape");
        assert_eq!(err(br#""\ud800x""#), "1:2 unpaired surrogate in \\u escape");
        assert_eq!(err(br#""\ud800\n""#), "1:2 unpaired surrogate in \\u escape");
        assert_eq!(err(br#""\ud800\u0041""#), "1:2 unpaired surrogate in \\u escape");
        assert_eq!(err(br#""\ud800\ud800""#), "1:2 unpaired surrogate in \\u escape");
        assert_eq!(err(br#""ab\udc00""#), "1:4 unpaired surrogate in \\u escape");
        assert_eq!(err(br#""\udfff\ud800""#), "1:2 unpaired surrogate in \\u escape");
        assert_eq!(err(br#""\ud800\u12""#), "1:8 invalid \\u escape");
        assert_eq!(err(br#""\ud800\"#), "1:9 unexpected end of input");
        assert_eq!(err(br#""\ud800"#), "1:8 unexpected end of input");
        assert_eq!(err(br#""\ud800\u"#), "1:10 unexpected end of input");
    }

    #[test]
    fn bad_escapes() {
        assert_eq!(err(br#""\x""#), "1:2 invalid escape");
        assert_eq!(err(br#""ab\a""#), "1:4 invalid escape");
        assert_eq!(err(br#""\U0041""#), "1:2 invalid escape");
        assert_eq!(err(br#""\'""#), "1:2 invalid escape");
        assert_eq!(err(br#""\u004""#), "1:2 invalid \\u escape");
        assert_eq!(err(br#""\u00g0""#), "1:2 invalid \\u escape");
        assert_eq!(err(br#""\u+041""#), "1:2 invalid \\u escape");
        assert_eq!(err(br#""\u"#), "1:4 unexpected end of input");
        assert_eq!(err(br#""\u00"#), "1:6 unexpected end of input");
        assert_eq!(err(br#""\"#), "1:3 unexpected end of input");
    }

    #[test]
    fn strings_refuse_control_characters_and_bad_utf8() {
        assert_eq!(err(b"\"a\nb\""), "1:3 control character in string");
        assert_eq!(err(b"\"\t\""), "1:2 control character in string");
        assert_eq!(err(b"\"\x00\""), "1:2 control character in string");
        assert_eq!(err(b"\"\x1f\""), "1:2 control character in string");
        assert_eq!(err(b"\"abc"), "1:5 unexpected end of input");
        assert_eq!(err(b"\"\xff\""), "1:2 invalid UTF-8");
        assert_eq!(err(b"\"\xc3\""), "1:2 invalid UTF-8");
        assert_eq!(err(b"\"\xed\xa0\x80\""), "1:2 invalid UTF-8"); // an encoded surrogate
        assert_eq!(err(b"\"\xc0\xaf\""), "1:2 invalid UTF-8"); // overlong '/'
        assert_eq!(err("[\"é\",\n \"ü\"] \u{fffd}\u{ff}".as_bytes()), "2:7 trailing characters after the value");
        assert_eq!(err(b"[\"\xc3\xa9\", \"\xe2\x82\""), "1:8 invalid UTF-8");
        assert_eq!(err(b"\xef\xbb\xbf{}"), "1:1 expected a value"); // byte order mark
    }

    #[test]
    fn integers_at_and_beyond_the_limits() {
        assert_eq!(num("0"), Number::Uint(0));
        assert_eq!(num("-0"), Number::Uint(0));
        assert_eq!(num("7"), Number::Uint(7));
        assert_eq!(num("-7"), Number::Int(-7));
        assert_eq!(num("18446744073709551615"), Number::Uint(u64::MAX));
        assert_eq!(num("9223372036854775807"), Number::Uint(i64::MAX as u64));
        assert_eq!(num("9223372036854775808"), Number::Uint(1 << 63));
        assert_eq!(num("-9223372036854775808"), Number::Int(i64::MIN));
        assert_eq!(num("-9223372036854775807"), Number::Int(-i64::MAX));
        assert_eq!(num("00000000000000000000000000000000000000000000".get(43..).unwrap()), Number::Uint(0));
        assert_eq!(err(b"18446744073709551616"), "1:1 number out of range");
        assert_eq!(err(b"99999999999999999999"), "1:1 number out of range");
        assert_eq!(err(b"184467440737095516150"), "1:1 number out of range");
        assert_eq!(err(b"[1, -9223372036854775809]"), "1:5 number out of range");
        assert_eq!(err(b"-18446744073709551615"), "1:1 number out of range");
        assert_eq!(err(b"-18446744073709551616"), "1:1 number out of range");

        let v = ok("[0, -0, 18446744073709551615, 9223372036854775807, 9223372036854775808, -1, -9223372036854775808]");
        let a = v.as_array().unwrap();
        let u: Vec<Option<u64>> = a.iter().map(Value::as_u64).collect();
        let i: Vec<Option<i64>> = a.iter().map(Value::as_i64).collect();
        assert_eq!(u, [Some(0), Some(0), Some(u64::MAX), Some(i64::MAX as u64), Some(1 << 63), None, None]);
        assert_eq!(i, [Some(0), Some(0), None, Some(i64::MAX), None, Some(-1), Some(i64::MIN)]);
    }

    #[test]
    fn floats_and_exponents_are_kept_as_text() {
        for s in ["1.5", "-0.0", "0.25", "1e5", "1E5", "1e+5", "1e-5", "-1.5E-300", "0e0", "1e400", "123.456e789"] {
            assert_eq!(num(s), Number::Float(s.to_string()), "{s}");
            assert_eq!(ok(s).as_u64(), None);
            assert_eq!(ok(s).as_i64(), None);
        }
        // Fractions and exponents never overflow: they are not converted.
        assert_eq!(num("184467440737095516160.5"), Number::Float("184467440737095516160.5".into()));
        assert_eq!(num("99999999999999999999e1"), Number::Float("99999999999999999999e1".into()));
    }

    #[test]
    fn malformed_numbers() {
        assert_eq!(err(b"01"), "1:2 leading zero in number");
        assert_eq!(err(b"-01"), "1:3 leading zero in number");
        assert_eq!(err(b"00"), "1:2 leading zero in number");
        assert_eq!(err(b"-"), "1:2 unexpected end of input");
        assert_eq!(err(b"-a"), "1:2 invalid number");
        assert_eq!(err(b"- 1"), "1:2 invalid number");
        assert_eq!(err(b"+1"), "1:1 expected a value");
        assert_eq!(err(b".5"), "1:1 expected a value");
        assert_eq!(err(b"1."), "1:3 unexpected end of input");
        assert_eq!(err(b"1.e5"), "1:3 invalid number");
        assert_eq!(err(b"[1.]"), "1:4 invalid number");
        assert_eq!(err(b"1e"), "1:3 unexpected end of input");
        assert_eq!(err(b"1e+"), "1:4 unexpected end of input");
        assert_eq!(err(b"[1e+]"), "1:5 invalid number");
        assert_eq!(err(b"1.5.5"), "1:4 trailing characters after the value");
        assert_eq!(err(b"0x10"), "1:2 trailing characters after the value");
        assert_eq!(err(b"1_000"), "1:2 trailing characters after the value");
        assert_eq!(err(b"NaN"), "1:1 expected a value");
        assert_eq!(err(b"-Infinity"), "1:2 invalid number");
        assert_eq!(err(b"Infinity"), "1:1 expected a value");
    }

    #[test]
    fn empty_and_trailing_input() {
        assert_eq!(err(b""), "1:1 unexpected end of input");
        assert_eq!(err(b"   "), "1:4 unexpected end of input");
        assert_eq!(err(b"\n\n  "), "3:3 unexpected end of input");
        assert_eq!(err(b"{} {}"), "1:4 trailing characters after the value");
        assert_eq!(err(b"null x"), "1:6 trailing characters after the value");
        assert_eq!(err(b"1 2"), "1:3 trailing characters after the value");
        assert_eq!(err(b"{}\n\0"), "2:1 trailing characters after the value");
        assert_eq!(err(b"[]]"), "1:3 trailing characters after the value");
        assert_eq!(err(b"\"a\"\""), "1:4 trailing characters after the value");
    }

    #[test]
    fn literal_errors() {
        assert_eq!(err(b"tru"), "1:4 unexpected end of input");
        assert_eq!(err(b"trux"), "1:4 invalid literal");
        assert_eq!(err(b"True"), "1:1 expected a value");
        assert_eq!(err(b"nul"), "1:4 unexpected end of input");
        assert_eq!(err(b"[fals]"), "1:6 invalid literal");
        assert_eq!(err(b"nulll"), "1:5 trailing characters after the value");
        assert_eq!(err(b"[truefalse]"), "1:6 expected ',' or ']'");
    }

    #[test]
    fn structure_errors_point_at_the_character() {
        assert_eq!(err(b"["), "1:2 unexpected end of input");
        assert_eq!(err(b"[1"), "1:3 unexpected end of input");
        assert_eq!(err(b"[1,"), "1:4 unexpected end of input");
        assert_eq!(err(b"[1,]"), "1:4 expected a value");
        assert_eq!(err(b"[,1]"), "1:2 expected a value");
        assert_eq!(err(b"[1 2]"), "1:4 expected ',' or ']'");
        assert_eq!(err(b"[1}"), "1:3 expected ',' or ']'");
        assert_eq!(err(b"]"), "1:1 expected a value");
        assert_eq!(err(b"{"), "1:2 unexpected end of input");
        assert_eq!(err(b"{\"a\""), "1:5 unexpected end of input");
        assert_eq!(err(b"{\"a\":"), "1:6 unexpected end of input");
        assert_eq!(err(b"{\"a\":1"), "1:7 unexpected end of input");
        assert_eq!(err(b"{\"a\" 1}"), "1:6 expected ':'");
        assert_eq!(err(b"{\"a\":1,}"), "1:8 expected a string key");
        assert_eq!(err(b"{,}"), "1:2 expected a string key");
        assert_eq!(err(b"{a:1}"), "1:2 expected a string key");
        assert_eq!(err(b"{1:1}"), "1:2 expected a string key");
        assert_eq!(err(b"{'a':1}"), "1:2 expected a string key");
        assert_eq!(err(b"{\"a\":1]"), "1:7 expected ',' or '}'");
        assert_eq!(err(b"{\"a\":1 \"b\":2}"), "1:8 expected ',' or '}'");
        assert_eq!(err(b"{\"a\"::1}"), "1:6 expected a value");
        assert_eq!(err(b"{\"a\":}"), "1:6 expected a value");
        assert_eq!(err(b"/* c */ {}"), "1:1 expected a value");
    }

    #[test]
    fn lines_and_columns() {
        assert_eq!(err(b"{\n  \"a\": 1,\n  \"b\" 2\n}"), "3:7 expected ':'");
        assert_eq!(err(b"\r\n\r\n  x"), "3:3 expected a value");
        // Columns count characters, not bytes.
        assert_eq!(err("[\"ééé\", x]".as_bytes()), "1:9 expected a value");
        assert_eq!(err("\n\"😀\" 1".as_bytes()), "2:5 trailing characters after the value");
        // Tabs count as one.
        assert_eq!(err(b"\t\t]"), "1:3 expected a value");
        let e = parse(b"{\n  \"a\": tru }").unwrap_err();
        assert_eq!(e, JsonError { line: 2, column: 11, msg: "invalid literal" });
        assert_eq!(e.to_string(), "line 2, column 11: invalid literal");
    }

    #[test]
    fn duplicate_keys_are_refused() {
        assert_eq!(err(br#"{"a":1,"a":2}"#), "1:8 duplicate key");
        assert_eq!(err(br#"{"a":1,"b":2,"c":3,"b":4,"a":5}"#), "1:20 duplicate key");
        assert_eq!(err(b"{\"x\":{\"k\":1},\n \"y\":{\"k\":2,\n \"k\":3}}"), "3:2 duplicate key");
        // Equal after unescaping is equal.
        assert_eq!(err(br#"{"a":1,"\u0061":2}"#), "1:8 duplicate key");
        // The same key in different objects is fine.
        assert_eq!(ok(r#"[{"a":1},{"a":2}]"#).as_array().unwrap().len(), 2);
        assert_eq!(
            ok(r#"{"a":{"a":{"a":1}}}"#).get("a").and_then(|v| v.get("a")).and_then(|v| v.get("a")),
            Some(&ok("1"))
        );
        // Keys differing only in case or by a prefix are different keys.
        assert_eq!(ok(r#"{"a":1,"A":2,"ab":3,"":4}"#).as_object().unwrap().len(), 4);
    }

    #[test]
    fn duplicates_found_at_any_place_and_size() {
        // Every object size up to 40, a repeat of every earlier key at every later place.
        for n in 2..40 {
            let keys: Vec<String> = (0..n).map(|i| format!("\"k{}\"", (i * 7919) % 1000)).collect();
            let all = format!("{{{}}}", keys.iter().map(|k| format!("{k}:0")).collect::<Vec<_>>().join(","));
            assert_eq!(ok(&all).as_object().unwrap().len(), n);
            for first in 0..n {
                for second in first + 1..n {
                    let mut ks = keys.clone();
                    ks[second] = ks[first].clone();
                    let text = format!("{{{}}}", ks.iter().map(|k| format!("{k}:0")).collect::<Vec<_>>().join(","));
                    let col = 2 + ks[..second].iter().map(|k| k.len() + 3).sum::<usize>();
                    assert_eq!(err(text.as_bytes()), format!("1:{col} duplicate key"), "{text}");
                }
            }
        }
    }

    /// A stopwatch of the CPU time this test's thread uses: the bounds below are on the work
    /// the parser does (a quadratic step would blow them), which a busy host does not stretch.
    struct Cpu(Duration);

    impl Cpu {
        fn start() -> Cpu {
            Cpu(crate::sys::fs::thread_cpu_time())
        }

        fn elapsed(&self) -> Duration {
            crate::sys::fs::thread_cpu_time().saturating_sub(self.0)
        }
    }

    /// `secs` seconds, times RUNT_TEST_SLOWDOWN where the Makefile sets it: under qemu's
    /// user-mode emulation (other architectures' unit tests) code runs about ten times slower.
    fn budget(secs: u64) -> Duration {
        let slowdown = std::env::var("RUNT_TEST_SLOWDOWN").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
        Duration::from_secs(secs * slowdown)
    }

    #[test]
    fn big_objects_stay_fast() {
        let mut s = String::from("{");
        for i in 0..100_000 {
            s.push_str(&format!("\"key{i}\":{i},"));
        }
        s.push_str("\"key77\":0}");
        let t = Cpu::start();
        let e = parse(s.as_bytes()).unwrap_err();
        assert_eq!(e.msg, "duplicate key");
        assert_eq!(e.column as usize, s.len() - "\"key77\":0}".len() + 1);
        s.truncate(s.len() - "\"key77\":0}".len());
        s.push_str("\"last\":0}");
        let v = ok(&s);
        assert_eq!(v.as_object().unwrap().len(), 100_001);
        assert_eq!(v.get("key99999").and_then(Value::as_u64), Some(99_999));
        assert!(t.elapsed() < budget(2), "{:?}", t.elapsed());
    }

    #[test]
    fn nesting_limit() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(parse(deep(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(err(deep(MAX_DEPTH + 1).as_bytes()), "1:65 nested deeper than 64");
        let objs = |n: usize| format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n));
        assert!(parse(objs(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(err(objs(MAX_DEPTH + 1).as_bytes()), "1:321 nested deeper than 64");
        // Depth is nesting, not a count of containers.
        let wide = format!("[{}]", vec![deep(MAX_DEPTH - 1); 1000].join(","));
        assert!(parse(wide.as_bytes()).is_ok());
        assert_eq!(err("[".repeat(1_000_000).as_bytes()), "1:65 nested deeper than 64");
    }

    #[test]
    fn input_size_limit() {
        let mut s = vec![b' '; MAX_INPUT - 2];
        s.splice(0..0, *b"[]");
        assert_eq!(parse(&s), Ok(Value::Array(vec![])));
        s.push(b' ');
        assert_eq!(err(&s), "1:1 input larger than 4 MiB");
    }

    const FIXTURE: &str = "/work/shared/fixtures/podman-4.3-config.json";

    fn fixture() -> Vec<u8> {
        std::fs::read(FIXTURE).unwrap_or_else(|e| panic!("{FIXTURE}: {e}"))
    }

    #[test]
    fn podman_config() {
        let v = parse(&fixture()).unwrap();
        let at = |path: &[&str]| path.iter().try_fold(&v, |v, k| v.get(k));
        assert_eq!(at(&["ociVersion"]).and_then(Value::as_str), Some("1.0.2-dev"));
        let args: Vec<&str> =
            at(&["process", "args"]).unwrap().as_array().unwrap().iter().filter_map(Value::as_str).collect();
        assert_eq!(args, ["echo", "hi"]);
        assert_eq!(at(&["linux", "seccomp", "defaultAction"]).and_then(Value::as_str), Some("SCMP_ACT_ERRNO"));
        assert_eq!(at(&["process", "user", "uid"]).and_then(Value::as_u64), Some(0));
        assert_eq!(at(&["process", "user", "umask"]).and_then(Value::as_u64), Some(18));
        assert_eq!(at(&["linux", "resources", "memory", "limit"]).and_then(Value::as_u64), Some(67_108_864));
        assert_eq!(at(&["linux", "resources", "pids", "limit"]).and_then(Value::as_i64), Some(10));
        assert_eq!(
            at(&["linux", "resources", "devices"]).unwrap().as_array().unwrap()[0].get("allow"),
            Some(&Value::Bool(false))
        );
        assert_eq!(at(&["hostname"]).and_then(Value::as_str), Some("e3d603a5eab2"));
        let top: Vec<&str> = v.as_object().unwrap().iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(top, ["ociVersion", "process", "root", "hostname", "mounts", "annotations", "linux"]);
        assert!(at(&["mounts"]).unwrap().as_array().unwrap().len() > 3);
        let ns = at(&["linux", "namespaces"]).unwrap().as_array().unwrap();
        assert!(ns.iter().any(|n| n.get("type").and_then(Value::as_str) == Some("pid")));
        // Printed back out and read again, it is the same tree.
        assert_eq!(parse(dump(&v).as_bytes()), Ok(v));
    }

    /// JSON text for `v` (test only): the round-trip check of the property test.
    fn dump(v: &Value) -> String {
        fn go(v: &Value, out: &mut String) {
            match v {
                Value::Null => out.push_str("null"),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Value::Number(Number::Uint(n)) => out.push_str(&n.to_string()),
                Value::Number(Number::Int(n)) => out.push_str(&n.to_string()),
                Value::Number(Number::Float(s)) => out.push_str(s),
                Value::String(s) => quote(s, out),
                Value::Array(a) => {
                    out.push('[');
                    for (i, x) in a.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        go(x, out);
                    }
                    out.push(']');
                }
                Value::Object(o) => {
                    out.push('{');
                    for (i, (k, x)) in o.iter().enumerate() {
                        if i > 0 {
                            out.push(',');
                        }
                        quote(k, out);
                        out.push(':');
                        go(x, out);
                    }
                    out.push('}');
                }
            }
        }
        fn quote(s: &str, out: &mut String) {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        let mut out = String::new();
        go(v, &mut out);
        out
    }

    /// Touches every accessor on every node: none may panic.
    fn walk(v: &Value) -> usize {
        let _ = (v.as_str(), v.as_u64(), v.as_i64(), v.as_bool(), v.is_null(), v.type_name(), v.get("type"));
        let mut n = 1;
        for x in v.as_array().unwrap_or_default() {
            n += walk(x);
        }
        for (_, x) in v.as_object().unwrap_or_default() {
            n += walk(x);
        }
        n
    }

    /// How deep arrays and objects nest in `v`.
    fn depth(v: &Value) -> usize {
        let kids =
            v.as_array().unwrap_or_default().iter().chain(v.as_object().unwrap_or_default().iter().map(|(_, x)| x));
        match v {
            Value::Array(_) | Value::Object(_) => 1 + kids.map(depth).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// xorshift64*: a small deterministic generator, so a failure replays.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        /// A byte likely to matter to a JSON reader, or any byte.
        fn byte(&mut self) -> u8 {
            const SPECIAL: &[u8] = b"{}[],:\"\\/u0123456789abcdefABCDEF-+.eEtrufalsn \t\r\n\x00\x1f\x7f\x80\xbf\xc0\xc3\xe2\xed\xf0\xf4\xf8\xff";
            if self.next() & 1 == 0 {
                SPECIAL[self.below(SPECIAL.len())]
            } else {
                self.next() as u8
            }
        }
    }

    /// Parses `input` and checks: no panic, a bounded time, a sane error position, and for an
    /// accepted input that printing and reading it again gives the same tree.
    fn check(input: &[u8], accepted: &mut usize) {
        let t = Cpu::start();
        let r = parse(input);
        let took = t.elapsed();
        assert!(took < budget(1) / 5, "{took:?} for {:?}", String::from_utf8_lossy(input));
        match r {
            Ok(v) => {
                *accepted += 1;
                walk(&v);
                assert_eq!(parse(dump(&v).as_bytes()).as_ref(), Ok(&v), "{:?}", String::from_utf8_lossy(input));
            }
            Err(e) => {
                let lines = input.iter().filter(|&&b| b == b'\n').count() + 1;
                assert!(e.line >= 1 && e.line as usize <= lines && e.column >= 1, "{e} for {input:?}");
                assert!(e.column as usize <= input.len() + 1, "{e}");
            }
        }
    }

    #[test]
    fn mutations_never_panic() {
        let base = fixture();
        let started = Cpu::start();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut accepted = 0;
        let mut runs = 0;
        // Every truncation, from either end.
        for i in 0..=base.len() {
            check(&base[..i], &mut accepted);
            check(&base[i..], &mut accepted);
            runs += 2;
        }
        // Random edits, one to eight at a time.
        for _ in 0..12_000 {
            let mut m = base.clone();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(m.len());
                match rng.below(6) {
                    0 => m[i] ^= 1 << rng.below(8),
                    1 => m[i] = rng.byte(),
                    2 => m.insert(i, rng.byte()),
                    3 => {
                        m.remove(i);
                    }
                    4 => {
                        // Copy a piece of the text elsewhere: new keys, repeated keys, nesting.
                        let len = rng.below(64);
                        let piece: Vec<u8> = m[i..(i + len).min(m.len())].to_vec();
                        let at = rng.below(m.len());
                        m.splice(at..at, piece);
                    }
                    _ => {
                        let end = (i + rng.below(16)).min(m.len());
                        m.drain(i..end);
                    }
                }
            }
            check(&m, &mut accepted);
            runs += 1;
        }
        // Deep and wide nesting, balanced or not, wrapped around the real config.
        for _ in 0..300 {
            let n = rng.below(5_000);
            let open = [&b"["[..], b"{\"a\":", b"[{\"k\":[", b" [ "][rng.below(4)];
            let close = [&b"]"[..], b"}", b"]}]", b" ] "][rng.below(4)];
            let mut m = open.repeat(n);
            if rng.below(2) == 0 {
                m.extend_from_slice(&base);
            } else {
                m.push(rng.byte());
            }
            m.extend(close.repeat(rng.below(n + 1)));
            check(&m, &mut accepted);
            runs += 1;
        }
        // The fixture inside arrays: accepted up to the depth limit, refused one past it.
        let room = MAX_DEPTH - depth(&parse(&base).unwrap());
        for n in 0..=room + 1 {
            let m = [b"[".repeat(n), base.clone(), b"]".repeat(n)].concat();
            assert_eq!(parse(&m).is_ok(), n <= room, "{n}");
            runs += 1;
        }
        // Random strings of the interesting bytes.
        for _ in 0..20_000 {
            let m: Vec<u8> = (0..rng.below(40)).map(|_| rng.byte()).collect();
            check(&m, &mut accepted);
            runs += 1;
        }
        let took = started.elapsed();
        std::eprintln!("{runs} inputs, {accepted} accepted, {took:?}");
        assert!(accepted > 100, "the mutations hardly ever produce valid JSON: {accepted}");
        assert!(took < budget(10), "{took:?}");
    }
}
