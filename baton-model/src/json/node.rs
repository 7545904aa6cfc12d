//! An order-preserving JSON tree and its protojson-style writers.
//!
//! `serde_json::Map` sorts keys (the workspace does not enable `preserve_order`, and turning it on
//! would change every other crate's JSON), but protojson prints fields in declaration order, so
//! rendering goes through this small tree first.

use std::fmt::Write as _;

/// A JSON value whose objects keep insertion order.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// A protojson number from a double: integral values print without a fraction (`1001`),
    /// non-finite values print as the strings protojson uses.
    pub(crate) fn from_f64(n: f64) -> Node {
        if n.is_nan() {
            return Node::String("NaN".into());
        }
        if n.is_infinite() {
            return Node::String(if n > 0.0 { "Infinity" } else { "-Infinity" }.into());
        }
        // 2^53: every integer below it is exact in a double.
        const EXACT: f64 = 9_007_199_254_740_992.0;
        if n.fract() == 0.0 && n.abs() < EXACT {
            // The guard above makes the cast exact.
            #[allow(clippy::cast_possible_truncation)]
            return Node::Number((n as i64).into());
        }
        serde_json::Number::from_f64(n).map_or(Node::Null, Node::Number)
    }

    /// Converts to a `serde_json::Value` (object keys become sorted).
    pub(crate) fn to_value(&self) -> serde_json::Value {
        match self {
            Node::Null => serde_json::Value::Null,
            Node::Bool(b) => serde_json::Value::Bool(*b),
            Node::Number(n) => serde_json::Value::Number(n.clone()),
            Node::String(s) => serde_json::Value::String(s.clone()),
            Node::Array(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_value).collect())
            }
            Node::Object(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// One line, no spaces, fields in declaration order.
    pub(crate) fn write_compact(&self, out: &mut String) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Number(n) => {
                let _ = write!(out, "{n}");
            }
            Node::String(s) => write_string(out, s),
            Node::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_compact(out);
                }
                out.push(']');
            }
            Node::Object(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, k);
                    out.push(':');
                    v.write_compact(out);
                }
                out.push('}');
            }
        }
    }

    /// protojson `Multiline` with a two-space indent: one element per line, `": "` after keys,
    /// `{}` / `[]` when empty, no trailing newline.
    pub(crate) fn write_multiline(&self, out: &mut String, depth: usize) {
        match self {
            Node::Array(items) if !items.is_empty() => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    item.write_multiline(out, depth + 1);
                }
                newline(out, depth);
                out.push(']');
            }
            Node::Object(fields) if !fields.is_empty() => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, depth + 1);
                    write_string(out, k);
                    out.push_str(": ");
                    v.write_multiline(out, depth + 1);
                }
                newline(out, depth);
                out.push('}');
            }
            other => other.write_compact(out),
        }
    }
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_string(out: &mut String, s: &str) {
    // serde_json escapes exactly what JSON requires (quotes, backslash, control characters) and
    // leaves `<`, `>`, `&` alone, like protojson.
    match serde_json::to_string(s) {
        Ok(escaped) => out.push_str(&escaped),
        // Serializing a &str cannot fail; fall back to a plain quote to stay total.
        Err(_) => {
            out.push('"');
            out.push_str(s);
            out.push('"');
        }
    }
}

/// Builds a protojson object, omitting proto3 default values.
#[derive(Default)]
pub(crate) struct Obj(Vec<(String, Node)>);

impl Obj {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn node(&mut self, key: &str, node: Node) -> &mut Self {
        self.0.push((key.to_string(), node));
        self
    }

    pub(crate) fn string(&mut self, key: &str, value: &str) -> &mut Self {
        if !value.is_empty() {
            self.node(key, Node::String(value.to_string()));
        }
        self
    }

    pub(crate) fn strings(&mut self, key: &str, values: &[String]) -> &mut Self {
        if !values.is_empty() {
            self.node(
                key,
                Node::Array(values.iter().map(|v| Node::String(v.clone())).collect()),
            );
        }
        self
    }

    pub(crate) fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        if value {
            self.node(key, Node::Bool(true));
        }
        self
    }

    /// int64 fields print as decimal strings in protojson.
    pub(crate) fn int64(&mut self, key: &str, value: i64) -> &mut Self {
        if value != 0 {
            self.node(key, Node::String(value.to_string()));
        }
        self
    }

    pub(crate) fn enumeration(
        &mut self,
        key: &str,
        value: i32,
        name: fn(i32) -> Option<&'static str>,
    ) -> &mut Self {
        if value != 0 {
            self.node(key, enum_node(value, name));
        }
        self
    }

    pub(crate) fn enumerations(
        &mut self,
        key: &str,
        values: &[i32],
        name: fn(i32) -> Option<&'static str>,
    ) -> &mut Self {
        if !values.is_empty() {
            self.node(
                key,
                Node::Array(values.iter().map(|v| enum_node(*v, name)).collect()),
            );
        }
        self
    }

    pub(crate) fn optional(&mut self, key: &str, node: Option<Node>) -> &mut Self {
        if let Some(node) = node {
            self.node(key, node);
        }
        self
    }

    pub(crate) fn list(&mut self, key: &str, nodes: Vec<Node>) -> &mut Self {
        if !nodes.is_empty() {
            self.node(key, Node::Array(nodes));
        }
        self
    }

    pub(crate) fn finish(&mut self) -> Node {
        Node::Object(std::mem::take(&mut self.0))
    }
}

/// protojson prints unknown enum numbers as numbers.
fn enum_node(value: i32, name: fn(i32) -> Option<&'static str>) -> Node {
    match name(value) {
        Some(n) => Node::String(n.to_string()),
        None => Node::Number(value.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_protojson() {
        assert_eq!(Node::from_f64(1001.0).to_value(), serde_json::json!(1001));
        assert_eq!(Node::from_f64(-3.0).to_value(), serde_json::json!(-3));
        assert_eq!(Node::from_f64(1.5).to_value(), serde_json::json!(1.5));
        assert_eq!(Node::from_f64(f64::NAN), Node::String("NaN".into()));
        assert_eq!(
            Node::from_f64(f64::NEG_INFINITY),
            Node::String("-Infinity".into())
        );
    }

    #[test]
    fn writers_keep_order() {
        let node = Obj::new()
            .string("zeta", "z\"q")
            .node("alpha", Node::Array(vec![Node::Bool(true), Node::Null]))
            .node("empty", Node::Object(vec![]))
            .finish();
        let mut compact = String::new();
        node.write_compact(&mut compact);
        assert_eq!(compact, r#"{"zeta":"z\"q","alpha":[true,null],"empty":{}}"#);
        let mut multi = String::new();
        node.write_multiline(&mut multi, 0);
        assert_eq!(
            multi,
            "{\n  \"zeta\": \"z\\\"q\",\n  \"alpha\": [\n    true,\n    null\n  ],\n  \"empty\": {}\n}"
        );
    }
}
