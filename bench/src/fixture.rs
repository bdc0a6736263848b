//! The bodies the bench server answers with, shaped like Zerokie's apps.

/// The length in bytes of one app body, whatever its index.
pub const APP_BODY_LEN: usize = 264;

/// How many apps the list holds.
pub const LIST_LEN: usize = 10_000;

/// The name of the app at `index`: `app-00000`, `app-00001`, …
pub fn app_name(index: usize) -> String {
    format!("app-{index:05}")
}

/// One app as JSON, exactly [`APP_BODY_LEN`] bytes for any index below 100,000 (the image tag is
/// padded to fit).
pub fn app_json(index: usize) -> String {
    let name = app_name(index);
    let body = |image: &str| {
        format!(
            concat!(
                r#"{{"name":"{name}","status":"running","type":"container","image":"{image}","port":8080,"#,
                r#""url":"https://{name}.platform-dev.zerokie.com","instances":2,"cpu":500,"memory":512,"#,
                r#""created_at":"2026-01-15T09:30:00Z","updated_at":"2026-02-01T12:00:00Z"}}"#
            ),
            name = name,
            image = image,
        )
    };
    let base = "nginx:1.27-alpine-r";
    let unpadded = body(base).len();
    let pad = APP_BODY_LEN.saturating_sub(unpadded);
    body(&format!("{base}{}", "0".repeat(pad)))
}

/// The list of [`LIST_LEN`] apps (`app-00000` … `app-09999`) as one JSON array.
pub fn app_list_json() -> String {
    let mut out = String::with_capacity(LIST_LEN * (APP_BODY_LEN + 1) + 1);
    out.push('[');
    for index in 0..LIST_LEN {
        if index > 0 {
            out.push(',');
        }
        out.push_str(&app_json(index));
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_app_body_is_264_bytes() {
        for index in [0, 1, 42, 9_999, 99_999] {
            assert_eq!(app_json(index).len(), APP_BODY_LEN, "app {index}");
        }
    }

    #[test]
    fn an_app_body_decodes_as_a_zerokie_app() {
        let value: serde_json::Value = serde_json::from_str(&app_json(1)).unwrap();
        let fields: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "name",
                "status",
                "type",
                "image",
                "port",
                "url",
                "instances",
                "cpu",
                "memory",
                "created_at",
                "updated_at"
            ]
        );
        let app: zkit::zerokie::App = serde_json::from_value(value).unwrap();
        assert_eq!(app.name, "app-00001");
        assert_eq!(app.status.as_str(), "running");
        assert!(app.extra.is_empty(), "fields zkit does not model: {:?}", app.extra);
    }

    #[test]
    fn the_list_holds_distinct_apps() {
        let list: Vec<serde_json::Value> = serde_json::from_str(&app_list_json()).unwrap();
        assert_eq!(list.len(), LIST_LEN);
        assert_eq!(list[0]["name"], "app-00000");
        assert_eq!(list[LIST_LEN - 1]["name"], "app-09999");
        assert_eq!(app_list_json().len(), LIST_LEN * (APP_BODY_LEN + 1) + 1);
    }
}
