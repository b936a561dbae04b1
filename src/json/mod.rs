//! JSON, as config.json, state.json and the runc commands' output need it: a reader (read.rs,
//! into the `Value` tree of value.rs) and a writer (write.rs). No container knowledge: the OCI
//! door reads configs with it, the state reads and writes state.json with it.

mod read;
mod value;
mod write;

pub use read::{parse, MAX_INPUT};
pub use value::Value;
pub use write::{indent, pairs, string, strings, Object};

use crate::error::{cat, push_dec, Error, Result};

/// JSON text read from `name`; a syntax error names it.
#[inline(never)]
pub fn parse_json(text: &[u8], name: &str) -> Result<Value> {
    parse(text).map_err(|e| {
        // The numbers written in place: no string of their own to make and free.
        let mut m = cat(&[name, ": line "]);
        push_dec(&mut m, e.line.into());
        m.push_str(", column ");
        push_dec(&mut m, e.column.into());
        m.push_str(": ");
        m.push_str(e.msg);
        Error::msg(m)
    })
}
