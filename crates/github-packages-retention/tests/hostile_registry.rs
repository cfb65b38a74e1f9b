//! A registry that answers badly: too long, without end, with the wrong
//! bytes, or with a redirect elsewhere. Each time the package is blocked
//! (nothing deleted), with a one-line reason, and nothing is read past the
//! manifest bound.

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
}

/// Serves `/v2/` (no sign-in needed) and manifests as `manifests` says;
/// returns the address.
async fn serve(manifests: Manifests) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(answer(stream, manifests));
        }
    });
    address
}

async fn answer(mut stream: TcpStream, manifests: Manifests) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).await.unwrap_or(0) == 0 {
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head);
    let path = head.split_whitespace().nth(1).unwrap_or("/");
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
    let registry =
        Registry::new(&format!("http://{address}"), Some("ghp_canary".to_owned())).unwrap();
    let mut plan = plan();
    registry.protect("acme/app", &mut plan).await;
    assert_eq!(plan.deletions().count(), 0, "{plan:#?}");
    let why = plan.blocked.expect("blocked");
    assert!(!why.contains('\n') && !why.contains("ghp_canary"), "{why}");
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
