//! Input checks that run before anything is sent. Each names the field it refuses.

use crate::error::{Error, Result};

/// Refuses a value that would break or smuggle a header: CR, LF or NUL.
pub fn header_value(field: &str, value: &str) -> Result<()> {
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(Error::invalid_input(field, "must not contain CR, LF or NUL"));
    }
    Ok(())
}

/// Refuses an empty string.
pub fn non_empty(field: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    Ok(())
}

/// Checks a base URL: http or https, no credentials, query or fragment. Returns it without a
/// trailing slash.
pub fn base_url(url: &str) -> Result<String> {
    let field = "base_url";
    let rest = after_http_scheme(field, url)?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(Error::invalid_input(field, "has no host"));
    }
    if host.contains('@') {
        return Err(Error::invalid_input(field, "must not carry credentials; pass the key as api_key"));
    }
    if url.contains(['?', '#']) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_input(field, "must not contain a query, a fragment or whitespace"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// What follows `http://` or `https://` in `url`; an error naming `field` for any other scheme.
fn after_http_scheme<'a>(field: &str, url: &'a str) -> Result<&'a str> {
    url.strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| Error::invalid_input(field, "must start with http:// or https://"))
}

/// A proxy's URL: `http://` or `https://`, a host, and nothing that is not part of a URL.
pub fn proxy_url(url: &str) -> Result<()> {
    let field = "proxy";
    let rest = after_http_scheme(field, url)?;
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.rsplit('@').next().unwrap_or_default().is_empty() {
        return Err(Error::invalid_input(field, "has no host"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid_input(field, "must not contain whitespace"));
    }
    Ok(())
}

/// A DNS label: 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen.
pub fn dns_label(field: &str, value: &str) -> Result<()> {
    non_empty(field, value)?;
    let ok_chars = value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if value.len() > 63 || !ok_chars || value.starts_with('-') || value.ends_with('-') {
        return Err(Error::invalid_input(
            field,
            "must be 1 to 63 lowercase letters, digits or hyphens, not starting or ending with a hyphen",
        ));
    }
    Ok(())
}

/// A relative file path inside a storage zone: `/`-separated, no empty, `.` or `..` segments, no
/// leading slash, no backslash.
pub fn file_path(field: &str, value: &str) -> Result<()> {
    non_empty(field, value)?;
    if value.starts_with('/') {
        return Err(Error::invalid_input(field, "must be relative, not start with '/'"));
    }
    if value.contains('\\') {
        return Err(Error::invalid_input(field, "must use '/' as separator, not '\\'"));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_input(field, "must not contain control characters"));
    }
    for segment in value.split('/') {
        match segment {
            "" => return Err(Error::invalid_input(field, "must not contain empty segments ('//' or a trailing '/')")),
            "." | ".." => return Err(Error::invalid_input(field, "must not contain '.' or '..' segments")),
            _ => {}
        }
    }
    Ok(())
}

/// A domain name such as `example.com`: at least two valid DNS labels (any case, an optional
/// trailing dot). Returns its labels, lowercased.
pub fn domain_name(field: &str, value: &str) -> Result<Vec<String>> {
    non_empty(field, value)?;
    let domain = value.strip_suffix('.').unwrap_or(value).to_ascii_lowercase();
    let labels: Vec<String> = domain.split('.').map(str::to_owned).collect();
    if labels.len() < 2 || value.len() > 253 || labels.iter().any(|label| dns_label(field, label).is_err()) {
        return Err(Error::invalid_input(field, format!("'{value}' is not a valid domain name")));
    }
    Ok(labels)
}

/// A subdomain such as `www.example.com`: at least three valid DNS labels. Apex domains (two labels)
/// are refused.
pub fn subdomain(field: &str, value: &str) -> Result<()> {
    let labels = domain_name(field, value)?;
    if labels.len() < 3 {
        let domain = labels.join(".");
        return Err(Error::invalid_input(
            field,
            format!("apex domains are not supported; use a subdomain such as www.{domain}"),
        ));
    }
    Ok(())
}

/// Environment variable names: not empty, without `=` or NUL.
pub fn env_names<'a>(field: &str, names: impl IntoIterator<Item = &'a String>) -> Result<()> {
    for name in names {
        if name.is_empty() || name.contains('=') || name.contains('\0') {
            return Err(Error::invalid_input(field, format!("{name:?} is not a valid variable name")));
        }
    }
    Ok(())
}

/// A calendar date `YYYY-MM-DD`.
pub fn date(field: &str, value: &str) -> Result<()> {
    let parts: Vec<&str> = value.split('-').collect();
    let shaped =
        parts.iter().map(|p| p.len()).eq([4, 2, 2]) && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    let number = |i: usize| parts.get(i).and_then(|p| p.parse::<u32>().ok()).unwrap_or(0);
    if !shaped || !(1..=12).contains(&number(1)) || !(1..=31).contains(&number(2)) {
        return Err(Error::invalid_input(field, "must be a date such as 2026-12-02"));
    }
    Ok(())
}

/// A number within `range`.
pub fn in_range(field: &str, value: u32, range: std::ops::RangeInclusive<u32>) -> Result<()> {
    if !range.contains(&value) {
        return Err(Error::invalid_input(field, format!("must be between {} and {}", range.start(), range.end())));
    }
    Ok(())
}

/// A UUID in its canonical 8-4-4-4-12 hexadecimal form.
pub fn uuid(field: &str, value: &str) -> Result<()> {
    let groups: Vec<&str> = value.split('-').collect();
    let lengths_ok = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]);
    if !lengths_ok || !groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(Error::invalid_input(field, "must be a UUID such as 550e8400-e29b-41d4-a716-446655440000"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn refused(result: Result<()>, field: &str) {
        let err = result.expect_err("should be refused");
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(err.field(), Some(field));
    }

    #[test]
    fn file_paths() {
        assert!(file_path("path", "index.html").is_ok());
        assert!(file_path("path", "assets/css/site v2.css").is_ok());
        for bad in ["", "/etc/passwd", "a/../b", "..", "./a", "a//b", "a/", "a\\b", "a\nb"] {
            refused(file_path("path", bad), "path");
        }
    }

    #[test]
    fn domains() {
        assert!(subdomain("domain", "www.example.com").is_ok());
        assert!(subdomain("domain", "docs.my-site.example.org.").is_ok());
        for bad in ["example.com", "com", "", "www..example.com", "www.exa_mple.com", "-a.example.com"] {
            refused(subdomain("domain", bad), "domain");
        }
        assert_eq!(domain_name("domain", "Example.COM.").unwrap(), ["example", "com"]);
        for bad in ["com", "", "a..b", "exa mple.com"] {
            refused(domain_name("domain", bad).map(drop), "domain");
        }
    }

    #[test]
    fn dates_ranges_and_env_names() {
        assert!(date("from", "2026-12-02").is_ok());
        for bad in ["2026-13-01", "2026-1-01", "26-12-02", "2026-12-32", "today", "2026-12-0x"] {
            refused(date("from", bad), "from");
        }
        assert!(in_range("limit", 200, 1..=200).is_ok());
        refused(in_range("limit", 201, 1..=200), "limit");
        refused(in_range("limit", 0, 1..=200), "limit");
        assert!(env_names("envs", &["NODE_ENV".to_owned()]).is_ok());
        refused(env_names("envs", &["A=B".to_owned()]), "envs");
        refused(env_names("envs", &[String::new()]), "envs");
    }

    #[test]
    fn labels_uuids_headers_and_urls() {
        assert!(dns_label("name", "my-app-2").is_ok());
        for bad in ["", "My-App", "-a", "a-", "a.b", &"a".repeat(64)] {
            refused(dns_label("name", bad), "name");
        }
        assert!(uuid("id", "550e8400-e29b-41d4-a716-446655440000").is_ok());
        refused(uuid("id", "550e8400e29b41d4a716446655440000"), "id");
        refused(uuid("id", "550e8400-e29b-41d4-a716-44665544000g"), "id");
        refused(header_value("api_key", "abc\r\nX-Evil: 1"), "api_key");
        assert_eq!(base_url("http://127.0.0.1:8080/zerokie/").unwrap(), "http://127.0.0.1:8080/zerokie");
        refused(base_url("ftp://x").map(drop), "base_url");
        refused(base_url("https://user:pw@host").map(drop), "base_url");
        refused(base_url("https://host/?key=1").map(drop), "base_url");
    }
}
