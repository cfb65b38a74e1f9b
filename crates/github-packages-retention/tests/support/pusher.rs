//! Pushing images with oci-client, for the tests that need a registry
//! with content: a real one (`real_registry.rs`) or the fake
//! (`pushed_to_fake.rs`). Each uses some of it, so the rest is dead code
//! there.

#![allow(dead_code)]

use github_packages::reqwest::header::HeaderValue;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client as OciClient, Reference, RegistryOperation};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The repository the tests push to.
pub const REPOSITORY: &str = "acme/app";

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// Pushes blobs and manifests with oci-client.
pub struct Pusher {
    client: OciClient,
    host: String,
}

impl Pusher {
    /// Signs in to the registry at `host` for pushes to [`REPOSITORY`].
    pub async fn new(host: &str, auth: &RegistryAuth) -> Self {
        // As the crate's Registry does: oci-client's HTTP client needs a
        // process-wide TLS provider even for http.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = OciClient::new(ClientConfig {
            protocol: ClientProtocol::Http,
            ..ClientConfig::default()
        });
        let reference = Reference::with_tag(host.to_owned(), REPOSITORY.to_owned(), "x".to_owned());
        client
            .auth(&reference, auth, RegistryOperation::Push)
            .await
            .expect("the registry allows the push");
        Self {
            client,
            host: host.to_owned(),
        }
    }

    /// Pushes a blob; returns its descriptor.
    pub async fn blob(&self, media_type: &str, bytes: &[u8]) -> Value {
        let digest = digest(bytes);
        let reference =
            Reference::with_digest(self.host.clone(), REPOSITORY.to_owned(), digest.clone());
        self.client
            .push_blob(&reference, bytes.to_vec(), &digest)
            .await
            .expect("the blob is pushed");
        json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
    }

    /// Pushes a manifest, by tag or by digest; returns its descriptor.
    pub async fn manifest(&self, value: &Value, tag: Option<&str>) -> Value {
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
                bytes.clone(),
                HeaderValue::from_str(&media_type).unwrap(),
            )
            .await
            .expect("the manifest is pushed");
        json!({"mediaType": media_type, "digest": digest, "size": bytes.len()})
    }

    /// What `tag` names now: the manifest, as JSON, and its digest.
    pub async fn tagged(&self, tag: &str) -> (Value, String) {
        let reference =
            Reference::with_tag(self.host.clone(), REPOSITORY.to_owned(), tag.to_owned());
        let (bytes, digest) = self
            .client
            .pull_manifest_raw(
                &reference,
                &RegistryAuth::Anonymous,
                &[
                    "application/vnd.oci.image.index.v1+json",
                    "application/vnd.oci.image.manifest.v1+json",
                ],
            )
            .await
            .expect("the tag is there");
        (serde_json::from_slice(&bytes).unwrap(), digest)
    }

    /// An image manifest with its own config and one layer.
    pub async fn image(&self, name: &str, subject: Option<&Value>) -> Value {
        let config = self
            .blob(
                "application/vnd.oci.image.config.v1+json",
                json!({"architecture": name, "os": "linux"})
                    .to_string()
                    .as_bytes(),
            )
            .await;
        let layer = self
            .blob(
                "application/vnd.oci.image.layer.v1.tar",
                format!("layer of {name}").as_bytes(),
            )
            .await;
        let mut manifest = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config,
            "layers": [layer],
        });
        if let Some(subject) = subject {
            manifest["subject"] = subject.clone();
            manifest["artifactType"] = json!("application/spdx+json");
        }
        manifest
    }
}
