//! Writing JSON: just what state, features and events output need.

use crate::error::push_dec;
use alloc::string::String;

/// Appends `s` as a JSON string literal.
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        let short = match c {
            '"' | '\\' => c,
            '\n' => 'n',
            '\r' => 'r',
            '\t' => 't',
            _ => '\0',
        };
        match c {
            _ if short != '\0' => {
                out.push('\\');
                out.push(short);
            }
            c if (c as u32) < 0x20 => {
                out.push_str(if (c as u32) < 0x10 { "\\u000" } else { "\\u001" });
                let d = c as u8 & 15;
                out.push(char::from(if d < 10 { b'0' + d } else { b'a' - 10 + d }));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Builds one JSON object, members in the order added. The members are added through a
/// reference (`o.str(..).num(..)`), not by moving the whole builder through each call.
pub struct Object {
    out: String,
}

impl Object {
    pub fn new() -> Object {
        Object { out: String::from("{") }
    }

    fn key(&mut self, k: &str) {
        if self.out.len() > 1 {
            self.out.push(',');
        }
        string(&mut self.out, k);
        self.out.push(':');
    }

    pub fn str(&mut self, k: &str, v: &str) -> &mut Object {
        self.key(k);
        string(&mut self.out, v);
        self
    }

    pub fn num(&mut self, k: &str, v: i64) -> &mut Object {
        self.key(k);
        if v < 0 {
            self.out.push('-');
        }
        push_dec(&mut self.out, v.unsigned_abs());
        self
    }

    /// A member whose value is already JSON text.
    pub fn raw(&mut self, k: &str, json: &str) -> &mut Object {
        self.key(k);
        self.out.push_str(json);
        self
    }

    pub fn finish(&mut self) -> String {
        self.out.push('}');
        core::mem::take(&mut self.out)
    }
}

/// A JSON object of string members (annotations).
#[inline(never)]
pub fn pairs(members: &[(String, String)]) -> String {
    let mut o = Object::new();
    for (k, v) in members {
        o.str(k, v);
    }
    o.finish()
}

/// A JSON array of strings.
pub fn strings<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from("[");
    for (i, s) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(&mut out, s);
    }
    out.push(']');
    out
}

/// Compact JSON text (as `Object` writes it: no space outside strings) laid out as Go's
/// json.MarshalIndent with a two-space indent writes it, which is how runc prints `state`: one
/// member or element a line, `": "` after a key, `{}` and `[]` when empty.
pub fn indent(compact: &str) -> String {
    let mut out = String::with_capacity(compact.len() * 2);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let mut rest = compact.chars().peekable();
    while let Some(c) = rest.next() {
        if in_string {
            out.push(c);
            // A quote ends the string unless a backslash escaped it.
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
            continue;
        }
        // A closer goes on a line of its own, one level out.
        if matches!(c, '}' | ']') {
            depth = depth.saturating_sub(1);
            new_line(&mut out, depth);
        }
        out.push(c);
        match (c, rest.peek()) {
            // Empty: `{}` or `[]`, on one line.
            ('{' | '[', Some('}' | ']')) => out.extend(rest.next()),
            ('{' | '[', _) => {
                depth += 1;
                new_line(&mut out, depth);
            }
            (',', _) => new_line(&mut out, depth),
            (':', _) => out.push(' '),
            ('"', _) => in_string = true,
            _ => {}
        }
    }
    out
}

fn new_line(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indented_as_go_marshal_indent() {
        let compact = r#"{"id":"a,b:{\"}[","n":-1,"o":{},"l":[],"a":{"k":"v","w":["x",2]}}"#;
        let want = "{\n  \"id\": \"a,b:{\\\"}[\",\n  \"n\": -1,\n  \"o\": {},\n  \"l\": [],\n  \"a\": {\n    \"k\": \"v\",\n    \"w\": [\n      \"x\",\n      2\n    ]\n  }\n}";
        assert_eq!(indent(compact), want);
        assert_eq!(indent("{}"), "{}");
    }

    #[test]
    fn every_escape() {
        let mut out = String::new();
        string(&mut out, "\"\\\n\r\t\u{1}\u{1f}/\u{7f}é");
        assert_eq!(out, "\"\\\"\\\\\\n\\r\\t\\u0001\\u001f/\u{7f}é\"");
    }

    #[test]
    fn objects_round_trip_through_the_reader() {
        let text = Object::new()
            .str("id", "a\"b\\c\n\u{1}")
            .num("pid", -3)
            .raw("list", &strings(["x", "y"].into_iter()))
            .finish();
        assert_eq!(text, r#"{"id":"a\"b\\c\n\u0001","pid":-3,"list":["x","y"]}"#);
        let v = super::super::read::parse(text.as_bytes()).unwrap();
        assert_eq!(v.get("id").and_then(|v| v.as_str()), Some("a\"b\\c\n\u{1}"));
    }
}
