//! libFuzzer targets on runt's parsers, chosen by RUNT_FUZZ (one binary, one libFuzzer):
//!   json    src/json: any bytes; what parses must print (json::write) and parse back the same
//!   config  oci/config: config.json → Spec, and the `exec --process` and `update --resources`
//!           mappers, on what parses as JSON
//! A panic (an unwrap, an index out of range, an arithmetic overflow: the build checks them) is a
//! crash; so is an input that takes more than a few seconds (libFuzzer's -timeout).
#![no_main]
#![allow(dead_code, unused_imports, unused_macros, clippy::all)]

/// runt's modules at this crate's root, as in src/main.rs, so that their `crate::` paths resolve
/// alike. A module src/main.rs gains that these need: add it here (the build says which).
#[path = "../../../src"]
mod runt {
    pub mod cstr;
    pub mod error;
    pub mod json;
    pub mod sys;
    pub mod text;

    pub mod cgroup;
    pub mod console;
    pub mod exec;
    pub mod fds;
    pub mod hooks;
    pub mod init;
    pub mod launch;
    pub mod notify;
    pub mod passwd;
    pub mod plan;
    pub mod reaper;
    pub mod relay;
    pub mod rootfs;
    pub mod sealed;
    pub mod seccomp_agent;
    pub mod security;
    pub mod spec;
    pub mod state;
    pub mod sync;
    pub mod tuning;
    pub mod userns;

    pub mod oci;
    pub mod run;
}
extern crate alloc;
use runt::*;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    match target() {
        Target::Json => json_round_trip(data),
        Target::Config => config(data),
    }
});

#[derive(Clone, Copy)]
enum Target {
    Json,
    Config,
}

fn target() -> Target {
    static T: std::sync::OnceLock<Target> = std::sync::OnceLock::new();
    *T.get_or_init(|| match std::env::var("RUNT_FUZZ").as_deref() {
        Ok("json") => Target::Json,
        Ok("config") => Target::Config,
        other => panic!("RUNT_FUZZ must be json or config, not {other:?}"),
    })
}

fn json_round_trip(data: &[u8]) {
    let Ok(v) = json::parse(data) else { return };
    let mut text = String::new();
    write(&v, &mut text);
    match json::parse(text.as_bytes()) {
        Ok(again) => assert!(again == v, "printed {text:?}: parses to something else"),
        Err(e) => panic!("printed {text:?}: does not parse back: {}", e.msg),
    }
}

/// A value as JSON text, with runt's own string writer.
fn write(v: &json::Value, out: &mut String) {
    match v {
        json::Value::Null => out.push_str("null"),
        json::Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // json::value::Number is private to src/json: its text through Debug (`Uint(5)`,
        // `Int(-5)`, `Float("1e3")`)
        json::Value::Number(n) => {
            let d = format!("{n:?}");
            let inner = &d[d.find('(').expect("a Number variant") + 1..d.len() - 1];
            out.push_str(inner.trim_matches('"'));
        }
        json::Value::String(s) => json::string(out, s),
        json::Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(x, out);
            }
            out.push(']');
        }
        json::Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::string(out, k);
                out.push(':');
                write(x, out);
            }
            out.push('}');
        }
    }
}

fn config(data: &[u8]) {
    let Ok(v) = json::parse(data) else { return };
    let mapped = oci::config::from_json(&v, "/bundle", "fuzz");
    if std::env::var_os("RUNT_FUZZ_SHOW").is_some() {
        // `RUNT_FUZZ_SHOW=1 RUNT_FUZZ=config runt-fuzz FILE`: what runt makes of one input
        eprintln!("{}", mapped.as_ref().map_or_else(|e| e.render(), |_| "mapped".into()));
    }
    if let Ok(mut spec) = mapped {
        // what `exec --process` and `update --resources` do with parts of it
        if let Some(p) = v.get("process") {
            let _ = oci::config::apply_process(p, &mut spec);
        }
        if let Some(r) = v.get("linux").and_then(|l| l.get("resources")) {
            let _ = oci::config::resources(r);
        }
    }
}
