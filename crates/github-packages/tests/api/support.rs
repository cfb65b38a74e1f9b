//! A mock GitHub and a client pointed at it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use github_packages::{Client, ClientBuilder, RetryPolicy};
use serde_json::{Value, json};
use wiremock::MockServer;

/// The token every test client sends; it must never show up in output.
pub const TOKEN: &str = "ghp_TESTTOKEN_0123456789_must_never_leak";

pub struct Harness {
    pub server: MockServer,
    pub client: Client,
    waits: Arc<Mutex<Vec<Duration>>>,
}

impl Harness {
    /// A mock server and a client for it whose retry waits are recorded,
    /// not spent.
    pub async fn new() -> Self {
        Self::with(|builder| builder).await
    }

    pub async fn with(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Self {
        Self::with_retry(RetryPolicy::new(), configure).await
    }

    pub async fn with_retry(
        retry: RetryPolicy,
        configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> Self {
        let server = MockServer::start().await;
        let waits: Arc<Mutex<Vec<Duration>>> = Arc::default();
        let recorded = Arc::clone(&waits);
        let retry = retry.sleep_with(move |wait| {
            recorded.lock().unwrap().push(wait);
            std::future::ready(())
        });
        let builder = Client::builder()
            .token(TOKEN)
            .base_url(server.uri())
            .retry(retry);
        let client = configure(builder).build().expect("test client builds");
        Self {
            server,
            client,
            waits,
        }
    }

    pub async fn requests(&self) -> Vec<wiremock::Request> {
        self.server
            .received_requests()
            .await
            .expect("request recording is on")
    }

    /// The waits the retry policy asked for, in order.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap().clone()
    }
}

/// A package as GitHub lists it (shape of the seeds' examples).
pub fn package(name: &str) -> Value {
    json!({
        "id": 197, "name": name, "package_type": "container", "version_count": 1, "visibility": "private",
        "url": format!("https://api.github.com/orgs/github/packages/container/{name}"),
        "html_url": format!("https://github.com/orgs/github/packages/container/package/{name}"),
        "created_at": "2020-05-19T22:19:11Z", "updated_at": "2020-05-19T22:19:11Z",
        "owner": {
            "login": "github", "id": 9919, "node_id": "MDEyOk9yZ2FuaXphdGlvbjk5MTk=",
            "avatar_url": "https://avatars.githubusercontent.com/u/9919?v=4", "gravatar_id": "",
            "url": "https://api.github.com/users/github", "html_url": "https://github.com/github",
            "followers_url": "https://api.github.com/users/github/followers",
            "following_url": "https://api.github.com/users/github/following{/other_user}",
            "gists_url": "https://api.github.com/users/github/gists{/gist_id}",
            "starred_url": "https://api.github.com/users/github/starred{/owner}{/repo}",
            "subscriptions_url": "https://api.github.com/users/github/subscriptions",
            "organizations_url": "https://api.github.com/users/github/orgs",
            "repos_url": "https://api.github.com/users/github/repos",
            "events_url": "https://api.github.com/users/github/events{/privacy}",
            "received_events_url": "https://api.github.com/users/github/received_events",
            "type": "Organization", "site_admin": false
        }
    })
}

/// A container image version with the given tags.
pub fn version(id: i64, tags: &[&str]) -> Value {
    json!({
        "id": id, "name": format!("sha256:{id:064x}"),
        "url": format!("https://api.github.com/orgs/github/packages/container/hello_docker/versions/{id}"),
        "package_html_url": "https://github.com/orgs/github/packages/container/package/hello_docker",
        "html_url": format!("https://github.com/orgs/github/packages/container/hello_docker/{id}"),
        "created_at": "2020-05-19T22:19:11Z", "updated_at": "2020-05-19T22:19:11Z",
        "metadata": {"package_type": "container", "container": {"tags": tags}}
    })
}

/// Fails if `text` holds the token or any long piece of it.
pub fn assert_no_token(text: &str) {
    assert!(!text.contains(TOKEN), "the token leaked: {text}");
    assert!(
        !text.contains(&TOKEN[4..20]),
        "part of the token leaked: {text}"
    );
}

/// A loopback server that answers every connection with `head` (status line
/// and headers, without the blank line) and then a chunked body that never
/// ends, until the client goes away. Returns its URL and how many body
/// bytes it managed to write in all.
pub async fn endless_server(head: &'static str) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::Ordering;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let written = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&written);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = Arc::clone(&counter);
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = format!("{head}\r\nTransfer-Encoding: chunked\r\n\r\n");
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("{:x}\r\n{}\r\n", 16 * 1024, "x".repeat(16 * 1024));
                while socket.write_all(chunk.as_bytes()).await.is_ok() {
                    counter.fetch_add(16 * 1024, Ordering::Relaxed);
                }
            });
        }
    });
    (url, written)
}

/// Every message of an error and its sources, as `Display` and `Debug`.
pub fn everything_shown(error: &github_packages::Error) -> String {
    let mut shown = format!("{error}\n{error:?}\n{error:#?}");
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        shown.push_str(&format!("\n{inner}\n{inner:?}"));
        source = inner.source();
    }
    shown
}

/// A URL where nothing listens: connecting to port 0 is refused at once,
/// with no port borrowed from the system that another test could take.
pub const REFUSING: &str = "http://127.0.0.1:0";
