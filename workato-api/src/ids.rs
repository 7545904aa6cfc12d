//! Identifier newtypes. Integer ids also accept numeric strings; [`Id`] accepts either form
//! and keeps it, because Workato's docs show some ids both ways (docs/workato-api.md#ids).

use std::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

macro_rules! int_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);

        impl $name {
            /// The numeric value.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl From<i64> for $name {
            fn from(value: i64) -> Self {
                Self(value)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                match Id::deserialize(deserializer)? {
                    Id(IdRepr::Int(n)) => Ok(Self(n)),
                    Id(IdRepr::Str(s)) => s.trim().parse().map(Self).map_err(|_| {
                        de::Error::invalid_value(de::Unexpected::Str(&s), &"an integer id")
                    }),
                }
            }
        }
    };
}

int_id!(
    /// A collaborator (member) id.
    MemberId
);
int_id!(
    /// A folder id.
    FolderId
);
int_id!(
    /// A project id.
    ProjectId
);
int_id!(
    /// A legacy collaborator role id.
    RoleId
);
int_id!(
    /// An environment role id.
    EnvRoleId
);
int_id!(
    /// A workspace id.
    WorkspaceId
);

/// A string-or-integer id (project roles, project grants, collaborator groups), kept in the
/// form the server sent so that it is echoed back the same way in paths and bodies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(IdRepr);

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum IdRepr {
    Int(i64),
    Str(String),
}

impl Id {
    /// Whether the server sent this id as a JSON integer.
    pub fn is_int(&self) -> bool {
        matches!(self.0, IdRepr::Int(_))
    }

    /// The id as an integer, if it is one (or a numeric string).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.0 {
            IdRepr::Int(n) => Some(*n),
            IdRepr::Str(s) => s.parse().ok(),
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            IdRepr::Int(n) => write!(f, "{n}"),
            IdRepr::Str(s) => f.write_str(s),
        }
    }
}

impl From<i64> for Id {
    fn from(value: i64) -> Self {
        Id(IdRepr::Int(value))
    }
}

impl From<String> for Id {
    fn from(value: String) -> Self {
        Id(IdRepr::Str(value))
    }
}

impl From<&str> for Id {
    fn from(value: &str) -> Self {
        Id(IdRepr::Str(value.to_owned()))
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            IdRepr::Int(n) => serializer.serialize_i64(*n),
            IdRepr::Str(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;

        impl de::Visitor<'_> for IdVisitor {
            type Value = Id;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or integer id")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Id, E> {
                Ok(Id::from(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Id, E> {
                i64::try_from(v)
                    .map(Id::from)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id::from(v))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Id, E> {
                Ok(Id::from(v))
            }
        }

        deserializer.deserialize_any(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_keeps_its_form() {
        let int: Id = serde_json::from_str("42").expect("int");
        let text: Id = serde_json::from_str(r#""pr-AQBGCnMB-JoFtKL""#).expect("str");
        assert!(int.is_int());
        assert_eq!(int.to_string(), "42");
        assert_eq!(serde_json::to_string(&int).expect("ser"), "42");
        assert_eq!(text.to_string(), "pr-AQBGCnMB-JoFtKL");
        assert_eq!(
            serde_json::to_string(&text).expect("ser"),
            r#""pr-AQBGCnMB-JoFtKL""#
        );
        assert_eq!(text.as_i64(), None);
        assert_eq!(Id::from("17").as_i64(), Some(17));
        assert!(serde_json::from_str::<Id>("1.5").is_err());
    }

    #[test]
    fn int_ids_accept_numeric_strings() {
        let a: MemberId = serde_json::from_str("7").expect("int");
        let b: MemberId = serde_json::from_str(r#""7""#).expect("numeric string");
        assert_eq!(a, MemberId(7));
        assert_eq!(a, b);
        assert!(serde_json::from_str::<FolderId>(r#""x7""#).is_err());
        assert_eq!(serde_json::to_string(&ProjectId(3)).expect("ser"), "3");
        assert_eq!(RoleId(9).to_string(), "9");
    }
}
