//! Walking a paged list lazily: each page is fetched when it is asked for. A walk starts at the
//! input's offset, moves on by the number of items each page holds, and ends at the list's total
//! or at an empty page. Two guards stop a walk that would never end: a page that does not start
//! where it was asked to (the server ignored the offset, so the walk would repeat itself), and a
//! cap on the number of pages.
//!
//! [`Pages`] walks a typed list operation; [`JsonPages`] walks one by name with JSON in and out, for
//! the language bindings. Both follow the same [`PageCursor`].

use std::collections::VecDeque;

use futures_util::stream::{self, Stream};
use serde_json::{Map, Value};

use crate::api::DynamicApi;
use crate::client::Client;
use crate::config::CallOptions;
use crate::error::{Error, Result};
use crate::exec::{BoxFuture, MaybeSend};
use crate::operation::Operation;
use crate::response::Response;

/// Where a page sits in its list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageInfo {
    /// The offset of the page's first item.
    pub offset: u64,
    /// How many items the page holds.
    pub count: u64,
    /// How many items the whole list holds.
    pub total: u64,
}

/// A page of a list operation's output.
pub trait Page {
    /// What the list holds.
    type Item;
    /// Where the page sits.
    fn info(&self) -> PageInfo;
    /// The page's items.
    fn into_items(self) -> Vec<Self::Item>;
}

/// The input of a list operation: it says where its page starts.
pub trait Paged: Operation<Output: Page> + Clone {
    /// The offset asked for (0 when unset).
    fn page_offset(&self) -> u64;
    /// Asks for the page starting at `offset`.
    fn set_page_offset(&mut self, offset: u64);
}

/// The state of a walk, and its guards. Pure: it is told what each page held.
#[derive(Clone, Debug)]
pub struct PageCursor {
    next: Option<u64>,
    pages: u32,
    max_pages: u32,
}

impl PageCursor {
    /// The cap on pages a walk fetches unless told otherwise.
    pub const DEFAULT_MAX_PAGES: u32 = 1000;

    /// A walk from `offset`.
    pub fn new(offset: u64) -> Self {
        Self { next: Some(offset), pages: 0, max_pages: Self::DEFAULT_MAX_PAGES }
    }

    /// Caps the walk at `max_pages` pages (at least one).
    pub fn with_max_pages(mut self, max_pages: u32) -> Self {
        self.max_pages = max_pages.max(1);
        self
    }

    /// The offset of the next page to fetch, `None` once the list is walked, or an error once the
    /// cap is reached with items left.
    pub fn next_offset(&self) -> Result<Option<u64>> {
        match self.next {
            Some(_) if self.pages >= self.max_pages => Err(Error::decode(format!(
                "the walk stopped after {} pages, its cap, with items left; raise max_pages to walk further",
                self.max_pages
            ))),
            next => Ok(next),
        }
    }

    /// Takes in the page fetched at `requested`.
    pub fn advance(&mut self, requested: u64, page: PageInfo) -> Result<()> {
        if page.offset != requested {
            self.next = None;
            return Err(Error::decode(format!(
                "asked for the page at offset {requested}, the server sent the one at {}: the walk would repeat itself",
                page.offset
            )));
        }
        self.pages += 1;
        let next = requested.saturating_add(page.count);
        self.next = (page.count > 0 && next < page.total).then_some(next);
        Ok(())
    }
}

/// A lazy walk over the pages of a typed list operation, from `zyra.pages(input)`.
///
/// ```no_run
/// # async fn run(zyra: zkit::Zyra) -> zkit::Result<()> {
/// use futures_util::TryStreamExt;
/// let devices: Vec<_> = zyra.pages(zkit::zyra::ListDevices::default().limit(200)).items().try_collect().await?;
/// # Ok(()) }
/// ```
pub struct Pages<O> {
    client: Client,
    input: O,
    options: CallOptions,
    cursor: PageCursor,
}

impl<O: Paged> Pages<O> {
    /// A walk from `input`'s offset, with (a clone of) `client`.
    pub fn new(client: Client, input: O) -> Self {
        let cursor = PageCursor::new(input.page_offset());
        Self { client, input, options: CallOptions::default(), cursor }
    }

    /// Caps the walk at `max_pages` pages (default [`PageCursor::DEFAULT_MAX_PAGES`]).
    pub fn max_pages(mut self, max_pages: u32) -> Self {
        self.cursor = self.cursor.with_max_pages(max_pages);
        self
    }

    /// Per-call options for every page.
    pub fn options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// Fetches the next page; `None` once the list is walked.
    pub async fn next_page(&mut self) -> Result<Option<O::Output>> {
        let Some(offset) = self.cursor.next_offset()? else { return Ok(None) };
        let mut input = self.input.clone();
        input.set_page_offset(offset);
        let page = self.client.call(input).options(self.options.clone()).send().await?;
        self.cursor.advance(offset, page.info())?;
        Ok(Some(page))
    }

    /// The pages as a stream, which ends after the first error.
    pub fn into_stream(self) -> impl Stream<Item = Result<O::Output>> {
        stream::unfold(Some(self), |pages| async move {
            let mut pages = pages?;
            match pages.next_page().await {
                Ok(Some(page)) => Some((Ok(page), Some(pages))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        })
    }

    /// The items of every page as one stream, which ends after the first error.
    pub fn items(self) -> impl Stream<Item = Result<<O::Output as Page>::Item>> {
        stream::unfold((Some(self), VecDeque::new()), |(mut pages, mut buffered)| async move {
            loop {
                if let Some(item) = buffered.pop_front() {
                    return Some((Ok(item), (pages, buffered)));
                }
                match pages.as_mut()?.next_page().await {
                    Ok(Some(page)) => buffered.extend(page.into_items()),
                    Ok(None) => return None,
                    Err(e) => return Some((Err(e), (None, buffered))),
                }
            }
        })
    }
}

/// An API called by operation name, as a walk needs it.
trait CallByName: MaybeSend {
    fn call_by_name(
        &self,
        operation: &str,
        input: Value,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<Response<Value>>>;
}

impl<A: DynamicApi> CallByName for A {
    fn call_by_name(
        &self,
        operation: &str,
        input: Value,
        options: CallOptions,
    ) -> BoxFuture<'_, Result<Response<Value>>> {
        self.call_dynamic(operation, input, options)
    }
}

/// A lazy walk over the pages of a list operation named at run time, with JSON in and out: the
/// one every language binding's iterators drive. Pages are the operation's JSON output, with
/// `items`, `offset` and `total`.
pub struct JsonPages {
    api: Box<dyn CallByName>,
    operation: String,
    input: Map<String, Value>,
    options: CallOptions,
    cursor: PageCursor,
}

impl JsonPages {
    /// A walk over `operation` of `api` from `input`'s `offset`; an operation that is not a paged
    /// list is refused.
    pub fn new<A: DynamicApi>(api: A, operation: &str, input: Value, options: CallOptions) -> Result<Self> {
        let spec = A::operations()
            .iter()
            .find(|spec| spec.name == operation)
            .ok_or_else(|| crate::client::unknown_operation(A::PROFILE.name, operation))?;
        if !spec.paged {
            return Err(Error::invalid_input("operation", format!("{operation} is not a paged list")));
        }
        let input = match input {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            _ => return Err(Error::invalid_input("input", "must be an object")),
        };
        let offset = match input.get("offset") {
            None | Some(Value::Null) => 0,
            Some(value) => value.as_u64().ok_or_else(|| Error::invalid_input("offset", "must be a whole number"))?,
        };
        Ok(Self {
            api: Box::new(api),
            operation: operation.to_owned(),
            input,
            options,
            cursor: PageCursor::new(offset),
        })
    }

    /// Caps the walk at `max_pages` pages (default [`PageCursor::DEFAULT_MAX_PAGES`]).
    pub fn max_pages(mut self, max_pages: u32) -> Self {
        self.cursor = self.cursor.with_max_pages(max_pages);
        self
    }

    /// Fetches the next page; `None` once the list is walked.
    pub async fn next_page(&mut self) -> Result<Option<Response<Value>>> {
        let Some(offset) = self.cursor.next_offset()? else { return Ok(None) };
        let mut input = self.input.clone();
        input.insert("offset".to_owned(), offset.into());
        let page = self.api.call_by_name(&self.operation, Value::Object(input), self.options.clone()).await?;
        self.cursor.advance(offset, json_page_info(&page.data)?)?;
        Ok(Some(page))
    }
}

/// Where a JSON page sits: its `offset`, the length of its `items` and its `total`.
fn json_page_info(page: &Value) -> Result<PageInfo> {
    let number = |field: &str| {
        page.get(field).and_then(Value::as_u64).ok_or_else(|| Error::decode(format!("page field {field}: missing")))
    };
    let count = page
        .get("items")
        .and_then(Value::as_array)
        .map(Vec::len)
        .ok_or_else(|| Error::decode("page field items: missing"))?;
    Ok(PageInfo { offset: number("offset")?, count: count as u64, total: number("total")? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(offset: u64, count: u64, total: u64) -> PageInfo {
        PageInfo { offset, count, total }
    }

    #[test]
    fn a_walk_moves_on_by_the_items_it_got_and_ends_at_the_total() {
        let mut cursor = PageCursor::new(0);
        assert_eq!(cursor.next_offset().unwrap(), Some(0));
        cursor.advance(0, info(0, 200, 520)).unwrap();
        assert_eq!(cursor.next_offset().unwrap(), Some(200));
        cursor.advance(200, info(200, 200, 520)).unwrap();
        cursor.advance(400, info(400, 120, 520)).unwrap();
        assert_eq!(cursor.next_offset().unwrap(), None);
    }

    #[test]
    fn an_empty_page_ends_the_walk_even_below_the_total() {
        let mut cursor = PageCursor::new(40);
        cursor.advance(40, info(40, 0, 90)).unwrap();
        assert_eq!(cursor.next_offset().unwrap(), None);
    }

    #[test]
    fn a_page_from_elsewhere_is_a_cycle_and_ends_the_walk() {
        let mut cursor = PageCursor::new(0);
        cursor.advance(0, info(0, 50, 500)).unwrap();
        let error = cursor.advance(50, info(0, 50, 500)).unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::Decode);
        assert!(error.message().contains("repeat"), "{error}");
        assert_eq!(cursor.next_offset().unwrap(), None);
    }

    #[test]
    fn the_page_cap_is_an_error_only_with_items_left() {
        let mut cursor = PageCursor::new(0).with_max_pages(2);
        cursor.advance(0, info(0, 10, 30)).unwrap();
        cursor.advance(10, info(10, 10, 30)).unwrap();
        let error = cursor.next_offset().unwrap_err();
        assert!(error.message().contains("after 2 pages"), "{error}");

        let mut exact = PageCursor::new(0).with_max_pages(2);
        exact.advance(0, info(0, 10, 20)).unwrap();
        exact.advance(10, info(10, 10, 20)).unwrap();
        assert_eq!(exact.next_offset().unwrap(), None);
    }

    #[test]
    fn json_pages_are_read_from_items_offset_and_total() {
        let page = serde_json::json!({"items": [1, 2, 3], "offset": 6, "total": 9, "limit": 3});
        assert_eq!(json_page_info(&page).unwrap(), info(6, 3, 9));
        let error = json_page_info(&serde_json::json!({"items": []})).unwrap_err();
        assert!(error.message().contains("offset"), "{error}");
    }
}
