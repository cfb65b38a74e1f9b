//! An image pushed to the fake with oci-client, as a build pushes it to
//! ghcr.io, becomes versions on the REST side, and the retention plan sees
//! the new versions and keeps what the pushed index needs.

use github_packages::reqwest::header::HeaderValue;
use github_packages::{Client, Owner, PackageType, RetryPolicy, Throttle};
use github_packages_fake::{Fake, LimitsSeed, Seed, TokenSeed};
use github_packages_retention::{Age, Policy, Reason, Registry, Retention};
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client as OciClient, Reference, RegistryOperation};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const TOKEN: &str = "ghp_pusher_alice";
const REPOSITORY: &str = "acme/app";

fn digest(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// Pushes blobs and manifests to the fake with oci-client, signed in with
/// the GitHub token as a build does.
struct Pusher {
    client: OciClient,
    host: String,
}

impl Pusher {
    async fn new(fake: &Fake) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let host = fake.url().trim_start_matches("http://").to_owned();
        let client = OciClient::new(ClientConfig {
            protocol: ClientProtocol::Http,
            ..ClientConfig::default()
        });
        let reference = Reference::with_tag(host.clone(), REPOSITORY.to_owned(), "x".to_owned());
        client
            .auth(
                &reference,
                &RegistryAuth::Basic("alice".to_owned(), TOKEN.to_owned()),
                RegistryOperation::Push,
            )
            .await
            .expect("the token exchange grants a push");
        Self { client, host }
    }

    async fn blob(&self, media_type: &str, bytes: &[u8]) -> Value {
        let digest = digest(bytes);
        let reference =
            Reference::with_digest(self.host.clone(), REPOSITORY.to_owned(), digest.clone());
        self.client
            .push_blob(&reference, bytes.to_vec(), &digest)
            .await
            .expect("the blob is pushed");
        json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
    }

    async fn manifest(&self, value: &Value, tag: Option<&str>) -> Value {
        let bytes = serde_json::to_vec(value).unwrap();
        let digest = digest(&bytes);
        let media_type = value["mediaType"].as_str().unwrap().to_owned();
        let reference = match tag {
            Some(tag) => {
                Reference::with_tag(self.host.clone(), REPOSITORY.to_owned(), tag.to_owned())
            }
            None => {
                Reference::with_digest(self.host.clone(), REPOSITORY.to_owned(), digest.clone())
            }
        };
        self.client
            .push_manifest_raw(
                &reference,
                bytes,
                HeaderValue::from_str(&media_type).unwrap(),
            )
            .await
            .expect("the manifest is pushed");
        json!({"mediaType": media_type, "digest": digest, "size": value.to_string().len()})
    }

    /// A platform image: its config and one layer, then its manifest.
    async fn image(&self, architecture: &str) -> Value {
        let config = self
            .blob(
                "application/vnd.oci.image.config.v1+json",
                json!({"architecture": architecture, "os": "linux"})
                    .to_string()
                    .as_bytes(),
            )
            .await;
        let layer = self
            .blob(
                "application/vnd.oci.image.layer.v1.tar",
                architecture.as_bytes(),
            )
            .await;
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config,
            "layers": [layer],
        });
        self.manifest(&manifest, None).await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pushed_multi_arch_image_is_planned_with_its_children_kept() {
    let fake = Fake::start(
        Seed::new()
            .org("acme", ["alice"])
            .token(TokenSeed::all_scopes(TOKEN, "alice"))
            .limits(LimitsSeed::off()),
    )
    .await
    .unwrap();
    let pusher = Pusher::new(&fake).await;
    let mut children = Vec::new();
    for architecture in ["amd64", "arm64"] {
        let mut entry = pusher.image(architecture).await;
        entry["platform"] = json!({"os": "linux", "architecture": architecture});
        children.push(entry);
    }
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": children,
    });
    let index = pusher.manifest(&index, Some("v1")).await;
    let index_digest = index["digest"].as_str().unwrap().to_owned();

    // The first push made the package; each manifest is a version.
    let listed = fake.active_versions("acme", "container", "app").unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(listed[0], index_digest, "the index came last, newest");

    let client = Client::builder()
        .token(TOKEN)
        .base_url(fake.url())
        .retry(RetryPolicy::none())
        .throttle(Throttle::off())
        .build()
        .unwrap();
    let registry = Registry::for_api(fake.url(), Some(TOKEN.to_owned()))
        .unwrap()
        .unwrap();
    let mut policy = Policy::new(PackageType::Container);
    policy.delete_untagged_older_than = Some(Age::days(0));
    policy.allow_untagged_under_an_hour = true;
    let plan = Retention::new(client)
        .registry(registry)
        .plan(Owner::org("acme"), &policy)
        .await
        .unwrap();
    let app = &plan.packages[0];
    assert_eq!(app.blocked, None, "{app:#?}");
    assert_eq!(app.versions.len(), 3);
    assert_eq!(
        app.deletions().count(),
        0,
        "the untagged children are the index's: {app:#?}"
    );
    let children_kept = app
        .versions
        .iter()
        .filter(|v| matches!(&v.reason, Reason::Child { index, .. } if *index == index_digest))
        .count();
    assert_eq!(children_kept, 2, "{app:#?}");
}
