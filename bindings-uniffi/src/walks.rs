//! The Kotlin side of the walk objects: for each paged list's walk (`ListDevicesPages`), a `pages()`
//! and an `items()` extension that turn it into a cold `Flow`. They are written from the operation
//! tables like everything else (`scripts/build-mobile` runs `uniffi-bindgen kotlin-walks` into
//! `dev/zkit/Walks.kt`), so a new paged list needs no hand-written Kotlin.

use std::fmt::Write;

/// A walk object and what it yields, by the names the foreign code knows them by.
#[derive(Clone, Copy)]
pub struct Walk {
    object: &'static str,
    page: &'static str,
    item: &'static str,
}

impl Walk {
    /// The walk object `object`, whose `next_page` answers `P`.
    pub(crate) fn of<P: zkit::Page>(object: &'static str) -> Self {
        Self { object, page: foreign_name::<P>(), item: foreign_name::<P::Item>() }
    }
}

/// A record's foreign name: uniffi keeps the Rust type's own name.
fn foreign_name<T>() -> &'static str {
    let path = std::any::type_name::<T>();
    path.rsplit("::").next().unwrap_or(path)
}

/// Every API's walks.
fn all() -> Vec<Walk> {
    [crate::Zerokie::walks(), crate::Zenifra::walks(), crate::Zenovay::walks(), crate::Zyra::walks()].concat()
}

/// The source of `dev/zkit/Walks.kt`.
pub fn kotlin() -> String {
    let mut out = String::from(
        "// Written by scripts/build-mobile (`uniffi-bindgen kotlin-walks`) from the operation tables: do not edit.\n\
         package dev.zkit\n\n\
         import dev.zkit.model.*\n\
         import kotlinx.coroutines.flow.Flow\n",
    );
    for Walk { object, page, item } in all() {
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            "\n/** The pages of the walk as a cold [Flow]: each page is fetched when the collector reaches it. */\n\
             fun {object}.pages(): Flow<{page}> = pageFlow(this::nextPage)\n\n\
             /** The items of every page of the walk as a cold [Flow], fetched a page at a time. */\n\
             fun {object}.items(): Flow<{item}> = itemFlow(this::nextPage) {{ it.items }}\n"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_paged_list_has_a_walk_named_by_plain_identifiers() {
        let walks = all();
        assert!(walks.iter().any(|w| w.object == "ListDevicesPages" && w.page == "DevicePage" && w.item == "Device"));
        for walk in &walks {
            for name in [walk.object, walk.page, walk.item] {
                assert!(name.chars().all(|c| c.is_ascii_alphanumeric()), "{name} is not a plain type name");
            }
        }
        let source = kotlin();
        assert_eq!(source.matches(".items(): Flow<").count(), walks.len());
    }
}
