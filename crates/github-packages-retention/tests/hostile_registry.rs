//! A registry that answers badly: too long, without end, with the wrong
//! bytes, with a redirect elsewhere, echoing the credentials it was sent,
//! or sending sign-ins to another server. Each time the package is blocked
//! (nothing deleted), with a one-line reason that holds no secret, and
//! nothing is read past the manifest bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;
use chrono::Utc;
use github_packages::{Owner, PackageType, VersionId};
use github_packages_retention::{PackagePlan, Reason, Registry, VersionPlan};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEPT: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
const CANDIDATE: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

/// What the registry does when asked for a manifest.
#[derive(Clone, Copy)]
enum Manifests {
    /// Announces 5 MiB.
    Oversized,
    /// Sends chunks until the reader gives up.
    Endless,
    /// A well-formed manifest, but not the one whose digest was asked for.
    WrongBytes,
    /// Sends the client to another server.
    RedirectTo(u16),
    /// Asks for sign-ins at its own `/token`, which refuses them, quoting
    /// the `Authorization` header it got (raw, percent-encoded, and the
    /// token alone in base64).
    EchoCredentials,
    /// Asks for sign-ins at a realm on another server (this port).
    RealmAt(u16),
}

/// The GitHub token the tests sign in with.
const CANARY: &str = "ghp_canary_0123456789";

/// Serves `/v2/` (no sign-in needed) and manifests as `manifests` says;
/// returns the address.
async fn serve(manifests: Manifests) -> String {
    serve_counting(manifests).await.0
}

/// [`serve`], and how many requests it received.
async fn serve_counting(manifests: Manifests) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let received = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&received);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(answer(stream, manifests, Arc::clone(&counter)));
        }
    });
    (address, received)
}

async fn answer(mut stream: TcpStream, manifests: Manifests, received: Arc<AtomicUsize>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    received.fetch_add(1, Ordering::SeqCst);
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/");
    let challenge = |realm: String| {
        format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"{realm}\",service=\"x\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    };
    match manifests {
        Manifests::EchoCredentials if path.starts_with("/token") => {
            let authorization = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("authorization: ")
                        .or_else(|| l.strip_prefix("Authorization: "))
                })
                .unwrap_or_default()
                .to_owned();
            let alone = base64::engine::general_purpose::STANDARD.encode(CANARY);
            let message = format!(
                "bad credentials {authorization} / {} / {alone} / \u{1b}]0;pwned\u{7}",
                CANARY.replace('_', "%5F")
            );
            let body =
                serde_json::json!({"errors": [{"code": "UNAUTHORIZED", "message": message}]})
                    .to_string();
            let head = format!(
                "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body.as_bytes()).await;
            return;
        }
        Manifests::EchoCredentials => {
            let address = stream.local_addr().unwrap();
            let _ = stream
                .write_all(challenge(format!("http://{address}/token")).as_bytes())
                .await;
            return;
        }
        Manifests::RealmAt(port) => {
            let _ = stream
                .write_all(challenge(format!("http://127.0.0.1:{port}/token")).as_bytes())
                .await;
            return;
        }
        _ => {}
    }
    if path == "/v2/" {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
            .await;
        return;
    }
    match manifests {
        Manifests::Oversized => {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 5242880\r\nConnection: close\r\n\r\n{",
                )
                .await;
        }
        Manifests::Endless => {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
                )
                .await;
            let mut frame = b"4000\r\n".to_vec();
            frame.extend(std::iter::repeat_n(b' ', 0x4000));
            frame.extend_from_slice(b"\r\n");
            while stream.write_all(&frame).await.is_ok() {}
        }
        Manifests::WrongBytes => {
            let body = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).await;
            let _ = stream.write_all(body).await;
        }
        Manifests::RedirectTo(port) => {
            let head = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:{port}{path}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes()).await;
        }
        Manifests::EchoCredentials | Manifests::RealmAt(_) => unreachable!("answered above"),
    }
}

fn plan() -> PackagePlan {
    let version = |id, name: &str, tags: &[&str], reason| VersionPlan {
        id: VersionId::new(id),
        name: name.to_owned(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        created_at: Utc::now(),
        reason,
    };
    PackagePlan::new(
        Owner::org("acme"),
        PackageType::Container,
        "app",
        vec![
            version(1, KEPT, &["v1"], Reason::NoRule),
            version(2, CANDIDATE, &[], Reason::Untagged { age_days: 40 }),
        ],
    )
}

/// Why the registry at `address` blocked the plan.
async fn blocked_by(address: &str) -> String {
    let registry = Registry::new(&format!("http://{address}"), Some(CANARY.to_owned())).unwrap();
    let mut plan = plan();
    registry.protect("acme/app", &mut plan).await;
    assert_eq!(plan.deletions().count(), 0, "{plan:#?}");
    let why = plan.blocked.expect("blocked");
    assert!(
        !why.chars().any(github_packages::text::needs_escape) && !why.contains("ghp_canary"),
        "{why}"
    );
    why
}

#[tokio::test]
async fn a_manifest_announced_too_long_is_not_read() {
    let why = blocked_by(&serve(Manifests::Oversized).await).await;
    assert!(why.contains("longer than 4194304 bytes"), "{why}");
}

#[tokio::test]
async fn an_endless_manifest_stops_at_the_bound() {
    let why = blocked_by(&serve(Manifests::Endless).await).await;
    assert!(why.contains("longer than 4194304 bytes"), "{why}");
}

#[tokio::test]
async fn a_manifest_that_is_not_the_digest_asked_for_is_refused() {
    let why = blocked_by(&serve(Manifests::WrongBytes).await).await;
    assert!(why.contains("does not match its digest"), "{why}");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    // The other server would answer with the wrong bytes; it is never
    // asked, so the refusal is about the redirect.
    let elsewhere = serve(Manifests::WrongBytes).await;
    let port = elsewhere.rsplit(':').next().unwrap().parse().unwrap();
    let why = blocked_by(&serve(Manifests::RedirectTo(port)).await).await;
    assert!(why.contains("307"), "{why}");
}

#[tokio::test]
async fn credentials_the_registry_echoes_are_not_repeated_in_any_encoding() {
    let why = blocked_by(&serve(Manifests::EchoCredentials).await).await;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("github-packages:{CANARY}"));
    let alone = base64::engine::general_purpose::STANDARD.encode(CANARY);
    for secret in [basic.as_str(), alone.as_str(), "ghp%5Fcanary", "Z2hwX2Nhbm"] {
        assert!(!why.contains(secret), "{secret} in {why}");
    }
    assert!(
        why.starts_with(
            "the manifest of sha256:111111111111 could not be read from http://127.0.0.1:"
        ),
        "{why}"
    );
    assert!(
        why.contains(
            "the registry's sign-in answered 401 Unauthorized (UNAUTHORIZED: bad credentials Basic [redacted] / [redacted] / [redacted] / \\u{1b}]0;pwned\\u{7})"
        ),
        "{why}"
    );
}

#[tokio::test]
async fn the_token_is_not_sent_to_a_sign_in_endpoint_elsewhere() {
    let (elsewhere, asked) = serve_counting(Manifests::WrongBytes).await;
    let port = elsewhere.rsplit(':').next().unwrap().parse().unwrap();
    let why = blocked_by(&serve(Manifests::RealmAt(port)).await).await;
    assert!(
        why.contains(&format!(
            "the registry sends sign-ins to http://127.0.0.1:{port}, which is neither the registry \
             nor the GitHub API, so the token is not sent there"
        )),
        "{why}"
    );
    assert_eq!(
        asked.load(Ordering::SeqCst),
        0,
        "the other server heard nothing"
    );

    // Paired with the GitHub API the token belongs to, the same endpoint
    // may have it (the API has it anyway).
    let registry = Registry::builder(&format!("http://{}", serve(Manifests::RealmAt(port)).await))
        .token(Some(CANARY.to_owned()))
        .api_root(&format!("http://{elsewhere}"))
        .build()
        .unwrap();
    let mut plan = plan();
    registry.protect("acme/app", &mut plan).await;
    assert!(
        asked.load(Ordering::SeqCst) > 0,
        "the API's origin was asked"
    );
}
