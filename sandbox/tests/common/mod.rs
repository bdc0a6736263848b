//! Helpers shared by the sandbox's integration tests: a sandbox on 127.0.0.1 and a small HTTP client.

#![allow(dead_code)]

use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use zkit_sandbox::{credentials, Sandbox};

/// A running sandbox and a client that talks to it.
pub struct Env {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
}

/// A plain HTTP client that ignores proxy variables.
pub fn http() -> reqwest::Client {
    // reqwest is built without a crypto provider in this workspace (zkit's core installs ring).
    let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().expect("client builds")
}

impl Env {
    /// Starts a sandbox on a free port.
    pub async fn start() -> Env {
        let sandbox = Sandbox::start().await.expect("sandbox starts");
        Env { sandbox, http: http() }
    }

    /// A request to `path` under the sandbox root, without credentials.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.sandbox.url()))
    }

    /// A request to `path` under Zerokie's base URL, with the sandbox key.
    pub fn zerokie(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.sandbox.base_url("zerokie")))
            .bearer_auth(credentials::ZEROKIE_API_KEY)
    }

    /// A request to `path` under Zenifra's base URL, with the organization key as Bearer.
    pub fn zenifra(&self, method: Method, path: &str) -> RequestBuilder {
        self.zenifra_without_key(method, path).bearer_auth(credentials::ZENIFRA_ORG_KEY)
    }

    /// A request to `path` under Zenifra's base URL, without credentials.
    pub fn zenifra_without_key(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}{path}", self.sandbox.base_url("zenifra")))
    }

    /// Creates a static app and checks it was created.
    pub async fn create_static(&self, name: &str) {
        let response = self
            .zerokie(Method::POST, "/v1/apps")
            .json(&serde_json::json!({"name": name, "type": "static"}))
            .send()
            .await;
        assert_eq!(response.unwrap().status(), 201, "creating {name}");
    }

    /// Creates a container app and checks it was created.
    pub async fn create_container(&self, name: &str, image: &str) {
        let response = self
            .zerokie(Method::POST, "/v1/apps")
            .json(&serde_json::json!({"name": name, "image": image}))
            .send()
            .await;
        assert_eq!(response.unwrap().status(), 201, "creating {name}");
    }
}

/// Sends `request` and returns its status and JSON body (`Null` for an empty body).
pub async fn call(request: RequestBuilder) -> (u16, Value) {
    let response = request.send().await.expect("request is answered");
    read(response).await
}

/// The status and JSON body (`Null` for an empty body) of `response`.
pub async fn read(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body is read");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
    };
    (status, body)
}

/// Whether `text` looks like `2026-01-15T10:30:00Z`.
pub fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18].iter().all(|&i| b[i].is_ascii_digit())
}
