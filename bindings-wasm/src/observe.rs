//! The core's log records and hooks, handed to the JavaScript layer's functions: `log(level, message,
//! fields)` and `hook(event, info)`, which call the user's `logger` and `onRequest` / `onResponse`
//! (and catch what they throw).

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::JsValue;
use zkit::{LogRecord, RequestInfo, ResponseInfo};

fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

fn pairs(headers: &[(String, String)]) -> Array {
    headers.iter().map(|(name, value)| Array::of2(&name.into(), &value.into())).collect()
}

/// Hands each record to the layer's `log(level, message, fields)`.
pub struct JsLog(pub Function);

impl zkit::LogSink for JsLog {
    fn log(&self, record: &LogRecord) {
        let fields = Object::new();
        for (name, value) in &record.fields {
            set(&fields, name, value.as_str());
        }
        let _ = self.0.call3(&JsValue::NULL, &record.level.as_str().into(), &record.message.as_str().into(), &fields);
    }
}

/// Hands each attempt to the layer's `hook("request" | "response", info)`.
pub struct JsHooks(pub Function);

fn request_object(request: &RequestInfo) -> Object {
    let object = Object::new();
    set(&object, "api", request.api);
    set(&object, "operation", request.operation);
    set(&object, "attempt", request.attempt);
    set(&object, "method", request.method.as_str());
    set(&object, "url", request.url.as_str());
    set(&object, "headers", pairs(&request.headers));
    object
}

impl zkit::Hooks for JsHooks {
    fn on_request(&self, request: &RequestInfo) {
        let _ = self.0.call2(&JsValue::NULL, &"request".into(), &request_object(request));
    }

    fn on_response(&self, response: &ResponseInfo) {
        let object = Object::new();
        set(&object, "request", request_object(&response.request));
        set(&object, "status", response.status.map_or(JsValue::NULL, JsValue::from));
        set(&object, "headers", pairs(&response.headers));
        set(&object, "requestId", response.request_id.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        set(&object, "durationMs", response.duration.as_secs_f64() * 1000.0);
        set(&object, "error", response.error.as_deref().map_or(JsValue::NULL, JsValue::from_str));
        let _ = self.0.call2(&JsValue::NULL, &"response".into(), &object);
    }
}
