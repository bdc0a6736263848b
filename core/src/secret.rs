//! Credentials that never show themselves.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A credential: an API key, a token or a password.
///
/// `Debug` and `Display` print a preview at most (`znf_…c0de`), so a secret can sit in any struct that
/// is logged or printed. The value itself is reachable only through [`Secret::expose`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The credential itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the credential is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A preview safe to show: the first four and last four characters of a long key, nothing of a
    /// short one.
    pub fn preview(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 16 {
            return "…".to_owned();
        }
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}…{tail}")
    }

    /// `text` with every occurrence of the credential replaced by its preview, for messages that come
    /// back from a server.
    pub fn redact(&self, text: &str) -> String {
        if self.0.len() < 4 || !text.contains(&self.0) {
            return text.to_owned();
        }
        text.replace(&self.0, &self.preview())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.preview())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.preview())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

// The wire needs the value; only the wire serializes.
impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Secret {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Secret".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "writeOnly": true})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_show_a_preview_only() {
        let key = Secret::new("znf_0123456789abcdef_c0de");
        assert_eq!(format!("{key:?}"), "Secret(znf_…c0de)");
        assert_eq!(key.to_string(), "znf_…c0de");
        assert_eq!(format!("{:?}", Secret::new("short")), "Secret(…)");
    }

    #[test]
    fn redact_replaces_the_value() {
        let key = Secret::new("zrk_sandbox_0123456789");
        assert_eq!(key.redact("bad key zrk_sandbox_0123456789!"), "bad key zrk_…6789!");
        assert_eq!(key.redact("nothing here"), "nothing here");
    }
}
