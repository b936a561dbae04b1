//! Reads length-prefixed inputs (u32 little-endian length, then the bytes) from stdin and prints
//! one line for each: `OK <value as canonical JSON>` or `ERR <message>`. The canonical form is
//! what Python's `json.dumps(v, separators=(",", ":"))` prints, floats as `"FLOAT:<text>"`.

extern crate alloc;

// The reader as runt builds it: read.rs takes its tree from `super::value` and reads digits
// with `crate::text`, so both come along at this crate's root.
#[path = "../../../src/json/read.rs"]
#[allow(dead_code)]
mod json;
#[path = "../../../src/text.rs"]
#[allow(dead_code)]
mod text;
#[path = "../../../src/json/value.rs"]
#[allow(dead_code)]
mod value;

use value::{Number, Value};
use std::io::{Read, Write};

fn main() {
    let mut all = Vec::new();
    std::io::stdin().read_to_end(&mut all).expect("read stdin");
    let mut rest = &all[..];
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    while let Some((len, tail)) = rest.split_first_chunk::<4>() {
        let (input, tail) = tail.split_at(u32::from_le_bytes(*len) as usize);
        rest = tail;
        let line = match json::parse(input) {
            Ok(v) => {
                let mut s = String::from("OK ");
                dump(&v, &mut s);
                s
            }
            Err(e) => format!("ERR {}", e.msg),
        };
        writeln!(out, "{line}").expect("write stdout");
    }
}

fn dump(v: &Value, o: &mut String) {
    match v {
        Value::Null => o.push_str("null"),
        Value::Bool(b) => o.push_str(if *b { "true" } else { "false" }),
        Value::Number(Number::Uint(n)) => o.push_str(&n.to_string()),
        Value::Number(Number::Int(n)) => o.push_str(&n.to_string()),
        Value::Number(Number::Float(t)) => quote(&format!("FLOAT:{t}"), o),
        Value::String(s) => quote(s, o),
        Value::Array(a) => {
            o.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    o.push(',');
                }
                dump(x, o);
            }
            o.push(']');
        }
        Value::Object(m) => {
            o.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    o.push(',');
                }
                quote(k, o);
                o.push(':');
                dump(x, o);
            }
            o.push('}');
        }
    }
}

/// A string as Python's json.dumps writes it with ensure_ascii.
fn quote(s: &str, o: &mut String) {
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '\u{8}' => o.push_str("\\b"),
            '\u{c}' => o.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                for u in c.encode_utf16(&mut [0; 2]) {
                    o.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => o.push(c),
        }
    }
    o.push('"');
}
