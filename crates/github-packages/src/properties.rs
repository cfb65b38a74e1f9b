//! Property tests for everything that reads text a server or a user
//! controls: no panic on any input, bounded output, and never a next page
//! on another origin.

use proptest::prelude::*;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::api::paging::{Links, next_page_number};
use crate::client::Client;
use crate::error::Error;
use crate::error::answer::{ErrorBody, from_status};
use crate::http::base_url::BaseUrl;
use crate::model::owner::Owner;
use crate::model::rate_limit::{reset_time, retry_after};
use crate::model::target::Target;
use crate::text::{MAX_SHOWN, Scrub};

/// Any bytes a header value may hold (visible ASCII, space, tab, obs-text).
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![Just(b'\t'), 0x20u8..0x7f, 0x80u8..=0xff],
        0..200,
    )
}

fn headers_with(name: &'static str, values: &[Vec<u8>]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for value in values {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(HeaderName::from_static(name), value);
        }
    }
    headers
}

/// Link-header-like text: angle brackets, separators, relations, URLs.
fn link_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<".to_owned()),
        Just(">".to_owned()),
        Just(";".to_owned()),
        Just(",".to_owned()),
        Just(" rel=\"next\"".to_owned()),
        Just("rel=last".to_owned()),
        Just("https://api.github.com/user/packages?page=2".to_owned()),
        Just("https://evil.example/x?page=3".to_owned()),
        Just("//evil.example/?page=4".to_owned()),
        Just("/orgs/acme/packages?page=5".to_owned()),
        "[ -~]{0,20}",
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

fn client() -> Client {
    Client::builder()
        .token("ghp_property_token")
        .build()
        .expect("the default client builds")
}

proptest! {
    #[test]
    fn link_headers_never_panic_and_never_page_off_origin(values in prop::collection::vec(link_text(), 0..3)) {
        let client = client();
        let headers = headers_with("link", &values.iter().map(|v| v.clone().into_bytes()).collect::<Vec<_>>());
        if let Some(links) = Links::from_headers(&headers) {
            let total: usize = values.iter().map(String::len).sum();
            for link in [&links.next, &links.prev, &links.first, &links.last].into_iter().flatten() {
                prop_assert!(link.len() <= total);
            }
            if let Some(next) = &links.next
                && let Ok(page) = next_page_number(client.pipeline(), "op", next)
            {
                let target = client.pipeline().base().join(next).unwrap();
                prop_assert!(client.pipeline().is_same_origin(&target), "{next} -> page {page}");
                prop_assert!(page >= 1);
            }
        }
    }

    #[test]
    fn next_page_numbers_never_leave_the_origin(link in "\\PC{0,80}") {
        let client = client();
        match next_page_number(client.pipeline(), "op", &link) {
            Ok(_) => {
                let target = client.pipeline().base().join(&link).unwrap();
                prop_assert_eq!(target.origin(), client.pipeline().base().origin());
            }
            Err(error) => {
                let shown = error.to_string();
                prop_assert!(!shown.contains("ghp_property_token"));
                prop_assert!(!shown.contains(['\n', '\r']));
                prop_assert!(shown.len() <= 2 * MAX_SHOWN + 200);
            }
        }
    }

    #[test]
    fn wait_headers_never_panic(values in prop::collection::vec(header_bytes(), 0..3), now in -10_000_000_000i64..10_000_000_000) {
        let now = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
        let _ = retry_after(&headers_with("retry-after", &values), now);
        let _ = reset_time(&headers_with("x-ratelimit-reset", &values));
    }

    #[test]
    fn delta_seconds_wait_exactly_that_long(seconds in any::<u64>()) {
        let headers = headers_with("retry-after", &[seconds.to_string().into_bytes()]);
        prop_assert_eq!(
            retry_after(&headers, chrono::DateTime::UNIX_EPOCH),
            Some(std::time::Duration::from_secs(seconds))
        );
    }

    #[test]
    fn error_bodies_give_bounded_inert_messages(
        body in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..3000),
            "\\PC{0,3000}".prop_map(|text| serde_json::json!({"message": text, "documentation_url": text, "errors": [{"message": text}]}).to_string().into_bytes()),
        ],
        status in 400u16..600,
    ) {
        let status = StatusCode::from_u16(status).unwrap();
        let target = Target::for_owner(Owner::org("acme"));
        let scrub = Scrub::new(["ghp_property_token"]);
        let error = from_status("op", &target, status, &HeaderMap::new(), ErrorBody::parse(&body), &scrub);
        let shown = error.to_string();
        prop_assert!(shown.len() <= 3 * MAX_SHOWN + 300, "{} bytes", shown.len());
        prop_assert!(!shown.chars().any(char::is_control), "{shown:?}");
    }

    #[test]
    fn scrubbed_text_is_bounded_inert_and_secret_free(
        text in "\\PC{0,3000}|[\\x00-\\x7f]{0,3000}",
        secret in "[A-Za-z0-9_]{12,40}",
        at in 0usize..3000,
    ) {
        let mut text = text;
        let at = (0..=at.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        text.insert_str(at, &secret);
        let shown = Scrub::new([secret.as_str()]).text(&text);
        prop_assert!(shown.len() <= MAX_SHOWN + '…'.len_utf8());
        prop_assert!(!shown.contains(&secret));
        prop_assert!(!shown.chars().any(char::is_control));
    }

    #[test]
    fn base_urls_resolve_to_a_clean_api_root_or_a_clear_error(input in prop_oneof![
        "\\PC{0,60}",
        "(https?|ftp)://[a-z0-9.:@\\[\\]-]{0,30}(/[a-z0-9./?#]{0,20})?",
    ]) {
        for mode in [BaseUrl::Guess, BaseUrl::Exact, BaseUrl::EnterpriseServer] {
            match mode(input.clone()).resolve() {
                Ok(root) => {
                    let url = reqwest::Url::parse(&root).unwrap();
                    prop_assert!(matches!(url.scheme(), "http" | "https"));
                    prop_assert!(url.username().is_empty() && url.password().is_none());
                    prop_assert!(url.query().is_none() && url.fragment().is_none());
                    prop_assert!(!root.ends_with('/'));
                }
                Err(Error::Config(message)) => prop_assert!(!message.contains('\n')),
                Err(other) => prop_assert!(false, "{other:?}"),
            }
        }
    }
}
