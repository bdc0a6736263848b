//! The local side of a static-site deploy: the files to publish, from a folder (native) or given one
//! by one (any platform), with the paths they take on the site, the ignore rules and content hashes.

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::validate;

/// The manifest a deploy uploads beside the site: the path, length and SHA-256 of every file, so
/// the next deploy uploads only what changed. It is served with the site, so it holds nothing else.
pub const MANIFEST_PATH: &str = ".zkit-manifest.json";

/// Paths every deploy leaves out, on top of the caller's globs.
const ALWAYS_IGNORED: &[&str] = &[".git", ".DS_Store", MANIFEST_PATH];

/// What a deploy publishes: a folder on disk, or files given one by one.
#[derive(Clone, Debug, PartialEq)]
pub enum SiteSource {
    /// Every file under a folder, at its path relative to it (native platforms only).
    Directory(std::path::PathBuf),
    /// Files with the paths they take on the site.
    Files(Vec<SiteFile>),
}

impl From<&str> for SiteSource {
    fn from(dir: &str) -> Self {
        Self::Directory(dir.into())
    }
}

impl From<String> for SiteSource {
    fn from(dir: String) -> Self {
        Self::Directory(dir.into())
    }
}

impl From<std::path::PathBuf> for SiteSource {
    fn from(dir: std::path::PathBuf) -> Self {
        Self::Directory(dir)
    }
}

impl From<&std::path::Path> for SiteSource {
    fn from(dir: &std::path::Path) -> Self {
        Self::Directory(dir.to_owned())
    }
}

impl From<Vec<SiteFile>> for SiteSource {
    fn from(files: Vec<SiteFile>) -> Self {
        Self::Files(files)
    }
}

/// One file of a site: its path on the site and its bytes, in memory or in a file on disk.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteFile {
    /// Its path on the site, such as `assets/site.css`.
    pub path: String,
    /// Its bytes (or leave them empty and give `file`).
    #[serde(default, with = "crate::model::content")]
    pub content: Bytes,
    /// A file on disk holding its bytes, streamed when it is uploaded.
    #[serde(default)]
    pub file: Option<String>,
    /// The SHA-256 of its bytes (lowercase hex), when the caller knows it; computed otherwise.
    #[serde(default)]
    pub sha256: Option<String>,
}

impl SiteFile {
    /// A file whose bytes are in memory.
    pub fn bytes(path: impl Into<String>, content: impl Into<Bytes>) -> Self {
        Self { path: path.into(), content: content.into(), ..Self::default() }
    }

    /// A file whose bytes stay on disk until they are sent.
    pub fn file(path: impl Into<String>, file: impl Into<String>) -> Self {
        Self { path: path.into(), file: Some(file.into()), ..Self::default() }
    }
}

/// A site file checked and measured: where it goes, how long it is, and (once known) its hash.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LocalFile {
    pub(crate) path: String,
    pub(crate) length: u64,
    pub(crate) content: Bytes,
    pub(crate) file: Option<String>,
    pub(crate) sha256: Option<String>,
}

/// Which paths a deploy leaves out: `.git/`, `.DS_Store`, the manifest, and the caller's globs. A
/// glob with a `/` is matched against the whole path; one without, against every segment too, so
/// `*.map` leaves out `js/app.js.map`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Ignore {
    globs: Vec<String>,
}

impl Ignore {
    pub(crate) fn new(globs: &[String]) -> Result<Self> {
        for glob in globs {
            if glob.trim().is_empty() {
                return Err(Error::invalid_input("ignore", "a glob must not be empty"));
            }
        }
        Ok(Self { globs: globs.iter().map(|g| g.trim_end_matches('/').to_owned()).collect() })
    }

    pub(crate) fn matches(&self, path: &str) -> bool {
        let segments = || path.split('/');
        if segments().any(|segment| ALWAYS_IGNORED.contains(&segment)) {
            return true;
        }
        self.globs.iter().any(|glob| {
            glob_match::glob_match(glob, path)
                || (!glob.contains('/') && segments().any(|segment| glob_match::glob_match(glob, segment)))
        })
    }
}

/// Checks the given files: valid, distinct site paths; bytes or a file, not both. Returns those to
/// publish and the paths left out by `ignore`.
pub(crate) fn given_files(files: Vec<SiteFile>, ignore: &Ignore) -> Result<(Vec<LocalFile>, Vec<String>)> {
    let mut local = Vec::with_capacity(files.len());
    let mut ignored = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for file in files {
        check_path(&file.path)?;
        if !seen.insert(file.path.clone()) {
            return Err(Error::invalid_input("path", format!("{:?} is given twice", file.path)));
        }
        if ignore.matches(&file.path) {
            ignored.push(file.path);
            continue;
        }
        let length = match &file.file {
            Some(on_disk) if !file.content.is_empty() => {
                return Err(Error::invalid_input("file", format!("{on_disk}: give content or file, not both")))
            }
            Some(on_disk) => crate::operation::file_body("file", on_disk)?.len(),
            None => file.content.len() as u64,
        };
        if let Some(hash) = &file.sha256 {
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(Error::invalid_input("sha256", format!("{}: must be 64 hex digits", file.path)));
            }
        }
        let sha256 = file.sha256.map(|hash| hash.to_ascii_lowercase());
        local.push(LocalFile { path: file.path, length, content: file.content, file: file.file, sha256 });
    }
    local.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((local, ignored))
}

/// A site path as the core checks every file path, naming the path in the error.
fn check_path(path: &str) -> Result<()> {
    validate::file_path("path", path)
        .map_err(|error| Error::invalid_input("path", format!("{path:?}: {}", error.message())))
}

/// Every file under `root` with its forward-slash path relative to it. Symbolic links are followed
/// while they stay inside the folder; one that leads outside is refused, as is a name that is not
/// UTF-8.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn folder_files(root: &std::path::Path, ignore: &Ignore) -> Result<(Vec<LocalFile>, Vec<String>)> {
    let source_error = |message: String| Error::invalid_input("source", message);
    let canonical_root = std::fs::canonicalize(root).map_err(|e| source_error(format!("{}: {e}", root.display())))?;
    if !canonical_root.is_dir() {
        return Err(source_error(format!("{} is not a folder", root.display())));
    }
    let mut files = Vec::new();
    let mut ignored = Vec::new();
    let walk = walkdir::WalkDir::new(&canonical_root).follow_links(true).sort_by_file_name().min_depth(1);
    let mut entries = walk.into_iter();
    while let Some(entry) = entries.next() {
        let entry = entry.map_err(|e| source_error(format!("{}: {e}", root.display())))?;
        let relative = entry.path().strip_prefix(&canonical_root).unwrap_or(entry.path());
        let segments: Option<Vec<&str>> = relative.iter().map(|s| s.to_str()).collect();
        let Some(segments) = segments else {
            return Err(source_error(format!("{} is not a UTF-8 name", relative.display())));
        };
        let path = segments.join("/");
        if entry.path_is_symlink() {
            let target = std::fs::canonicalize(entry.path()).map_err(|e| source_error(format!("{path}: {e}")))?;
            if !target.starts_with(&canonical_root) {
                return Err(source_error(format!("{path} is a symbolic link that leads outside the folder")));
            }
        }
        if ignore.matches(&path) {
            if entry.file_type().is_dir() {
                entries.skip_current_dir();
            }
            ignored.push(path);
            continue;
        }
        if entry.file_type().is_dir() {
            continue;
        }
        check_path(&path)?;
        let length = entry.metadata().map_err(|e| source_error(format!("{path}: {e}")))?.len();
        let file = Some(entry.path().to_string_lossy().into_owned());
        files.push(LocalFile { path, length, content: Bytes::new(), file, sha256: None });
    }
    Ok((files, ignored))
}

/// The lowercase hex SHA-256 of a file's bytes; a file on disk is read in chunks, off the async
/// threads on native platforms.
pub(crate) async fn hash(file: &LocalFile) -> Result<String> {
    let Some(on_disk) = file.file.clone() else {
        return Ok(hex(&Sha256::digest(&file.content)));
    };
    #[cfg(all(feature = "native", not(target_arch = "wasm32")))]
    {
        tokio::task::spawn_blocking(move || hash_on_disk(&on_disk))
            .await
            .map_err(|e| Error::invalid_input("file", format!("hashing was interrupted: {e}")))?
    }
    #[cfg(not(all(feature = "native", not(target_arch = "wasm32"))))]
    {
        #[cfg(not(target_arch = "wasm32"))]
        return hash_on_disk(&on_disk);
        #[cfg(target_arch = "wasm32")]
        return crate::exec::wasm::file_sha256(&on_disk)
            .await
            .map_err(|e| Error::invalid_input("file", format!("{on_disk}: {e}")));
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn hash_on_disk(path: &str) -> Result<String> {
    use std::io::Read;
    let read_error = |e: std::io::Error| Error::invalid_input("file", format!("{path}: {e}"));
    let mut reader = std::fs::File::open(path).map_err(read_error)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 256 * 1024];
    loop {
        let read = reader.read(&mut buffer).map_err(read_error)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_rules_match_segments_and_paths() {
        let ignore = Ignore::new(&["*.map".into(), "drafts/**".into()]).unwrap();
        for path in [".git/HEAD", "a/.DS_Store", MANIFEST_PATH, "js/app.js.map", "drafts/x/y.html"] {
            assert!(ignore.matches(path), "{path} should be ignored");
        }
        for path in ["index.html", "js/app.js", "gitlab/x", "notdrafts/a.html"] {
            assert!(!ignore.matches(path), "{path} should be kept");
        }
        assert_eq!(Ignore::new(&[" ".into()]).unwrap_err().field(), Some("ignore"));
    }

    #[test]
    fn given_files_are_checked_before_anything_is_sent() {
        let ignore = Ignore::default();
        let twice = vec![SiteFile::bytes("a.html", "1"), SiteFile::bytes("a.html", "2")];
        assert!(given_files(twice, &ignore).unwrap_err().message().contains("given twice"));
        let bad = vec![SiteFile::bytes("../a.html", "1")];
        let error = given_files(bad, &ignore).unwrap_err();
        assert_eq!(error.field(), Some("path"));
        assert!(error.message().contains("../a.html"));
        let missing = vec![SiteFile::file("a.html", "/no/such/file")];
        assert_eq!(given_files(missing, &ignore).unwrap_err().field(), Some("file"));
        let (files, ignored) =
            given_files(vec![SiteFile::bytes("b.css", "x"), SiteFile::bytes(".git/config", "")], &ignore).unwrap();
        assert_eq!((files.len(), files[0].length, ignored), (1, 1, vec![".git/config".to_owned()]));
    }
}
