//! Which field of a JSON text a position falls in (pure): how a decoding error names the field at
//! fault. serde_json reports where in the text it stopped; reading the text up to there gives the
//! path, so no type is deserialized a second time with its path tracked.

/// The path (`spec.env`, `items[2].name`) of the value being read at `line` and `column` (as
/// serde_json reports them, from 1) of `text`; empty at the top level.
pub(crate) fn at(text: &[u8], line: usize, column: usize) -> String {
    let line_start = text
        .iter()
        .enumerate()
        .filter(|(_, byte)| **byte == b'\n')
        .nth(line.saturating_sub(2))
        .map_or(0, |(i, _)| if line > 1 { i + 1 } else { 0 });
    path_before(text, (line_start + column).min(text.len()))
}

/// One open container while scanning: an object and its current key, or an array, the index of its
/// current item and whether that item has begun (an error right after `[` is the array's own).
enum Frame {
    Object(Option<String>),
    Array(usize, bool),
}

/// The path of the innermost key or index open at byte `end` of `text`.
fn path_before(text: &[u8], end: usize) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let mut expecting_key = false;
    let mut i = 0;
    while i < end {
        if let Some(Frame::Array(_, begun)) = stack.last_mut() {
            *begun |= !matches!(text[i], b' ' | b'\t' | b'\n' | b'\r' | b',' | b']');
        }
        match text[i] {
            b'{' => {
                stack.push(Frame::Object(None));
                expecting_key = true;
            }
            b'[' => stack.push(Frame::Array(0, false)),
            b'}' | b']' => {
                stack.pop();
                expecting_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index, begun)) => {
                    *index += 1;
                    *begun = false;
                }
                Some(Frame::Object(_)) => expecting_key = true,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i = start;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                if expecting_key {
                    if let Some(Frame::Object(key)) = stack.last_mut() {
                        let raw = &text[start..i.min(text.len())];
                        // A key is read as JSON (escapes undone); one that cannot be is shown as is.
                        let quoted = [&b"\""[..], raw, b"\""].concat();
                        *key = Some(
                            serde_json::from_slice(&quoted).unwrap_or_else(|_| String::from_utf8_lossy(raw).into()),
                        );
                    }
                    expecting_key = false;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object(None) | Frame::Array(_, false) => {}
            Frame::Array(index, true) => path.push_str(&format!("[{index}]")),
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path serde_json's error position points into, for a decoding of `T` that fails.
    fn failing<T: serde::de::DeserializeOwned + std::fmt::Debug>(text: &str) -> String {
        let error = serde_json::from_str::<T>(text).unwrap_err();
        at(text.as_bytes(), error.line(), error.column())
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        port: u16,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    #[test]
    fn a_wrong_value_is_named_by_its_path() {
        assert_eq!(failing::<Outer>(r#"{"name": 7, "items": []}"#), "name");
        assert_eq!(failing::<Outer>(r#"{"name": "a", "items": [{"port": 1}, {"port": "x"}]}"#), "items[1].port");
        assert_eq!(failing::<Outer>("{\n  \"name\": \"a\",\n  \"items\": [\n {\"port\": -1}]\n}"), "items[0].port");
        assert_eq!(failing::<Outer>(r#"{"na\"me": "a", "name": 1}"#), "name");
        assert_eq!(failing::<Outer>(r#"{"name": [1, 2], "items": []}"#), "name");
    }

    #[test]
    fn a_missing_field_points_at_the_object_that_lacks_it() {
        assert_eq!(failing::<Outer>(r#"{"name": "a", "items": [{}]}"#), "items[0]");
        assert_eq!(failing::<Outer>(r#"{"name": "a"}"#), "");
    }

    #[test]
    fn a_position_past_the_end_is_the_end() {
        assert_eq!(at(br#"{"a": {"b": "#, 1, 400), "a.b");
        assert_eq!(at(b"", 3, 9), "");
    }
}
