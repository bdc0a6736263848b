//! How the model's building blocks cross uniffi: unknown fields as JSON text, file contents as bytes,
//! secrets as strings (lifted straight back into [`Secret`]).

use bytes::Bytes;

use crate::model::Extra;
use crate::secret::Secret;

uniffi::custom_type!(Extra, String, {
    remote,
    lower: |extra| serde_json::to_string(&extra).unwrap_or_else(|_| "{}".to_owned()),
    try_lift: |text| Ok(serde_json::from_str(&text)?),
});

uniffi::custom_type!(Bytes, Vec<u8>, {
    remote,
    lower: |bytes| bytes.to_vec(),
    try_lift: |vec| Ok(Bytes::from(vec)),
});

uniffi::custom_type!(Secret, String, {
    lower: |secret| secret.expose().to_owned(),
    try_lift: |text| Ok(Secret::new(text)),
});

/// String maps (environment variables) cross as the foreign language's map.
type StringMap = std::collections::BTreeMap<String, String>;

uniffi::custom_type!(StringMap, std::collections::HashMap<String, String>, {
    remote,
    lower: |map| map.into_iter().collect(),
    try_lift: |map| Ok(map.into_iter().collect()),
});
