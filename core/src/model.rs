//! Building blocks of the API models: open string enums, unknown-field maps, byte contents.

/// Response fields the model does not name, kept as they came.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// An enum over documented string values that still accepts values added later, as `Unknown`.
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
        // Kotlin's toString() and Swift's description give the wire value ("running").
        #[cfg_attr(feature = "uniffi", uniffi::export(Display))]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of zkit does not know yet.
            Unknown(String),
        }

        impl $name {
            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(other) => other,
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        #[cfg(feature = "schema")]
        impl $crate::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut $crate::schemars::SchemaGenerator) -> $crate::schemars::Schema {
                // Open: the known values, and any other string a newer server may send.
                $crate::schemars::json_schema!({
                    "type": "string",
                    "examples": [$($value),*],
                })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as $crate::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    };
}

/// Declares an operation input that names one resource by its path field and nothing else, made from
/// the name or id itself (`zerokie.get_app("my-app")`, `zenifra.get_project(id)`).
macro_rules! path_input {
    ($(#[$meta:meta])* $name:ident { $(#[$field_meta:meta])* $field:ident }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
        pub struct $name {
            $(#[$field_meta])*
            pub $field: String,
        }

        impl<S: Into<String>> From<S> for $name {
            fn from(value: S) -> Self {
                Self { $field: value.into() }
            }
        }

        impl $crate::operation::Input for $name {}
    };
}

pub(crate) use path_input;

/// Serde for a [`Duration`](std::time::Duration) as whole milliseconds, for options whose JSON
/// names end in `_ms`.
pub(crate) mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub(crate) fn serialize<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

/// Serde for file contents: bytes where the format has them, or text (taken as UTF-8). A JSON array
/// of numbers is refused: bytes travel beside the JSON (see [`Payload`](crate::Payload) and
/// [`Input::attach_content`](crate::Input::attach_content)), never as one number per byte.
pub mod content {
    use bytes::Bytes;
    use serde::de::{self, Deserializer, Visitor};
    use serde::Serializer;
    use std::fmt;

    /// Writes the bytes as a byte sequence.
    pub fn serialize<S: Serializer>(bytes: &Bytes, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }

    /// Binary content, as OpenAPI writes it.
    #[cfg(feature = "schema")]
    pub fn schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "binary"})
    }

    /// Reads bytes or a string.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Bytes, D::Error> {
        struct Content;
        impl Visitor<'_> for Content {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("bytes or text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Bytes, E> {
                Ok(Bytes::copy_from_slice(v.as_bytes()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Bytes, E> {
                Ok(Bytes::from(v))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Bytes, E> {
                Ok(Bytes::copy_from_slice(v))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<Bytes, E> {
                Ok(Bytes::from(v))
            }
        }
        deserializer.deserialize_any(Content)
    }
}

/// A body that is not JSON, such as an invoice's PDF: its bytes and their media type.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Download {
    /// The bytes, as sent.
    #[serde(with = "content")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "content::schema"))]
    pub content: bytes::Bytes,
    /// Their media type, such as `application/pdf`.
    pub content_type: String,
}
