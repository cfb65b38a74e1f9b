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
//!
//! Pushes are taken as ghcr.io takes them: blob uploads and manifest PUTs,
//! which create or update the REST side's versions (`World::put_manifest`).
//! Over 500 lines: reads, the sign-in and writes share one authorization
//! path, which reads best in one place.

use std::collections::HashMap;

use base64::Engine;
use serde_json::{Value, json};

use chrono::{DateTime, Utc};

use crate::github::access::Caller;
use crate::github::model::State;
use crate::images::{self, Manifest, media};
use crate::seed::TokenKind;
use crate::world::World;

/// The `service` the token endpoint names, as ghcr.io does.
pub const SERVICE: &str = "ghcr.io";

/// Registry tokens handed out, with the GitHub token (if any) behind them,
/// and blob uploads in progress.
#[derive(Debug, Default)]
pub(crate) struct Grants {
    tokens: HashMap<String, Option<String>>,
    issued: u64,
    /// Upload id → the repository and the bytes received so far.
    uploads: HashMap<String, (String, Vec<u8>)>,
}

/// A registry request: what `handle` reads of it.
pub(crate) struct Request<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) authorization: Option<&'a str>,
    pub(crate) content_type: Option<&'a str>,
    pub(crate) body: &'a [u8],
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

    pub(crate) fn error(status: u16, code: &str, message: &str) -> Self {
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
    request: &Request<'_>,
    base: &str,
    now: DateTime<Utc>,
) -> Option<RegistryAnswer> {
    let Request {
        method,
        path,
        query,
        authorization,
        ..
    } = *request;
    if path == "/token" {
        return Some(token(state, grants, query, authorization));
    }
    let rest = path.strip_prefix("/v2/")?;
    let writes = matches!(method, "POST" | "PUT" | "PATCH");
    if !writes && !matches!(method, "GET" | "HEAD") {
        // Deleting is a REST operation on GitHub (docs/github-behaviour.md,
        // "Container images").
        return Some(RegistryAnswer::error(
            405,
            "UNSUPPORTED",
            "The operation is unsupported.",
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
    if let Some(answer) = blobs(state, grants, request, rest, grant.as_ref(), &challenge) {
        return Some(answer);
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
    if method == "PUT" && what == "manifest" {
        return Some(put_manifest(
            state,
            grant.as_deref(),
            name,
            reference,
            request,
            now,
        ));
    }
    let caller = state.caller(grant.as_deref());
    let Some(index) = state.image(name) else {
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
    if writes {
        return Some(RegistryAnswer::error(
            405,
            "UNSUPPORTED",
            "manifests are pushed with PUT",
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

/// Whether `token` may push to the image `name` (`owner/package`): a
/// classic token of someone who may change the package, or, for a package
/// not pushed yet, of the owner or a member of the owning organization; a
/// workflow token of the package's repository.
fn may_push(state: &State, token: Option<&str>, name: &str) -> bool {
    let Some(token) = token.and_then(|t| state.tokens.get(t)) else {
        return false;
    };
    let caller = Caller::Token(token);
    let existing = state.image(name);
    match existing {
        Some(index) => state.may_change(caller, &state.packages[index]),
        None => {
            let owner = name.split('/').next().unwrap_or_default();
            state.owners.get(owner).is_some_and(|o| match &o.members {
                Some(members) => token.kind == TokenKind::Classic && members.contains(&token.user),
                None => token.kind == TokenKind::Classic && token.user == owner,
            })
        }
    }
}

fn denied() -> RegistryAnswer {
    RegistryAnswer::error(403, "DENIED", "requested access to the resource is denied")
}

/// The four manifest media types the registry stores, by name.
fn known_media_type(content_type: Option<&str>) -> Option<&'static str> {
    let given = content_type?.split(';').next()?.trim();
    [
        media::OCI_INDEX,
        media::OCI_MANIFEST,
        media::DOCKER_LIST,
        media::DOCKER_MANIFEST,
    ]
    .into_iter()
    .find(|known| *known == given)
}

/// `PUT /v2/<name>/manifests/<reference>`: checks the manifest as a
/// registry does (media type, digest, what it references), then stores
/// it and updates the REST side (see [`World::put_manifest`]).
fn put_manifest(
    state: &mut State,
    token: Option<&str>,
    name: &str,
    reference: &str,
    request: &Request<'_>,
    now: DateTime<Utc>,
) -> RegistryAnswer {
    if !may_push(state, token, name) {
        return denied();
    }
    let invalid = |message: &str| RegistryAnswer::error(400, "MANIFEST_INVALID", message);
    let Some(media_type) = known_media_type(request.content_type) else {
        return invalid("the Content-Type is not a manifest media type the registry stores");
    };
    let Ok(value) = serde_json::from_slice::<Value>(request.body) else {
        return invalid("the manifest is not JSON");
    };
    if value["mediaType"].as_str().is_some_and(|m| m != media_type) {
        return invalid("the manifest's mediaType is not its Content-Type");
    }
    let manifest = Manifest::pushed(media_type, request.body.to_vec());
    let by_digest = reference.starts_with("sha256:");
    if by_digest && reference != manifest.digest {
        return RegistryAnswer::error(
            400,
            "DIGEST_INVALID",
            "the manifest does not hash to the digest named",
        );
    }
    let digests = |list: &Value| -> Vec<String> {
        list.as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["digest"].as_str().map(str::to_owned))
            .collect()
    };
    // A manifest the registry holds already (re-tagged by pushing its
    // bytes again) needs nothing more: what it references came with it.
    // Seeded images hold no blobs, so this is the only way to re-push one.
    let known = state.manifests.contains_key(&manifest.digest);
    let index = matches!(media_type, media::OCI_INDEX | media::DOCKER_LIST);
    if !known && index {
        if digests(&value["manifests"])
            .iter()
            .any(|d| !state.manifests.contains_key(d))
        {
            return RegistryAnswer::error(
                400,
                "MANIFEST_UNKNOWN",
                "the index lists a manifest not pushed",
            );
        }
    } else if !known {
        let mut referenced = digests(&value["layers"]);
        referenced.extend(value["config"]["digest"].as_str().map(str::to_owned));
        if referenced.iter().any(|d| !state.blobs.contains_key(d)) {
            return RegistryAnswer::error(
                400,
                "MANIFEST_BLOB_UNKNOWN",
                "the manifest references a blob not pushed",
            );
        }
    }
    let Some((owner, package)) = name.split_once('/') else {
        return RegistryAnswer::error(400, "NAME_INVALID", "an image is named owner/package");
    };
    let tag = (!by_digest).then_some(reference);
    match (World { state, now }).put_manifest(owner, package, manifest, tag) {
        Ok(digest) => RegistryAnswer {
            status: 201,
            headers: vec![
                ("location", format!("/v2/{name}/manifests/{digest}")),
                ("docker-content-digest", digest),
            ],
            body: Vec::new(),
        },
        Err(message) => RegistryAnswer::error(404, "NAME_UNKNOWN", &message),
    }
}

/// The blob endpoints: `HEAD`/`GET /v2/<name>/blobs/<digest>`, and uploads
/// (`POST …/blobs/uploads/`, monolithic with `?digest=`, or chunked with
/// `PATCH` and a closing `PUT …?digest=`). `None` for other paths.
fn blobs(
    state: &mut State,
    grants: &mut Grants,
    request: &Request<'_>,
    rest: &str,
    grant: Option<&Option<String>>,
    challenge: &impl Fn(Option<&str>) -> RegistryAnswer,
) -> Option<RegistryAnswer> {
    let (name, tail) = rest.split_once("/blobs/")?;
    let Some(grant) = grant else {
        return Some(challenge(Some(name)));
    };
    let digest_asked = request.query.and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "digest")
            .map(|(_, v)| v.into_owned())
    });
    let upload = |id: &str| RegistryAnswer {
        status: 202,
        headers: vec![
            ("location", format!("/v2/{name}/blobs/uploads/{id}")),
            ("docker-upload-uuid", id.to_owned()),
        ],
        body: Vec::new(),
    };
    let stored = |state: &mut State, bytes: Vec<u8>, asked: Option<String>| {
        let digest = images::digest(&bytes);
        if asked.as_deref() != Some(digest.as_str()) {
            return RegistryAnswer::error(
                400,
                "DIGEST_INVALID",
                "the blob does not hash to the digest named",
            );
        }
        state.blobs.insert(digest.clone(), bytes);
        RegistryAnswer {
            status: 201,
            headers: vec![
                ("location", format!("/v2/{name}/blobs/{digest}")),
                ("docker-content-digest", digest),
            ],
            body: Vec::new(),
        }
    };
    let readable = || {
        let package = state.image(name);
        let caller = state.caller(grant.as_deref());
        match package {
            Some(index) => state.visible_to(caller, index),
            // Blobs of an image not pushed yet: for whoever may push it.
            None => may_push(state, grant.as_deref(), name),
        }
    };
    let answer = match (request.method, tail.strip_prefix("uploads")) {
        ("HEAD" | "GET", None) if !readable() => denied(),
        ("HEAD" | "GET", None) => match state.blobs.get(tail) {
            Some(bytes) => RegistryAnswer {
                status: 200,
                headers: vec![
                    ("content-length", bytes.len().to_string()),
                    ("docker-content-digest", tail.to_owned()),
                ],
                body: if request.method == "GET" {
                    bytes.clone()
                } else {
                    Vec::new()
                },
            },
            None => RegistryAnswer::error(404, "BLOB_UNKNOWN", "blob unknown to registry"),
        },
        (_, Some(_)) if !may_push(state, grant.as_deref(), name) => denied(),
        ("POST", Some("" | "/")) => match digest_asked {
            Some(asked) => stored(state, request.body.to_vec(), Some(asked)),
            None => {
                grants.issued += 1;
                let id = format!("upload-{}", grants.issued);
                grants
                    .uploads
                    .insert(id.clone(), (name.to_owned(), request.body.to_vec()));
                upload(&id)
            }
        },
        ("PATCH" | "PUT", Some(id)) => {
            let id = id.trim_start_matches('/');
            match grants.uploads.get_mut(id).filter(|(repo, _)| repo == name) {
                None => RegistryAnswer::error(
                    404,
                    "BLOB_UPLOAD_UNKNOWN",
                    "blob upload unknown to registry",
                ),
                Some((_, bytes)) => {
                    bytes.extend_from_slice(request.body);
                    if request.method == "PATCH" {
                        let mut answer = upload(id);
                        answer
                            .headers
                            .push(("range", format!("0-{}", bytes.len().saturating_sub(1))));
                        answer
                    } else {
                        let (_, bytes) = grants.uploads.remove(id).unwrap_or_default();
                        stored(state, bytes, digest_asked)
                    }
                }
            }
        }
        _ => RegistryAnswer::error(405, "UNSUPPORTED", "not a blob operation"),
    };
    Some(answer)
}
