//! The inputs of Zerokie's operations, with their checks. Path fields (`name`, `path`, `domain`) fill
//! the path template; the rest form the body.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::types::{AppType, RegistryAuth};
use crate::error::{Error, Result};
use crate::exec::Body;
use crate::model::path_input;
use crate::operation::{file_body, Input, RawBody};
use crate::validate;

/// Input of `create_app`: a container app (the default) or a static app.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CreateApp {
    /// The app's name: a DNS label, since it becomes the app's subdomain.
    pub name: String,
    /// Container (default) or static; fixed once created.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub kind: Option<AppType>,
    /// The image to run; required for container apps, ignored for static ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub image: Option<String>,
    /// The port the container listens on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub port: Option<u16>,
    /// Environment variables of the container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub env: Option<BTreeMap<String, String>>,
    /// CPU units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub cpu: Option<u32>,
    /// Memory in MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub memory: Option<u32>,
    /// Credentials for a private registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub registry_auth: Option<RegistryAuth>,
}

impl CreateApp {
    /// A container app running `image`.
    pub fn container(name: impl Into<String>, image: impl Into<String>) -> Self {
        Self { name: name.into(), kind: Some(AppType::Container), image: Some(image.into()), ..Self::default() }
    }

    /// A static app served from its storage zone.
    pub fn static_site(name: impl Into<String>) -> Self {
        Self { name: name.into(), kind: Some(AppType::Static), ..Self::default() }
    }

    /// Sets the port.
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Adds an environment variable.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.get_or_insert_with(BTreeMap::new).insert(key.into(), value.into());
        self
    }

    /// Sets CPU units and memory in MiB.
    pub fn resources(mut self, cpu: u32, memory: u32) -> Self {
        self.cpu = Some(cpu);
        self.memory = Some(memory);
        self
    }

    /// Sets private registry credentials.
    pub fn registry_auth(mut self, auth: RegistryAuth) -> Self {
        self.registry_auth = Some(auth);
        self
    }
}

impl Input for CreateApp {
    fn validate(&self) -> Result<()> {
        validate::dns_label("name", &self.name)?;
        let is_static = self.kind == Some(AppType::Static);
        if let Some(AppType::Unknown(other)) = &self.kind {
            return Err(Error::invalid_input("type", format!("must be \"container\" or \"static\", not {other:?}")));
        }
        if !is_static {
            match &self.image {
                Some(image) => validate::non_empty("image", image)?,
                None => return Err(Error::invalid_input("image", "is required for container apps")),
            }
            if self.port == Some(0) {
                return Err(Error::invalid_input("port", "must be between 1 and 65535"));
            }
        }
        validate::env_names("env", self.env.iter().flat_map(BTreeMap::keys))
    }
}

/// Input of `list_apps`: none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct ListApps {}

impl Input for ListApps {}

path_input! {
    /// Input of `get_app`.
    GetApp {
        /// The app's name.
        name
    }
}

path_input! {
    /// Input of `delete_app`.
    DeleteApp {
        /// The app's name.
        name
    }
}

path_input! {
    /// Input of `list_files`.
    ListFiles {
        /// The app's name.
        name
    }
}

/// Input of `deploy_app`: a new image, or none to re-pull and restart the current one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct DeployApp {
    /// The app's name.
    pub name: String,
    /// The image to deploy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub image: Option<String>,
    /// Credentials for a private registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub registry_auth: Option<RegistryAuth>,
}

impl DeployApp {
    /// Deploys `image` to the app.
    pub fn image(name: impl Into<String>, image: impl Into<String>) -> Self {
        Self { name: name.into(), image: Some(image.into()), registry_auth: None }
    }

    /// Sets private registry credentials.
    pub fn registry_auth(mut self, auth: RegistryAuth) -> Self {
        self.registry_auth = Some(auth);
        self
    }
}

impl<S: Into<String>> From<S> for DeployApp {
    fn from(name: S) -> Self {
        Self { name: name.into(), ..Self::default() }
    }
}

impl Input for DeployApp {
    fn validate(&self) -> Result<()> {
        if let Some(image) = &self.image {
            validate::non_empty("image", image)?;
        }
        Ok(())
    }
}

/// Input of `upload_file`: the raw content of one file, from memory (`content`) or streamed from disk
/// (`file`), sent with a Content-Type from its extension unless one is given.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct UploadFile {
    /// The app's name.
    pub name: String,
    /// Path in the storage zone, such as `assets/site.css`.
    pub path: String,
    /// The file's bytes (or leave it empty and give `file`).
    #[serde(skip_serializing, default, with = "crate::model::content")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::model::content::schema"))]
    pub content: Bytes,
    /// Overrides the Content-Type guessed from the extension.
    #[serde(skip_serializing, default)]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub content_type: Option<String>,
    /// A file on disk to send instead of `content`, read in chunks while it is sent, so its size
    /// costs no memory. It must exist when the call is made and keep its length until it is sent.
    #[serde(skip_serializing, default)]
    #[cfg_attr(feature = "schema", schemars(extend("format" = "path")))]
    #[cfg_attr(feature = "uniffi", uniffi(default = None))]
    pub file: Option<String>,
}

impl UploadFile {
    /// Uploads `content` to `path` of the app.
    pub fn new(name: impl Into<String>, path: impl Into<String>, content: impl Into<Bytes>) -> Self {
        Self { name: name.into(), path: path.into(), content: content.into(), content_type: None, file: None }
    }

    /// Uploads the file at `file` on disk to `path` of the app, streamed from disk.
    pub fn from_file(name: impl Into<String>, path: impl Into<String>, file: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            path: path.into(),
            content: Bytes::new(),
            file: Some(file.into()),
            content_type: None,
        }
    }

    /// Sets the Content-Type instead of guessing it.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The Content-Type that will be sent.
    pub fn effective_content_type(&self) -> String {
        self.content_type.clone().unwrap_or_else(|| content_type_for(&self.path).to_owned())
    }
}

impl Input for UploadFile {
    fn validate(&self) -> Result<()> {
        if let Some(content_type) = &self.content_type {
            validate::non_empty("content_type", content_type)?;
            validate::header_value("content_type", content_type)?;
        }
        if let Some(file) = &self.file {
            validate::non_empty("file", file)?;
            if !self.content.is_empty() {
                return Err(Error::invalid_input("file", "give content or file, not both"));
            }
        }
        Ok(())
    }

    fn raw_body(&self) -> Result<Option<RawBody>> {
        let body = match &self.file {
            Some(file) => file_body("file", file)?,
            None => Body::Bytes(self.content.clone()),
        };
        Ok(Some(RawBody { body, content_type: self.effective_content_type() }))
    }

    fn attach_content(&mut self, content: Bytes) -> Result<()> {
        self.content = content;
        Ok(())
    }
}

/// Declares an input that names an app and one more string field, checked by `$check` before sending.
macro_rules! app_and_field_input {
    ($(#[$meta:meta])* $name:ident { $(#[$field_meta:meta])* $field:ident } checked by $check:path) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
        pub struct $name {
            /// The app's name.
            pub name: String,
            $(#[$field_meta])*
            pub $field: String,
        }

        impl $name {
            #[doc = concat!("For the app and its `", stringify!($field), "`.")]
            pub fn new(name: impl Into<String>, $field: impl Into<String>) -> Self {
                Self { name: name.into(), $field: $field.into() }
            }
        }

        impl Input for $name {
            fn validate(&self) -> Result<()> {
                $check(stringify!($field), &self.$field)
            }
        }
    };
}

app_and_field_input! {
    /// Input of `delete_file`.
    DeleteFile {
        /// Path in the storage zone.
        path
    } checked by validate::file_path
}

app_and_field_input! {
    /// Input of `acquire_deploy_lock`.
    AcquireDeployLock {
        /// The deploy session, a UUID; see [`new_deploy_session_id`](super::new_deploy_session_id).
        deploy_session_id
    } checked by validate::uuid
}

app_and_field_input! {
    /// Input of `renew_deploy_lock`, the heartbeat that keeps a lock past its 30 minutes.
    RenewDeployLock {
        /// The deploy session holding the lock.
        deploy_session_id
    } checked by validate::uuid
}

/// Input of `finalize_deploy`: purges the CDN cache, records the deploy and releases the lock.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct FinalizeDeploy {
    /// The app's name.
    pub name: String,
    /// The session holding the lock.
    pub deploy_session_id: String,
    /// Files uploaded in this deploy.
    pub files_uploaded: u64,
    /// Files deleted in this deploy.
    pub files_deleted: u64,
    /// Bytes uploaded in this deploy.
    pub total_bytes: u64,
}

impl Input for FinalizeDeploy {
    fn validate(&self) -> Result<()> {
        validate::uuid("deploy_session_id", &self.deploy_session_id)
    }
}

app_and_field_input! {
    /// Input of `add_domain`.
    AddDomain {
        /// The domain: a subdomain such as `www.example.com` (apex domains are not supported).
        domain
    } checked by validate::subdomain
}

app_and_field_input! {
    /// Input of `remove_domain`.
    RemoveDomain {
        /// The domain to remove.
        domain
    } checked by validate::subdomain
}

/// The media type of a file, from its extension; `application/octet-stream` when unknown.
pub fn content_type_for(path: &str) -> &'static str {
    let file = path.rsplit('/').next().unwrap_or(path);
    let ext = file.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "md" => "text/markdown; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        "pdf" => "application/pdf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}
