//! Starting fakes and talking to them.

use github_packages_fake::{Fake, ImageSeed, PackageSeed, Seed, TokenSeed, VersionSeed};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const ALICE: &str = "ghp_alice_member_all_scopes";
pub const BOB: &str = "ghp_bob_outsider_all_scopes";
pub const READER: &str = "ghp_alice_read_only";

/// An org `acme` (member alice), a user `bob`, tokens, and packages of
/// several kinds.
pub fn seed() -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .user("bob")
        .token(TokenSeed::all_scopes(ALICE, "alice"))
        .token(TokenSeed::all_scopes(BOB, "bob"))
        .token(TokenSeed::classic(READER, "alice", ["read:packages"]))
        .package(
            PackageSeed::new("acme", "npm", "tool")
                .visibility("public")
                .versions(3),
        )
        .package(PackageSeed::new("acme", "npm", "secret").versions(2))
        .package(
            PackageSeed::new("acme", "npm", "inside")
                .visibility("internal")
                .versions(2),
        )
        .package(
            PackageSeed::new("acme", "container", "team/app")
                .repository("acme/app")
                .image(ImageSeed::new(["v1", "latest"]).platforms(["linux/amd64", "linux/arm64"]))
                .image(ImageSeed::untagged()),
        )
        .package(
            PackageSeed::new("acme", "npm", "popular")
                .visibility("public")
                .version(VersionSeed::new("9.0.0").downloads(9000))
                .version(VersionSeed::new("9.0.1").downloads(10)),
        )
        .package(
            PackageSeed::new("bob", "rubygems", "gem")
                .visibility("public")
                .versions(2),
        )
}

pub async fn start(seed: Seed) -> Fake {
    Fake::start(seed).await.expect("the fake starts")
}

/// A plain HTTP client. In a workspace build reqwest may be compiled with
/// rustls but no crypto provider of its own (the client crate's default
/// feature), so one is installed for this test process: the same one for
/// every test, once.
pub fn http() -> reqwest::Client {
    static PROVIDER: std::sync::Once = std::sync::Once::new();
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// An answer: status, headers, JSON body (or `Null`).
pub struct Got {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Got {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn names(&self) -> Vec<&str> {
        self.body
            .as_array()
            .unwrap_or_else(|| panic!("not a list: {}", self.body))
            .iter()
            .map(|item| item["name"].as_str().unwrap())
            .collect()
    }
}

pub async fn send(fake: &Fake, method: &str, path: &str, token: Option<&str>) -> Got {
    let mut request = http().request(method.parse().unwrap(), format!("{}{path}", fake.url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the fake answers");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Got {
        status,
        headers,
        body,
    }
}

pub async fn get(fake: &Fake, path: &str, token: Option<&str>) -> Got {
    send(fake, "GET", path, token).await
}
