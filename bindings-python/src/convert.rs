//! Python values to JSON and back. Inputs become the JSON the core's operations read, with an
//! upload's bytes taken out beside it; outputs are built as Python objects straight from the body's
//! JSON text (no `serde_json::Value` in between), and bytes come back as `bytes`.

use std::fmt;

use bytes::Bytes;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::de::{self, DeserializeSeed, Visitor};
use serde_json::{Map, Number, Value};

/// The bytes of `content` (`bytes`, `bytearray`, `memoryview` or any buffer, or `str` as UTF-8):
/// `bytes` is shared as it is, the others copied once. Anything else is refused naming `field`.
pub fn content_bytes(value: &Bound<'_, PyAny>, field: &str) -> Result<Bytes, zkit::Error> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(Bytes::from_owner(SharedPyBytes::new(bytes)));
    }
    if let Ok(array) = value.cast::<PyByteArray>() {
        return Ok(Bytes::from(array.to_vec()));
    }
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_cow().map_err(|_| zkit::Error::invalid_input(field, "is not valid UTF-8"))?;
        return Ok(Bytes::copy_from_slice(text.as_bytes()));
    }
    // Any other buffer (a memoryview, an array.array, a NumPy array), copied once through the buffer
    // protocol, which the limited API reaches only from Python code before 3.11.
    let copy =
        value.py().import("builtins").and_then(|b| b.getattr("memoryview")?.call1((value,))?.call_method0("tobytes"));
    if let Ok(copy) = copy {
        if let Ok(bytes) = copy.cast::<PyBytes>() {
            return Ok(Bytes::from_owner(SharedPyBytes::new(bytes)));
        }
    }
    let type_name = value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    Err(zkit::Error::invalid_input(field, format!("must be bytes, bytearray, memoryview or str, not {type_name}")))
}

/// A Python `bytes` object lent to the core without a copy: `bytes` never changes, and the reference
/// held here keeps its buffer alive until the core is done with it.
struct SharedPyBytes {
    _owner: Py<PyBytes>,
    data: *const u8,
    len: usize,
}

impl SharedPyBytes {
    fn new(bytes: &Bound<'_, PyBytes>) -> Self {
        let slice = bytes.as_bytes();
        Self { data: slice.as_ptr(), len: slice.len(), _owner: bytes.clone().unbind() }
    }
}

// SAFETY: the buffer of a `bytes` object is immutable and lives as long as the object, which the
// owned reference keeps alive; reading it needs no interpreter lock.
unsafe impl Send for SharedPyBytes {}
unsafe impl Sync for SharedPyBytes {}

impl AsRef<[u8]> for SharedPyBytes {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: see above; `data` and `len` describe the object's buffer.
        unsafe { std::slice::from_raw_parts(self.data, self.len) }
    }
}

/// Converts a Python value into JSON; `path` names the field in errors. Bytes are not JSON: an
/// upload's content travels beside it (see [`content_bytes`]).
pub fn to_json(value: &Bound<'_, PyAny>, path: &str) -> Result<Value, zkit::Error> {
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(n) = value.extract::<i64>() {
            return Ok(Value::from(n));
        }
        if let Ok(n) = value.extract::<u64>() {
            return Ok(Value::from(n));
        }
        return Err(zkit::Error::invalid_input(path, "integer out of range"));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| zkit::Error::invalid_input(path, "must be a finite number"));
    }
    if value.is_instance_of::<PyString>() {
        let text: String = value.extract().map_err(|_| zkit::Error::invalid_input(path, "is not valid UTF-8"))?;
        return Ok(Value::String(text));
    }
    if value.is_instance_of::<PyBytes>() || value.is_instance_of::<PyByteArray>() {
        return Err(zkit::Error::invalid_input(
            if path.is_empty() { "input" } else { path },
            "bytes are sent as an upload's content only",
        ));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, item) in dict.iter() {
            let key: String = key.extract().map_err(|_| zkit::Error::invalid_input(path, "keys must be strings"))?;
            let field = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            map.insert(key, to_json(&item, &field)?);
        }
        return Ok(Value::Object(map));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (index, item) in value.try_iter().map_err(|e| zkit::Error::invalid_input(path, e.to_string()))?.enumerate()
        {
            let item = item.map_err(|e| zkit::Error::invalid_input(path, e.to_string()))?;
            items.push(to_json(&item, &format!("{path}[{index}]"))?);
        }
        return Ok(Value::Array(items));
    }
    let type_name = value.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    Err(zkit::Error::invalid_input(
        if path.is_empty() { "input" } else { path },
        format!("unsupported type {type_name}"),
    ))
}

/// Converts JSON into Python: dicts, lists, str, int, float, bool and None.
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().ok_or_else(|| PyTypeError::new_err("unrepresentable number"))?.into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (key, item) in map {
                dict.set_item(key, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// JSON on its way back to Python, converted once the interpreter is attached.
pub struct Json(pub Value);

impl<'py> IntoPyObject<'py> for Json {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.0)
    }
}

/// JSON text parsed straight into Python objects: dicts, lists, str, int, float, bool and None.
/// Object keys repeat across the items of a list, so each distinct key is made once per body.
pub fn json_to_py<'py>(py: Python<'py>, text: &[u8]) -> Result<Bound<'py, PyAny>, zkit::Error> {
    let mut keys = Keys::default();
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    let value = PySeed { py, keys: &mut keys }
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| zkit::Error::decode(format!("response body: {e}")))?;
    Ok(value)
}

/// Keys cached per body; a body with more distinct keys than this makes the rest one by one.
const KEY_CACHE: usize = 256;

/// The keys made so far for one body. The objects of a list repeat their keys in one order, so the
/// key after the last one found is tried first, and usually is the one.
#[derive(Default)]
struct Keys<'py> {
    made: Vec<(Box<str>, Bound<'py, PyString>)>,
    next: usize,
}

impl<'py> Keys<'py> {
    fn get(&mut self, py: Python<'py>, key: &str) -> Bound<'py, PyString> {
        let found = match self.made.get(self.next) {
            Some((made, _)) if made.as_ref() == key => Some(self.next),
            _ => self.made.iter().position(|(made, _)| made.as_ref() == key),
        };
        if let Some(index) = found {
            self.next = index + 1;
            return self.made[index].1.clone();
        }
        let made = PyString::new(py, key);
        if self.made.len() < KEY_CACHE {
            self.made.push((key.into(), made.clone()));
            self.next = self.made.len();
        }
        made
    }
}

struct PySeed<'a, 'py> {
    py: Python<'py>,
    keys: &'a mut Keys<'py>,
}

fn py_error<E: de::Error>(error: PyErr) -> E {
    E::custom(error)
}

impl<'de, 'py> DeserializeSeed<'de> for PySeed<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, 'py> Visitor<'de> for PySeed<'_, 'py> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.py.None().into_bound(self.py))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(PyBool::new(self.py, v).to_owned().into_any())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(v.into_pyobject(self.py).map(Bound::into_any).unwrap_or_else(|never| match never {}))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(v.into_pyobject(self.py).map(Bound::into_any).unwrap_or_else(|never| match never {}))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(PyFloat::new(self.py, v).into_any())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.py, v).into_any())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(PySeed { py: self.py, keys: &mut *self.keys })? {
            items.push(item);
        }
        PyList::new(self.py, items).map(Bound::into_any).map_err(py_error)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let dict = PyDict::new(self.py);
        while let Some(key) = map.next_key_seed(KeySeed { py: self.py, keys: &mut *self.keys })? {
            let value = map.next_value_seed(PySeed { py: self.py, keys: &mut *self.keys })?;
            dict.set_item(key, value).map_err(py_error)?;
        }
        Ok(dict.into_any())
    }
}

/// An object key, made once per distinct key.
struct KeySeed<'a, 'py> {
    py: Python<'py>,
    keys: &'a mut Keys<'py>,
}

impl<'de, 'py> DeserializeSeed<'de> for KeySeed<'_, 'py> {
    type Value = Bound<'py, PyString>;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de, 'py> Visitor<'de> for KeySeed<'_, 'py> {
    type Value = Bound<'py, PyString>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.keys.get(self.py, v))
    }
}

/// A call's success on its way to Python, converted once the interpreter is attached: JSON text
/// parsed straight into objects, or `{"content": bytes, "content_type": str}` for a body that is not
/// JSON. A body that does not parse is a decode error with the response's status and request id.
pub struct PayloadOut(pub zkit::Response<zkit::Payload>);

impl<'py> IntoPyObject<'py> for PayloadOut {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let zkit::Response { data, meta } = self.0;
        match data {
            zkit::Payload::Json(text) => {
                json_to_py(py, &text).map_err(|e| crate::errors::to_py_err(&meta.error_in_body(e)))
            }
            zkit::Payload::Bytes(download) => {
                let dict = PyDict::new(py);
                dict.set_item("content", PyBytes::new(py, &download.content))?;
                dict.set_item("content_type", download.content_type)?;
                Ok(dict.into_any())
            }
        }
    }
}
