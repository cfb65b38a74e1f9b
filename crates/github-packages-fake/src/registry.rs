//! The registry side of container packages: the subset of the OCI
//! distribution API a clean-up tool needs, consistent with the REST side
//! (a container version's name is its manifest's digest, its tags are the
//! registry's tags, a deleted version's manifest is gone).
//!
//! Authentication is ghcr.io's token exchange (`docs/github-behaviour.md`,
//! "Container images", signing in): a request without a registry token gets 401
//! with `WWW-Authenticate: Bearer realm=…/token,service=…,scope=…`; the
//! token endpoint takes basic auth with any user name and the GitHub token
//! as password (or nothing, for public images) and returns a registry
//! token. A GitHub token sent as `Bearer <base64 of the token>` is taken
//! as ghcr.io takes it, instead of a registry token.

use std::collections::HashMap;

use base64::Engine;
use serde_json::{Value, json};

use crate::github::access::Caller;
use crate::github::model::{State, image_path};

/// The `service` the token endpoint names, as ghcr.io does.
pub const SERVICE: &str = "ghcr.io";

/// Registry tokens handed out, with the GitHub token (if any) behind them.
#[derive(Debug, Default)]
pub(crate) struct Grants {
    tokens: HashMap<String, Option<String>>,
    issued: u64,
}

/// A registry answer.
#[derive(Debug)]
pub(crate) struct RegistryAnswer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl RegistryAnswer {
    fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".to_owned())],
            body: serde_json::to_vec(body).expect("JSON values serialize"),
        }
    }

    fn error(status: u16, code: &str, message: &str) -> Self {
        Self::json(
            status,
            &json!({"errors": [{"code": code, "message": message}]}),
        )
    }
}

/// The GitHub token that `bearer` is the base64 of, if it is one the fake
/// knows: ghcr.io accepts a GitHub token sent that way instead of a
/// registry token (docs/github-behaviour.md, "Container images").
fn github_token_in_base64(state: &State, bearer: &str) -> Option<String> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(bearer.trim())
        .ok()?;
    let token = String::from_utf8(decoded).ok()?;
    state.tokens.contains_key(&token).then_some(token)
}

/// Answers a request under `/v2/` or to `/token`.
pub(crate) fn handle(
    state: &mut State,
    grants: &mut Grants,
    method: &str,
    path: &str,
    query: Option<&str>,
    authorization: Option<&str>,
    base: &str,
) -> Option<RegistryAnswer> {
    if path == "/token" {
        return Some(token(state, grants, query, authorization));
    }
    let rest = path.strip_prefix("/v2/")?;
    if !matches!(method, "GET" | "HEAD") {
        return Some(RegistryAnswer::error(
            405,
            "UNSUPPORTED",
            "only GET and HEAD are served",
        ));
    }
    let bearer = authorization.and_then(|a| a.strip_prefix("Bearer "));
    let grant = bearer.and_then(|t| {
        grants
            .tokens
            .get(t)
            .cloned()
            .or_else(|| github_token_in_base64(state, t).map(Some))
    });
    let challenge = |name: Option<&str>| {
        let scope = name
            .map(|n| format!(",scope=\"repository:{n}:pull\""))
            .unwrap_or_default();
        let mut answer = RegistryAnswer::error(401, "UNAUTHORIZED", "authentication required");
        answer.headers.push((
            "www-authenticate",
            format!("Bearer realm=\"{base}/token\",service=\"{SERVICE}\"{scope}"),
        ));
        answer
    };
    if rest.is_empty() {
        return Some(match grant {
            Some(_) => RegistryAnswer::json(200, &json!({})),
            None => challenge(None),
        });
    }
    let (name, what, reference) = if let Some((name, reference)) = rest.split_once("/manifests/") {
        (name, "manifest", reference)
    } else if let Some(name) = rest.strip_suffix("/tags/list") {
        (name, "tags", "")
    } else {
        return Some(RegistryAnswer::error(
            404,
            "NAME_UNKNOWN",
            "no such endpoint",
        ));
    };
    let Some(grant) = grant else {
        return Some(challenge(Some(name)));
    };
    let caller = match grant.as_deref().and_then(|t| state.tokens.get(t)) {
        Some(token) => Caller::Token(token),
        None => Caller::Anonymous,
    };
    let Some(index) = state.packages.iter().position(|p| {
        p.package_type == "container"
            && p.deleted.is_none()
            && image_path(&state.owners[&p.owner].login, &p.name) == name
    }) else {
        return Some(RegistryAnswer::error(
            404,
            "NAME_UNKNOWN",
            "repository name not known to registry",
        ));
    };
    if !state.visible_to(caller, index) {
        return Some(RegistryAnswer::error(
            403,
            "DENIED",
            "requested access to the resource is denied",
        ));
    }
    let package = &mut state.packages[index];
    if what == "tags" {
        let mut tags: Vec<&String> = package
            .versions
            .iter()
            .filter(|v| v.deleted.is_none())
            .flat_map(|v| &v.tags)
            .collect();
        tags.sort();
        return Some(RegistryAnswer::json(
            200,
            &json!({"name": name, "tags": tags}),
        ));
    }
    let version = package.versions.iter_mut().find(|v| {
        v.deleted.is_none() && (v.name == reference || v.tags.iter().any(|t| t == reference))
    });
    let Some(version) = version else {
        return Some(RegistryAnswer::error(
            404,
            "MANIFEST_UNKNOWN",
            "manifest unknown",
        ));
    };
    let Some(manifest) = state.manifests.get(&version.name) else {
        return Some(RegistryAnswer::error(
            404,
            "MANIFEST_UNKNOWN",
            "manifest unknown",
        ));
    };
    // A manifest GET is reported to count as a download; HEAD does not.
    if method == "GET" {
        version.downloads += 1;
    }
    Some(RegistryAnswer {
        status: 200,
        headers: vec![
            ("content-type", manifest.media_type.to_owned()),
            ("docker-content-digest", manifest.digest.clone()),
        ],
        body: if method == "HEAD" {
            Vec::new()
        } else {
            manifest.bytes.clone()
        },
    })
}

/// The token endpoint: basic auth with the GitHub token as password, or
/// none for anonymous pulls.
fn token(
    state: &State,
    grants: &mut Grants,
    query: Option<&str>,
    authorization: Option<&str>,
) -> RegistryAnswer {
    let github_token = match authorization.and_then(|a| a.strip_prefix("Basic ")) {
        None => None,
        Some(encoded) => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok());
            let password = decoded
                .as_deref()
                .and_then(|d| d.split_once(':'))
                .map(|(_, p)| p);
            match password {
                Some(password) if state.tokens.contains_key(password) => Some(password.to_owned()),
                _ => return RegistryAnswer::error(401, "UNAUTHORIZED", "invalid credentials"),
            }
        }
    };
    let scope_given = query.is_some_and(|q| q.contains("scope="));
    if !scope_given {
        return RegistryAnswer::error(400, "INVALID_REQUEST", "a scope is required");
    }
    grants.issued += 1;
    let registry_token = format!("registry-token-{}", grants.issued);
    grants.tokens.insert(registry_token.clone(), github_token);
    RegistryAnswer::json(
        200,
        &json!({"token": registry_token, "access_token": registry_token}),
    )
}
