//! The tree the JSON reader (read.rs) builds, and what callers read from it.

use alloc::string::String;
use alloc::vec::Vec;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    /// Members in the order they were written; keys are unique.
    Object(Vec<(String, Value)>),
}

/// A JSON number. Integers have one representation: `Uint` for 0 and up, `Int` below 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Number {
    Uint(u64),
    /// Always negative.
    Int(i64),
    /// A number with a fraction or exponent, as written (checked against the grammar).
    Float(String),
}

impl Value {
    /// The member `key` of an object; None for a missing key or when this is not an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// An integer from 0 to `u64::MAX`; None for floats, even `1.0`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(Number::Uint(n)) => Some(*n),
            _ => None,
        }
    }

    /// An integer from `i64::MIN` to `i64::MAX`; None for floats, even `1.0`.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(Number::Uint(n)) => i64::try_from(*n).ok(),
            Value::Number(Number::Int(n)) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    #[allow(dead_code)] // part of the reader's API; config mapping uses it
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// For messages: "expected a string, found number".
    #[allow(dead_code)] // part of the reader's API; config mapping uses it
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn ok(s: &str) -> Value {
        parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn accessors() {
        let v = ok(r#"{"s":"x","u":5,"i":-5,"b":true,"n":null,"a":[1],"o":{"k":"v"},"f":1.0}"#);
        let g = |k| v.get(k).unwrap();
        assert_eq!(g("s").as_str(), Some("x"));
        assert_eq!(g("u").as_u64(), Some(5));
        assert_eq!(g("u").as_i64(), Some(5));
        assert_eq!(g("i").as_u64(), None);
        assert_eq!(g("i").as_i64(), Some(-5));
        assert_eq!(g("b").as_bool(), Some(true));
        assert!(g("n").is_null());
        assert_eq!(g("a").as_array(), Some(&[Value::Number(Number::Uint(1))][..]));
        assert_eq!(g("o").get("k").and_then(Value::as_str), Some("v"));
        assert_eq!(g("f").as_u64(), None);
        assert_eq!(v.get("missing"), None);
        assert_eq!(g("a").get("k"), None);
        assert_eq!(g("s").as_u64(), None);
        assert_eq!(g("u").as_str(), None);
        assert_eq!(g("s").as_bool(), None);
        assert_eq!(g("s").as_array(), None);
        assert_eq!(g("s").as_object(), None);
        assert!(!g("s").is_null());
        let names: Vec<&str> = ["n", "b", "u", "f", "s", "a", "o"].iter().map(|k| g(k).type_name()).collect();
        assert_eq!(names, ["null", "boolean", "number", "number", "string", "array", "object"]);
    }

    #[test]
    fn small_values() {
        // Each Value is a tag and one Vec or String: the tree is about 32 bytes a node.
        assert!(core::mem::size_of::<Value>() <= 32, "{}", core::mem::size_of::<Value>());
    }
}
