//! The static-site deploy and the waiters, for JavaScript: the core runs them; this file turns
//! JavaScript values into their inputs and events into calls of the progress function. The
//! JavaScript layer walks a folder (in Node) into file entries and spells the options in snake_case.

use std::future::IntoFuture;
use std::sync::Arc;

use js_sys::{Array, Function, Promise};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use zkit::wait::{WaitOptions, Waiters};
use zkit::zerokie::{DeployOptions, SiteFile};

use crate::convert::{content_bytes, to_js, to_json};
use crate::{abort_signal, abortable, error_to_js, get, invalid, text, NativeZerokie};

/// `{path, content?: Uint8Array, file?: string, sha256?: string}` entries as the core's files.
fn site_files(entries: &JsValue) -> Result<Vec<SiteFile>, JsValue> {
    let entries = entries.dyn_ref::<Array>().ok_or_else(|| invalid("source", "must be a list of files"))?;
    let mut files = Vec::with_capacity(entries.length() as usize);
    for entry in entries.iter() {
        let path = text(&entry, "path")?.ok_or_else(|| invalid("path", "is required"))?;
        let mut file = match text(&entry, "file")? {
            Some(on_disk) => SiteFile::file(path, on_disk),
            None => {
                let content = get(&entry, "content");
                if content.is_undefined() || content.is_null() {
                    return Err(invalid("content", &format!("{path}: give its content or a file")));
                }
                let content = content_bytes(&content, "content").map_err(|e| error_to_js(&e))?;
                SiteFile::bytes(path, content)
            }
        };
        file.sha256 = text(&entry, "sha256")?;
        files.push(file);
    }
    Ok(files)
}

/// A JSON object's fields as `T`, an unknown or mistyped field named in the error.
fn from_fields<T: serde::de::DeserializeOwned>(fields: &JsValue, what: &str) -> Result<T, JsValue> {
    let fields = match to_json(fields, what).map_err(|e| error_to_js(&e))? {
        Value::Null => Value::Object(Default::default()),
        fields => fields,
    };
    serde_json::from_value(fields).map_err(|error| invalid(what, &error.to_string()))
}

#[wasm_bindgen]
impl NativeZerokie {
    /// Deploys a site from file entries; resolves to the report. `options` are the core's
    /// `DeployOptions` in JSON, `progress` (if a function) gets each event, `callOptions.signal`
    /// stops the deploy before it finalizes.
    #[wasm_bindgen(js_name = deploySite)]
    pub fn deploy_site(
        &self,
        app: String,
        files: JsValue,
        options: JsValue,
        progress: JsValue,
        call_options: JsValue,
    ) -> Promise {
        let prepared = self.api().and_then(|api| {
            let files = site_files(&files)?;
            let options: DeployOptions = from_fields(&options, "options")?;
            let mut deploy = api.deploy_site(app, files).options(options);
            if let Some(progress) = progress.dyn_ref::<Function>().cloned() {
                deploy = deploy.on_progress(Arc::new(move |event| {
                    // The JavaScript layer catches what the user's function throws.
                    let _ = progress.call1(&JsValue::NULL, &to_js(&serde_json::to_value(event).unwrap_or_default()));
                }));
            }
            Ok((deploy.into_future(), abort_signal(&call_options)?))
        });
        future_to_promise(async move {
            let (run, signal) = prepared?;
            let deploy = async {
                run.await
                    .map(|report| to_js(&serde_json::to_value(report).unwrap_or_default()))
                    .map_err(|e| error_to_js(&e))
            };
            abortable(deploy, signal).await
        })
    }

    /// What a deploy stopped before it finalized leaves behind, in the core's words.
    #[wasm_bindgen(js_name = cancelledMessage)]
    pub fn cancelled_message(app: &str, session_id: Option<String>) -> String {
        zkit::zerokie::cancelled_message(app, session_id.as_deref())
    }
}

/// The Promise of a wait: the last answer. `options` are the core's `WaitOptions` in JSON;
/// `callOptions.signal` stops it.
pub fn wait_until<A: Waiters>(
    api: Result<A, JsValue>,
    waiter: String,
    input: &JsValue,
    options: &JsValue,
    call_options: &JsValue,
) -> Promise {
    let prepared = api.and_then(|api| {
        let input = to_json(input, "input").map_err(|e| error_to_js(&e))?;
        let options: WaitOptions = from_fields(options, "options")?;
        Ok((api, input, options, abort_signal(call_options)?))
    });
    future_to_promise(async move {
        let (api, input, options, signal) = prepared?;
        let wait = async {
            let last = zkit::wait::wait_until(&api, &waiter, input, options).await.map_err(|e| error_to_js(&e))?;
            Ok(to_js(&last))
        };
        abortable(wait, signal).await
    })
}
