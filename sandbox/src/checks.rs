//! The checks the Zerokie, Zenifra and Zenovay emulations run on names, domains, file paths and
//! ids from requests, written from the docs and `docs/api-assumptions.md`. Each refusal is a 400
//! `{field}: {problem}`; an emulation with error codes adds its own.

use crate::body::field_error;
use crate::ApiError;

/// Refuses an empty or all-whitespace value.
pub(crate) fn not_blank(field: &str, value: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(field_error(field, "must not be empty"));
    }
    Ok(())
}

/// Whether `label` is a DNS label: 1 to 63 lowercase letters, digits and hyphens, with no hyphen at
/// either end.
fn is_dns_label(label: &str) -> bool {
    (1..=63).contains(&label.len())
        && label.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
}

/// A DNS label, such as a Zerokie app name, which becomes the app's subdomain.
pub(crate) fn dns_label(field: &str, value: &str) -> Result<(), ApiError> {
    not_blank(field, value)?;
    if !is_dns_label(value) {
        let problem = "must be 1 to 63 lowercase letters, digits or hyphens, not starting or ending with a hyphen";
        return Err(field_error(field, problem));
    }
    Ok(())
}

/// A domain name of at least two DNS labels, in any case and with an optional trailing dot; returns
/// it the way it is stored and compared: lowercase, without the dot.
pub(crate) fn domain_name(field: &str, value: &str) -> Result<String, ApiError> {
    not_blank(field, value)?;
    let domain = value.strip_suffix('.').unwrap_or(value).to_ascii_lowercase();
    let labels = domain.split('.').count();
    if labels < 2 || value.len() > 253 || !domain.split('.').all(is_dns_label) {
        return Err(field_error(field, &format!("'{value}' is not a valid domain name")));
    }
    Ok(domain)
}

/// A file path inside a storage zone: relative, `/`-separated, without empty, `.` or `..`
/// segments, so no path leaves the zone.
pub(crate) fn file_path(field: &str, value: &str) -> Result<(), ApiError> {
    not_blank(field, value)?;
    let problem = if value.starts_with('/') {
        Some("must be relative, not start with '/'")
    } else if value.contains('\\') {
        Some("must use '/' as separator, not '\\'")
    } else if value.chars().any(char::is_control) {
        Some("must not contain control characters")
    } else {
        value.split('/').find_map(|segment| match segment {
            "" => Some("must not contain empty segments ('//' or a trailing '/')"),
            "." | ".." => Some("must not contain '.' or '..' segments"),
            _ => None,
        })
    };
    problem.map_or(Ok(()), |problem| Err(field_error(field, problem)))
}

/// An environment variable name: not empty, without `=` or NUL, which would break `NAME=value`.
pub(crate) fn env_name(field: &str, name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.contains(['=', '\0']) {
        return Err(field_error(field, &format!("{name:?} is not a valid variable name")));
    }
    Ok(())
}

/// A UUID in its canonical form: 32 hexadecimal digits in groups of 8, 4, 4, 4 and 12, joined by
/// hyphens.
pub(crate) fn uuid(field: &str, value: &str) -> Result<(), ApiError> {
    let canonical = value.len() == 36
        && value.bytes().enumerate().all(|(i, byte)| match i {
            8 | 13 | 18 | 23 => byte == b'-',
            _ => byte.is_ascii_hexdigit(),
        });
    if !canonical {
        return Err(field_error(field, "must be a UUID such as 550e8400-e29b-41d4-a716-446655440000"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(result: Result<impl std::fmt::Debug, ApiError>) -> String {
        let response = axum::response::IntoResponse::into_response(result.expect_err("should be refused"));
        assert_eq!(response.status(), http::StatusCode::BAD_REQUEST);
        response.extensions().get::<crate::ErrorReport>().map(|report| report.message.clone()).unwrap_or_default()
    }

    #[test]
    fn labels_and_domains() {
        assert!(dns_label("name", "my-app-2").is_ok());
        assert_eq!(refusal(dns_label("name", " ")), "name: must not be empty");
        for bad in ["My-App", "-a", "a-", "a.b", &"a".repeat(64)] {
            assert!(refusal(dns_label("name", bad)).starts_with("name: must be 1 to 63"), "{bad}");
        }
        assert_eq!(domain_name("domain", "Docs.Example.COM.").unwrap(), "docs.example.com");
        for bad in ["com", "a..b", "exa mple.com", "www.exa_mple.com", "example.com.."] {
            assert_eq!(refusal(domain_name("domain", bad)), format!("domain: '{bad}' is not a valid domain name"));
        }
        assert_eq!(refusal(domain_name("domain", "")), "domain: must not be empty");
    }

    #[test]
    fn file_paths() {
        assert!(file_path("path", "assets/css/site v2.css").is_ok());
        for (bad, problem) in [
            ("", "must not be empty"),
            ("/etc/passwd", "must be relative, not start with '/'"),
            ("a\\b", "must use '/' as separator, not '\\'"),
            ("a\nb", "must not contain control characters"),
            ("a//b", "must not contain empty segments ('//' or a trailing '/')"),
            ("a/", "must not contain empty segments ('//' or a trailing '/')"),
            ("a/../b", "must not contain '.' or '..' segments"),
            ("./a", "must not contain '.' or '..' segments"),
        ] {
            assert_eq!(refusal(file_path("path", bad)), format!("path: {problem}"), "{bad:?}");
        }
    }

    #[test]
    fn env_names_and_uuids() {
        assert!(env_name("envs", "NODE_ENV").is_ok());
        assert_eq!(refusal(env_name("envs", "A=B")), "envs: \"A=B\" is not a valid variable name");
        assert!(env_name("envs", "").is_err() && env_name("envs", "A\0").is_err());
        assert!(uuid("id", "550e8400-e29b-41d4-A716-446655440000").is_ok());
        for bad in [
            "550e8400e29b41d4a716446655440000",
            "550e8400-e29b-41d4-a716-44665544000g",
            "550e8400-e29b-41d4-a716-4466554400001",
        ] {
            assert_eq!(refusal(uuid("id", bad)), "id: must be a UUID such as 550e8400-e29b-41d4-a716-446655440000");
        }
    }
}
