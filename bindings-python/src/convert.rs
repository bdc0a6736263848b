//! Python values to JSON and back. Inputs become the JSON the core's operations read; outputs come
//! back as plain dicts and lists for the generated model classes to wrap.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Converts a Python value into JSON; `path` names the field in errors. Bytes become an array of
/// numbers, which the core reads as binary content.
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
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return Ok(bytes_to_json(bytes.as_bytes()));
    }
    if let Ok(bytes) = value.cast::<PyByteArray>() {
        return Ok(bytes_to_json(&bytes.to_vec()));
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

fn bytes_to_json(bytes: &[u8]) -> Value {
    Value::Array(bytes.iter().map(|b| Value::from(*b)).collect())
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
