//! JavaScript values to JSON and back. Inputs become the JSON the core's operations read, with an
//! upload's bytes taken out beside it (bytes never become JSON numbers); outputs go back through
//! `JSON.parse`, so callers get plain objects and arrays.

use bytes::Bytes;
use js_sys::{Array, Object, Reflect, Uint8Array, JSON};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

/// Converts a JavaScript value into JSON; `path` names the field in errors.
pub fn to_json(value: &JsValue, path: &str) -> Result<Value, zkit::Error> {
    let field = if path.is_empty() { "input" } else { path };
    if value.is_null() || value.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = value.as_f64() {
        if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_991.0 {
            return Ok(Value::from(n as i64));
        }
        return Number::from_f64(n)
            .map(Value::Number)
            .ok_or_else(|| zkit::Error::invalid_input(field, "must be a finite number"));
    }
    if let Some(s) = value.as_string() {
        return Ok(Value::String(s));
    }
    if value.is_instance_of::<Uint8Array>() {
        return Err(zkit::Error::invalid_input(field, "bytes are sent as an upload's content only"));
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut items = Vec::with_capacity(array.length() as usize);
        for (index, item) in array.iter().enumerate() {
            items.push(to_json(&item, &format!("{path}[{index}]"))?);
        }
        return Ok(Value::Array(items));
    }
    if value.is_object() && value.is_function() {
        return Err(zkit::Error::invalid_input(field, "functions are not accepted"));
    }
    if let Some(object) = value.dyn_ref::<Object>() {
        let mut map = Map::new();
        for key in Object::keys(object).iter() {
            let Some(name) = key.as_string() else { continue };
            let item =
                Reflect::get(object, &key).map_err(|_| zkit::Error::invalid_input(field, "could not be read"))?;
            if item.is_undefined() {
                continue;
            }
            let child = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            map.insert(name, to_json(&item, &child)?);
        }
        return Ok(Value::Object(map));
    }
    Err(zkit::Error::invalid_input(field, "unsupported value (bigint or symbol)"))
}

/// The bytes of `content`: a `Uint8Array` (the JavaScript layer makes one of any `ArrayBuffer` or
/// view) or a string as UTF-8, copied once into the module's memory. Anything else is refused naming
/// `field`.
pub fn content_bytes(value: &JsValue, field: &str) -> Result<Bytes, zkit::Error> {
    if let Some(text) = value.as_string() {
        return Ok(Bytes::from(text));
    }
    if let Some(bytes) = value.dyn_ref::<Uint8Array>() {
        return Ok(Bytes::from(bytes.to_vec()));
    }
    Err(zkit::Error::invalid_input(field, "must be a Uint8Array, an ArrayBuffer or a string"))
}

/// An operation's input as JSON, with an upload's `content` taken out as bytes.
pub fn input_and_content(input: &JsValue) -> Result<(Value, Option<Bytes>), zkit::Error> {
    let content = if input.is_object() { Reflect::get(input, &"content".into()).ok() } else { None };
    let content = content.filter(|c| !c.is_undefined() && !c.is_null());
    let Some(content) = content else { return Ok((to_json(input, "")?, None)) };
    let mut json = to_json(&without(input, "content"), "")?;
    if !json.is_object() {
        json = Value::Object(Map::new());
    }
    Ok((json, Some(content_bytes(&content, "content")?)))
}

/// A shallow copy of `object` without `key`.
fn without(object: &JsValue, key: &str) -> JsValue {
    let copy = Object::assign(&Object::new(), object.unchecked_ref());
    let _ = Reflect::delete_property(&copy, &key.into());
    copy.into()
}

/// Converts JSON into a plain JavaScript value.
pub fn to_js(value: &Value) -> JsValue {
    JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL)
}
