//! What a static-site deploy will change, decided from the local files, the remote listing and the
//! manifest the previous deploy left (pure: no I/O).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::site::{Ignore, LocalFile, MANIFEST_PATH};
use super::FileEntry;

/// The manifest a deploy leaves beside the site (`.zkit-manifest.json`): each file's length and,
/// when it was known, its SHA-256.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// The manifest's format.
    pub(crate) version: u32,
    /// By site path.
    pub(crate) files: BTreeMap<String, ManifestEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct ManifestEntry {
    pub(crate) length: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) sha256: Option<String>,
}

impl Manifest {
    /// Reads a manifest; anything else (an older format, a file someone else wrote) reads as none,
    /// which only means every file of the same length is uploaded again.
    pub(crate) fn parse(body: &[u8]) -> Option<Self> {
        serde_json::from_slice::<Self>(body).ok().filter(|manifest| manifest.version == 1)
    }
}

/// What a deploy does: uploads (in path order), deletions, and what it leaves alone.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Plan {
    /// Indexes into the local files, of those to upload.
    pub(crate) upload: Vec<usize>,
    /// Remote paths to delete.
    pub(crate) delete: Vec<String>,
    /// Local paths whose remote copy is the same.
    pub(crate) unchanged: Vec<String>,
    /// The manifest after the deploy; `None` when the one on the site already says it.
    pub(crate) manifest: Option<Manifest>,
}

/// Decides the deploy. A local file is uploaded when the site lacks it, holds it at another length,
/// or (with `compare_content`) when the previous manifest does not vouch for the same hash at that
/// length. Remote files that are gone locally are deleted when `delete_removed`, except ignored
/// paths, which a deploy never touches.
pub(crate) fn plan(
    local: &[LocalFile],
    remote: &[FileEntry],
    previous: Option<&Manifest>,
    compare_content: bool,
    delete_removed: bool,
    ignore: &Ignore,
) -> Plan {
    let remote_lengths: HashMap<&str, u64> = remote.iter().map(|f| (f.path.as_str(), f.length)).collect();
    let vouched = |path: &str, length: u64| previous.and_then(|m| m.files.get(path)).filter(|e| e.length == length);
    let mut plan = Plan::default();
    let mut manifest = Manifest { version: 1, files: BTreeMap::new() };
    for (index, file) in local.iter().enumerate() {
        let same_length = remote_lengths.get(file.path.as_str()) == Some(&file.length);
        let previous_hash = vouched(&file.path, file.length).and_then(|entry| entry.sha256.clone());
        let unchanged =
            same_length && if compare_content { previous_hash.is_some() && previous_hash == file.sha256 } else { true };
        let sha256 = if unchanged { file.sha256.clone().or(previous_hash) } else { file.sha256.clone() };
        manifest.files.insert(file.path.clone(), ManifestEntry { length: file.length, sha256 });
        if unchanged {
            plan.unchanged.push(file.path.clone());
        } else {
            plan.upload.push(index);
        }
    }
    if delete_removed {
        let local_paths: std::collections::HashSet<&str> = local.iter().map(|f| f.path.as_str()).collect();
        plan.delete = remote
            .iter()
            .map(|f| f.path.clone())
            .filter(|path| !local_paths.contains(path.as_str()) && !ignore.matches(path))
            .collect();
    } else {
        // Files kept on the site stay in the manifest, so it keeps describing the whole site.
        for file in remote {
            if !manifest.files.contains_key(&file.path) && !ignore.matches(&file.path) {
                let sha256 = vouched(&file.path, file.length).and_then(|entry| entry.sha256.clone());
                manifest.files.insert(file.path.clone(), ManifestEntry { length: file.length, sha256 });
            }
        }
    }
    let manifest_on_site = remote.iter().any(|f| f.path == MANIFEST_PATH);
    if !(manifest_on_site && previous == Some(&manifest)) {
        plan.manifest = Some(manifest);
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn local(path: &str, length: u64, sha: &str) -> LocalFile {
        LocalFile { path: path.into(), length, content: Bytes::new(), file: None, sha256: Some(sha.into()) }
    }

    fn remote(path: &str, length: u64) -> FileEntry {
        FileEntry { path: path.into(), length, last_modified: String::new(), extra: Default::default() }
    }

    fn manifest_of(files: &[LocalFile]) -> Manifest {
        let entry = |f: &LocalFile| ManifestEntry { length: f.length, sha256: f.sha256.clone() };
        Manifest { version: 1, files: files.iter().map(|f| (f.path.clone(), entry(f))).collect() }
    }

    #[test]
    fn a_site_that_matches_its_manifest_changes_nothing() {
        let files = vec![local("a.html", 3, "aa"), local("b/c.css", 5, "bb")];
        let mut site = vec![remote("a.html", 3), remote("b/c.css", 5), remote(MANIFEST_PATH, 100)];
        let previous = manifest_of(&files);
        let plan = plan(&files, &site, Some(&previous), true, true, &Ignore::default());
        assert_eq!((plan.upload.len(), plan.delete.len(), plan.manifest), (0, 0, None));
        // Without the manifest on the site, the same lengths do not vouch for the content.
        site.pop();
        let blind = super::plan(&files, &site, None, true, true, &Ignore::default());
        assert_eq!((blind.upload, blind.manifest.map(|m| m.files.len())), (vec![0, 1], Some(2)));
        // Unless the caller compares lengths only.
        let lengths = super::plan(&files, &site, None, false, true, &Ignore::default());
        assert!(lengths.upload.is_empty());
    }

    #[test]
    fn changes_additions_and_removals_are_found() {
        let before = vec![local("a.html", 3, "aa"), local("gone.txt", 1, "cc"), local("same.css", 5, "bb")];
        let site = [remote("a.html", 3), remote("gone.txt", 1), remote("same.css", 5), remote(".git/x", 1)];
        let now = vec![local("a.html", 3, "a2"), local("new.js", 9, "dd"), local("same.css", 5, "bb")];
        let plan = plan(&now, &site, Some(&manifest_of(&before)), true, true, &Ignore::default());
        assert_eq!(plan.upload, vec![0, 1]);
        assert_eq!(plan.delete, vec!["gone.txt".to_owned()]);
        assert_eq!(plan.unchanged, vec!["same.css".to_owned()]);
        assert_eq!(plan.manifest.unwrap(), manifest_of(&now));
        let kept = super::plan(&now, &site, Some(&manifest_of(&before)), true, false, &Ignore::default());
        assert!(kept.delete.is_empty());
        assert!(kept.manifest.unwrap().files.contains_key("gone.txt"));
    }

    #[test]
    fn a_manifest_entry_of_another_length_vouches_for_nothing() {
        let files = vec![local("a.html", 4, "aa")];
        let stale = Manifest {
            version: 1,
            files: [("a.html".to_owned(), ManifestEntry { length: 3, sha256: Some("aa".into()) })].into(),
        };
        let plan = plan(&files, &[remote("a.html", 4)], Some(&stale), true, true, &Ignore::default());
        assert_eq!(plan.upload, vec![0]);
        assert_eq!(Manifest::parse(br#"{"version": 2, "files": {}}"#), None);
        assert_eq!(Manifest::parse(b"<html>"), None);
    }
}
