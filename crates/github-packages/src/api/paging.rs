//! Pages of a listing and GitHub's `Link` header.

use std::collections::BTreeSet;
use std::future::Future;
use std::ops::RangeInclusive;
use std::sync::Arc;

use futures::stream::BoxStream;
use futures::{Stream, StreamExt, TryStreamExt, stream};
use reqwest::header::{HeaderMap, LINK};

use crate::error::Error;
use crate::http::pipeline::Pipeline;

/// The largest page GitHub serves; streams ask for it to save requests.
pub(crate) const MAX_PER_PAGE: u32 = 100;

/// How many items a listing asks for per page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PerPage {
    /// Whatever GitHub defaults to (30).
    Default,
    /// As many as GitHub serves, where the operation lets us ask (streams).
    Max,
    /// Exactly this many (the caller asked).
    Exactly(u32),
}

/// One page of a listing, with GitHub's links to its neighbours.
///
/// ```no_run
/// # async fn example(app: github_packages::PackageRef) -> github_packages::Result<()> {
/// let page = app.versions().per_page(100).await?;
/// println!("{} versions on the first page; more: {}", page.items.len(), page.has_next());
/// if let Some(last) = &page.links.last {
///     println!("the last page is {last}");
/// }
/// for version in page {
///     println!("{}", version.name());
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Page<T> {
    /// The page's items, in GitHub's order.
    pub items: Vec<T>,
    /// The `Link` header's targets.
    pub links: Links,
    /// The operationId that produced the page, for errors about its links.
    pub(crate) operation: &'static str,
}

impl<T> Page<T> {
    /// Whether GitHub says there is a next page.
    pub fn has_next(&self) -> bool {
        self.links.next.is_some()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// The targets of GitHub's `Link` header, by relation, as GitHub sent them
/// (a stream follows `next` only on the configured origin).
///
/// ```no_run
/// # async fn example(app: github_packages::PackageRef) -> github_packages::Result<()> {
/// let links = app.versions().await?.links;
/// for (relation, url) in [("next", &links.next), ("last", &links.last)] {
///     println!("{relation}: {url:?}");
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Links {
    /// `rel="next"`.
    pub next: Option<String>,
    /// `rel="prev"`.
    pub prev: Option<String>,
    /// `rel="first"`.
    pub first: Option<String>,
    /// `rel="last"`.
    pub last: Option<String>,
}

impl Links {
    /// Reads every `Link` header of an answer (GitHub's API, or a registry's
    /// tag list); unknown relations are ignored. `None` when a `Link` header
    /// is not valid text: whether there is a next page cannot be told.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let mut links = Self::default();
        for value in headers.get_all(LINK) {
            let value = value.to_str().ok()?;
            for (target, relations) in parse_link_header(value) {
                for relation in relations.split_ascii_whitespace() {
                    let slot = match relation.to_ascii_lowercase().as_str() {
                        "next" => &mut links.next,
                        "prev" | "previous" => &mut links.prev,
                        "first" => &mut links.first,
                        "last" => &mut links.last,
                        _ => continue,
                    };
                    slot.get_or_insert_with(|| target.to_owned());
                }
            }
        }
        Some(links)
    }
}

/// `<url>; rel="a b", <url>; rel=c` → `[(url, "a b"), (url, "c")]`.
///
/// URLs may contain commas and semicolons, so the header is read by its
/// angle brackets rather than split on commas.
fn parse_link_header(value: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>').map(|c| open + c) else {
            break;
        };
        let target = &rest[open + 1..close];
        let params_end = rest[close..].find('<').map_or(rest.len(), |n| close + n);
        let params = &rest[close + 1..params_end];
        let relation = params.split(';').find_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("rel")
                .then(|| value.trim().trim_end_matches(',').trim().trim_matches('"'))
        });
        if let Some(relation) = relation {
            found.push((target, relation));
        }
        rest = &rest[params_end..];
    }
    found
}

/// The page number a `next` link asks for, after checking that following
/// it keeps the token on the API's origin. The link is server text, so
/// errors show it scrubbed.
pub(crate) fn next_page_number(
    pipeline: &Pipeline,
    operation: &'static str,
    link: &str,
) -> Result<u32, Error> {
    let scrub = pipeline.scrub_token();
    let shown = || scrub.text(link);
    let target = pipeline.base().join(link).map_err(|e| Error::Paging {
        operation,
        message: format!("the next-page link {} cannot be read ({e})", shown()),
    })?;
    if !pipeline.is_same_origin(&target) {
        return Err(Error::CrossOriginLink {
            operation,
            link: shown(),
            base: pipeline.base_url().to_owned(),
        });
    }
    target
        .query_pairs()
        .find(|(name, _)| name == "page")
        .and_then(|(_, value)| value.parse::<u32>().ok())
        .filter(|page| *page >= 1)
        .ok_or_else(|| Error::Paging {
            operation,
            message: format!(
                "the next-page link {} has no page number to request",
                shown()
            ),
        })
}

/// How many pages a stream fetches at once by default, once GitHub's
/// `rel="last"` link says how many there are.
pub const DEFAULT_PAGES_AT_ONCE: usize = 4;

/// Every item of a listing, fetching pages as the stream is consumed.
///
/// `fetch(None)` gets the first page, `fetch(Some(n))` page `n`. When the
/// first page's `last` link names a page on the API's origin, the pages up
/// to it are fetched up to `at_once` at a time (ordered: items come in
/// GitHub's order, and at most `at_once` pages are held); otherwise, and
/// after the last page if it links on, page after page by `next`.
///
/// Paging stops at the first page without a `next` link — pages fetched
/// ahead of it are dropped, their errors too — or when the link asks for a
/// page already fetched (GitHub looping would otherwise loop the caller). A
/// `next` link to another origin ends the stream with
/// [`Error::CrossOriginLink`]. After an error, or once the stream is
/// dropped, no request is started.
pub(crate) fn items<T, F, Fut>(
    pipeline: Arc<Pipeline>,
    first_page: Option<u32>,
    at_once: usize,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static
where
    T: Send + 'static,
    F: Fn(Option<u32>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    type Ahead<T> = BoxStream<'static, Result<(u32, Page<T>), Error>>;

    struct State<T, F> {
        fetch: F,
        /// The page to fetch next (`Some(None)` = the first page without a
        /// number), or `None` when done.
        next: Option<Option<u32>>,
        /// A `next` link still to be checked and turned into a page number,
        /// with the operation whose answer carried it.
        link: Option<(&'static str, String)>,
        /// Pages being fetched at once, in order, and the last of them.
        ahead: Option<(Ahead<T>, u32)>,
        fetched: BTreeSet<u32>,
    }

    let state = State {
        fetch,
        next: Some(first_page),
        link: None,
        ahead: None,
        fetched: BTreeSet::new(),
    };
    stream::try_unfold(state, move |mut state| {
        let pipeline = Arc::clone(&pipeline);
        async move {
            if let Some((ahead, last)) = &mut state.ahead {
                let last = *last;
                match ahead.next().await {
                    Some(result) => {
                        let (number, page) = result?;
                        state.fetched.insert(number);
                        if number == last || page.links.next.is_none() {
                            // A page without `next` ends the listing, even
                            // before the `last` the first page promised (it
                            // shrank since, or the link overstated it): the
                            // pages asked for beyond it are dropped unread,
                            // errors included.
                            state.ahead = None;
                            state.link = page.links.next.map(|link| (page.operation, link));
                        }
                        return Ok(Some((page.items, state)));
                    }
                    None => state.ahead = None,
                }
            }
            if let Some((operation, link)) = state.link.take() {
                let number = next_page_number(&pipeline, operation, &link)?;
                if state.fetched.contains(&number) {
                    tracing::warn!(operation, link = %link, "GitHub's next-page link repeats a page; stopping");
                    state.next = None;
                } else {
                    state.next = Some(Some(number));
                }
            }
            let Some(number) = state.next.take() else {
                return Ok(None);
            };
            let page = (state.fetch)(number).await?;
            let current = number.unwrap_or(1);
            state.fetched.insert(current);
            let Some(next) = page.links.next.clone() else {
                return Ok(Some((page.items, state)));
            };
            match pages_ahead(&pipeline, &page, current, at_once) {
                Some(range) => {
                    let last = *range.end();
                    let fetch = state.fetch.clone();
                    let pages = stream::iter(range)
                        .map(move |n| {
                            let page = fetch(Some(n));
                            async move { page.await.map(|page| (n, page)) }
                        })
                        .buffered(at_once)
                        .boxed();
                    state.ahead = Some((pages, last));
                }
                None => state.link = Some((page.operation, next)),
            }
            Ok(Some((page.items, state)))
        }
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

/// The pages after `current` to fetch at once: when `at_once` allows it,
/// the page's `next` link asks for the following page and its `last` link
/// names a later one, both on the API's origin.
fn pages_ahead<T>(
    pipeline: &Pipeline,
    page: &Page<T>,
    current: u32,
    at_once: usize,
) -> Option<RangeInclusive<u32>> {
    if at_once < 2 {
        return None;
    }
    let number = |link: &Option<String>| {
        link.as_deref()
            .and_then(|link| next_page_number(pipeline, page.operation, link).ok())
    };
    let next = number(&page.links.next)?;
    let last = number(&page.links.last)?;
    (next == current.checked_add(1)? && last > next).then_some(next..=last)
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn reads_githubs_link_header() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            HeaderValue::from_static(
                r#"<https://api.github.com/user/packages?package_type=container&page=2>; rel="next", <https://api.github.com/user/packages?package_type=container&page=5>; rel="last""#,
            ),
        );
        let links = Links::from_headers(&headers).unwrap();
        assert_eq!(
            links.next.as_deref(),
            Some("https://api.github.com/user/packages?package_type=container&page=2")
        );
        assert_eq!(
            links.last.as_deref(),
            Some("https://api.github.com/user/packages?package_type=container&page=5")
        );
        assert_eq!(links.prev, None);
    }

    #[test]
    fn link_targets_may_hold_commas_and_relations_may_be_lists() {
        let parsed =
            parse_link_header(r#"<https://x/a?q=1,2;3>; rel="prev first", <https://x/b>;rel=next"#);
        assert_eq!(
            parsed,
            [
                ("https://x/a?q=1,2;3", "prev first"),
                ("https://x/b", "next")
            ]
        );
    }

    #[test]
    fn a_link_header_that_is_not_text_cannot_be_read() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            HeaderValue::from_bytes(b"<https://x/\xff?page=2>; rel=\"next\"").unwrap(),
        );
        assert_eq!(Links::from_headers(&headers), None);
        assert_eq!(
            Links::from_headers(&HeaderMap::new()),
            Some(Links::default())
        );
    }

    #[test]
    fn next_links_must_stay_on_the_base_origin_and_carry_a_page() {
        let client = crate::client::Client::builder()
            .token("ghp_secret_in_links")
            .build()
            .unwrap();
        let base = client.pipeline();
        assert_eq!(
            next_page_number(base, "op", "https://api.github.com/user/packages?page=3").unwrap(),
            3
        );
        assert_eq!(
            next_page_number(base, "op", "/user/packages?per_page=100&page=2").unwrap(),
            2
        );
        for foreign in [
            "https://evil.example/user/packages?page=2",
            "http://api.github.com/x?page=2",
            "https://api.github.com:444/x?page=2",
        ] {
            let err = next_page_number(base, "op", foreign).unwrap_err();
            assert!(
                matches!(err, Error::CrossOriginLink { .. }),
                "{foreign}: {err}"
            );
        }
        let err = next_page_number(base, "op", "https://api.github.com/x?after=abc").unwrap_err();
        assert!(matches!(err, Error::Paging { .. }), "{err}");
        let err = next_page_number(base, "op", "https://evil.example/?t=ghp_secret_in_links\n")
            .unwrap_err();
        assert!(!err.to_string().contains("ghp_secret"), "{err}");
        assert!(!err.to_string().contains('\n'), "{err}");
    }
}
