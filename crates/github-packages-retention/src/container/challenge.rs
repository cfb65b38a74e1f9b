//! How a registry asks to be signed in to: the challenge in a 401's
//! `WWW-Authenticate` (the distribution spec's token authentication, as
//! Docker's registry documents it; `docs/github-behaviour.md`, "Container
//! images"). Only parsing; `registry.rs` acts on it.

use std::collections::HashMap;

use github_packages::reqwest::header;

/// How the registry asks clients to sign in (its `WWW-Authenticate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// The token exchange: ask `realm` for a token.
    Bearer {
        realm: String,
        service: Option<String>,
    },
    /// HTTP Basic to the registry itself.
    Basic,
    /// No sign-in.
    None,
}

/// The challenge in a 401's `WWW-Authenticate`: `Bearer realm="…",
/// service="…"`, `Basic …`, or none that this client can answer.
pub(crate) fn parse_challenge(headers: &header::HeaderMap) -> Challenge {
    let Some(value) = headers
        .get(header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
    else {
        return Challenge::Basic;
    };
    let value = value.trim();
    let Some((scheme, rest)) = value.split_once(' ') else {
        return if value.eq_ignore_ascii_case("basic") {
            Challenge::Basic
        } else {
            Challenge::None
        };
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Challenge::Basic;
    }
    let parameters = auth_parameters(rest);
    match parameters.get("realm") {
        Some(realm) => Challenge::Bearer {
            realm: realm.clone(),
            service: parameters.get("service").cloned(),
        },
        None => Challenge::None,
    }
}

/// `key="value", key=value` pairs, keys in lower case.
fn auth_parameters(text: &str) -> HashMap<String, String> {
    let mut parameters = HashMap::new();
    let mut rest = text.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key
            .trim()
            .trim_start_matches(',')
            .trim()
            .to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            value.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        parameters.insert(key, value);
        rest = remaining.trim_start().trim_start_matches(',');
    }
    parameters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_read_as_registries_send_them() {
        let challenge = |value: &str| {
            let mut headers = header::HeaderMap::new();
            headers.insert(header::WWW_AUTHENTICATE, value.parse().unwrap());
            parse_challenge(&headers)
        };
        assert_eq!(
            challenge(
                r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/app:pull""#
            ),
            Challenge::Bearer {
                realm: "https://ghcr.io/token".to_owned(),
                service: Some("ghcr.io".to_owned())
            }
        );
        assert_eq!(
            challenge(r#"bearer service=registry, realm="https://r.example/t\"x""#),
            Challenge::Bearer {
                realm: "https://r.example/t\"x".to_owned(),
                service: Some("registry".to_owned())
            }
        );
        assert_eq!(challenge(r#"Basic realm="Registry""#), Challenge::Basic);
        assert_eq!(challenge("Bearer"), Challenge::None);
    }
}
