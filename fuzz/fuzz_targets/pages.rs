//! The page cursor of the lazy walks, told any sequence of pages (right or wrong offsets, any counts
//! and totals): it never panics, never asks for the same offset twice or goes back, and ends within its
//! page cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zkit::pages::{PageCursor, PageInfo};

fuzz_target!(|data: &[u8]| {
    let [start, cap, pages @ ..] = data else { return };
    let max_pages = u32::from(*cap % 16) + 1;
    let mut cursor = PageCursor::new(u64::from(*start)).with_max_pages(max_pages);
    let mut asked = Vec::new();
    for page in pages.chunks_exact(4) {
        let Ok(Some(requested)) = cursor.next_offset() else { break };
        assert!(asked.last().is_none_or(|&last| requested > last), "the walk went back: {asked:?} then {requested}");
        asked.push(requested);
        // The server answers at the offset asked for, unless the first byte says otherwise.
        let offset = if page[0] & 0x80 == 0 { requested } else { u64::from(page[0] & 0x7f) };
        let info = PageInfo { offset, count: u64::from(page[1]), total: u64::from(u16::from_be_bytes([page[2], page[3]])) };
        let _ = cursor.advance(requested, info);
    }
    assert!(asked.len() <= max_pages as usize, "{} pages past a cap of {max_pages}", asked.len());
});
