//! Free-form profiles: a JSON-like map turned into a `google.protobuf.Struct`.

use std::collections::BTreeMap;

use crate::proto::{Kind, ListValue, NullValue, Struct, Value};

/// A profile under construction: string keys to JSON values, sorted by key.
///
/// Converted with [`Profile::into_struct`]: numbers become doubles (so integer ids read `1001`),
/// `null` becomes `NullValue`, arrays and objects nest.
///
/// ```
/// use baton_model::model::Profile;
/// let profile = Profile::new().with("id", 1001).with("name", "Ada").null("parent_id");
/// let s = profile.into_struct();
/// assert_eq!(s.fields.len(), 3);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    fields: BTreeMap<String, serde_json::Value>,
}

impl Profile {
    /// An empty profile.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value` (anything serde_json converts: strings, numbers, bools, …).
    pub fn with(mut self, key: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.fields.insert(key.into(), value.into());
        self
    }

    /// Sets `key` to `value`, or to `null` when `None`.
    pub fn with_opt<V: Into<serde_json::Value>>(
        self,
        key: impl Into<String>,
        value: Option<V>,
    ) -> Self {
        match value {
            Some(v) => self.with(key, v),
            None => self.null(key),
        }
    }

    /// Sets `key` to `null`.
    pub fn null(self, key: impl Into<String>) -> Self {
        self.with(key, serde_json::Value::Null)
    }

    /// `true` when no key is set.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Converts to a `google.protobuf.Struct`.
    pub fn into_struct(self) -> Struct {
        Struct {
            fields: self
                .fields
                .into_iter()
                .map(|(k, v)| (k, json_to_value(v)))
                .collect(),
        }
    }
}

impl From<BTreeMap<String, serde_json::Value>> for Profile {
    fn from(fields: BTreeMap<String, serde_json::Value>) -> Self {
        Self { fields }
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for Profile {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
        Self {
            fields: map.into_iter().collect(),
        }
    }
}

impl From<Profile> for Struct {
    fn from(profile: Profile) -> Self {
        profile.into_struct()
    }
}

/// Converts a JSON value to a `google.protobuf.Value` (numbers become doubles).
pub fn json_to_value(value: serde_json::Value) -> Value {
    let kind = match value {
        serde_json::Value::Null => Kind::NullValue(NullValue::NullValue as i32),
        serde_json::Value::Bool(b) => Kind::BoolValue(b),
        // Struct numbers are doubles: large integers lose precision exactly as in Go.
        serde_json::Value::Number(n) => Kind::NumberValue(n.as_f64().unwrap_or(f64::NAN)),
        serde_json::Value::String(s) => Kind::StringValue(s),
        serde_json::Value::Array(items) => Kind::ListValue(ListValue {
            values: items.into_iter().map(json_to_value).collect(),
        }),
        serde_json::Value::Object(map) => Kind::StructValue(Profile::from(map).into_struct()),
    };
    Value { kind: Some(kind) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_converts_numbers_to_doubles_and_null_to_null_value() {
        let s = Profile::new()
            .with("id", 1001)
            .with("name", "Ada")
            .with("ok", true)
            .with_opt::<i64>("parent_id", None)
            .with("tags", serde_json::json!(["a", 1]))
            .into_struct();
        let keys: Vec<_> = s.fields.keys().cloned().collect();
        assert_eq!(keys, ["id", "name", "ok", "parent_id", "tags"]);
        assert_eq!(s.fields["id"].kind, Some(Kind::NumberValue(1001.0)));
        assert_eq!(s.fields["name"].kind, Some(Kind::StringValue("Ada".into())));
        assert_eq!(s.fields["ok"].kind, Some(Kind::BoolValue(true)));
        assert_eq!(s.fields["parent_id"].kind, Some(Kind::NullValue(0)));
        let Some(Kind::ListValue(list)) = &s.fields["tags"].kind else {
            panic!("tags is a list");
        };
        assert_eq!(list.values[1].kind, Some(Kind::NumberValue(1.0)));
    }
}
