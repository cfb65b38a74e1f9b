//! The registry side of a seeded container image: its manifests, and the
//! package versions GitHub lists for them (one per manifest, named by
//! digest, carrying the tags that point at it).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::seed::ImageSeed;

/// OCI and Docker media types.
pub mod media {
    /// OCI image index.
    pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
    /// OCI image manifest.
    pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    /// Docker manifest list.
    pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
    /// Docker image manifest, schema 2.
    pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
}

/// A manifest as the registry serves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    /// `sha256:<hex>` of the bytes.
    pub digest: String,
    /// Its media type.
    pub media_type: &'static str,
    /// Its JSON, exactly as served.
    pub bytes: Vec<u8>,
}

impl Manifest {
    fn new(media_type: &'static str, value: &Value) -> Self {
        let bytes = serde_json::to_vec(value).expect("JSON values serialize");
        Self {
            digest: digest(&bytes),
            media_type,
            bytes,
        }
    }

    /// A manifest pushed to the registry, as its bytes came.
    pub(crate) fn pushed(media_type: &'static str, bytes: Vec<u8>) -> Self {
        Self {
            digest: digest(&bytes),
            media_type,
            bytes,
        }
    }

    /// A descriptor pointing at this manifest.
    fn descriptor(&self) -> Value {
        json!({"mediaType": self.media_type, "digest": self.digest, "size": self.bytes.len()})
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// A version GitHub lists for an image.
#[derive(Clone, Debug)]
pub(crate) struct ImageVersion {
    pub(crate) digest: String,
    pub(crate) tags: Vec<String>,
    pub(crate) created: DateTime<Utc>,
    pub(crate) downloads: u64,
}

/// An index listing existing manifests, as a multi-arch push that reuses
/// platform manifests makes it.
pub(crate) fn index_of(children: &[&Manifest]) -> Manifest {
    let entries: Vec<Value> = children.iter().map(|m| m.descriptor()).collect();
    Manifest::new(
        media::OCI_INDEX,
        &json!({"schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": entries}),
    )
}

/// An index listing existing manifests, made at `created` (so that two
/// builds over the same children are two indexes, as two pushes are).
pub(crate) fn index_at(children: &[&Manifest], created: DateTime<Utc>) -> Manifest {
    let entries: Vec<Value> = children.iter().map(|m| m.descriptor()).collect();
    let created = created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Manifest::new(
        media::OCI_INDEX,
        &json!({"schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": entries,
                "annotations": {"org.opencontainers.image.created": created}}),
    )
}

/// A cosign signature of `subject`, as `cosign sign` pushes it later, and
/// the tag it goes under (`sha256-<hex>.sig`); `salt` makes it unique.
pub(crate) fn signature_of(subject: &Manifest, salt: u64) -> (Manifest, String) {
    let hex = subject.digest.trim_start_matches("sha256:");
    let layer = digest(format!("signature {salt} of {}", subject.digest).as_bytes());
    let manifest = Manifest::new(
        media::OCI_MANIFEST,
        &json!({
            "schemaVersion": 2, "mediaType": media::OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(b"{}"), "size": 2},
            "layers": [{"mediaType": "application/vnd.dev.cosign.simplesigning.v1+json",
                        "digest": layer, "size": 256}],
        }),
    );
    (manifest, format!("sha256-{hex}.sig"))
}

/// An OCI 1.1 artifact naming `subject`, as an attestation push makes it;
/// `salt` makes it unique.
pub(crate) fn referrer_of(subject: &Manifest, salt: u64) -> Manifest {
    let layer = digest(format!("referrer {salt} of {}", subject.digest).as_bytes());
    Manifest::new(
        media::OCI_MANIFEST,
        &json!({
            "schemaVersion": 2, "mediaType": media::OCI_MANIFEST,
            "artifactType": "application/vnd.example.sbom.v1+json",
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": digest(b"{}"), "size": 2},
            "layers": [{"mediaType": "application/vnd.example.sbom.v1+json", "digest": layer, "size": 512}],
            "subject": subject.descriptor(),
        }),
    )
}

/// An image's manifests and versions, oldest first.
pub(crate) struct BuiltImage {
    pub(crate) manifests: Vec<Manifest>,
    pub(crate) versions: Vec<ImageVersion>,
    /// The digest of its top manifest (the index of a multi-arch image).
    pub(crate) top: String,
}

/// Builds image `number` of package `package` (both only make its
/// digests unique).
pub(crate) fn build(
    package: &str,
    number: usize,
    image: &ImageSeed,
    created: DateTime<Utc>,
) -> BuiltImage {
    let (index_type, manifest_type) = if image.docker {
        (media::DOCKER_LIST, media::DOCKER_MANIFEST)
    } else {
        (media::OCI_INDEX, media::OCI_MANIFEST)
    };
    let blob = |what: &str| digest(format!("{what}:{package}:{number}").as_bytes());
    let image_manifest = |platform: &str, layer_type: &str| {
        Manifest::new(
            manifest_type,
            &json!({
                "schemaVersion": 2,
                "mediaType": manifest_type,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": blob(&format!("config {platform} {layer_type}")), "size": 1024},
                "layers": [{"mediaType": layer_type,
                            "digest": blob(&format!("layer {platform} {layer_type}")), "size": 4096}],
            }),
        )
    };
    let platform_of = |name: &str| {
        let mut parts = name.splitn(3, '/');
        let os = parts.next().unwrap_or("linux");
        let architecture = parts.next().unwrap_or("amd64");
        match parts.next() {
            Some(variant) => json!({"os": os, "architecture": architecture, "variant": variant}),
            None => json!({"os": os, "architecture": architecture}),
        }
    };

    let mut manifests = Vec::new();
    let mut versions = Vec::new();
    let mut add = |manifest: Manifest,
                   tags: Vec<String>,
                   created,
                   downloads,
                   manifests: &mut Vec<Manifest>| {
        versions.push(ImageVersion {
            digest: manifest.digest.clone(),
            tags,
            created,
            downloads,
        });
        manifests.push(manifest);
    };
    let layer = "application/vnd.oci.image.layer.v1.tar+gzip";

    let top = if image.platforms.len() <= 1 {
        let platform = image
            .platforms
            .first()
            .map_or("linux/amd64", String::as_str);
        image_manifest(platform, layer)
    } else {
        let mut entries = Vec::new();
        for platform in &image.platforms {
            let child = image_manifest(platform, layer);
            let mut entry = child.descriptor();
            entry["platform"] = platform_of(platform);
            entries.push(entry);
            let child_digest = child.digest.clone();
            add(child, Vec::new(), created, 0, &mut manifests);
            if image.attestations {
                let attestation = image_manifest(platform, "application/vnd.in-toto+json");
                let mut entry = attestation.descriptor();
                entry["platform"] = json!({"os": "unknown", "architecture": "unknown"});
                entry["annotations"] = json!({
                    "vnd.docker.reference.digest": child_digest,
                    "vnd.docker.reference.type": "attestation-manifest",
                });
                entries.push(entry);
                add(attestation, Vec::new(), created, 0, &mut manifests);
            }
        }
        Manifest::new(
            index_type,
            &json!({"schemaVersion": 2, "mediaType": index_type, "manifests": entries}),
        )
    };
    let subject = top.descriptor();
    let top_digest = top.digest.clone();
    let hex = top.digest.trim_start_matches("sha256:").to_owned();
    add(
        top,
        image.tags.clone(),
        created,
        image.downloads,
        &mut manifests,
    );

    let cosign = [
        (
            image.signature,
            "sig",
            "application/vnd.dev.cosign.simplesigning.v1+json",
        ),
        (
            image.attestation,
            "att",
            "application/vnd.dsse.envelope.v1+json",
        ),
        (image.sbom, "sbom", "application/spdx+json"),
    ];
    for (seconds, (wanted, suffix, layer_type)) in (1..).zip(cosign) {
        if wanted {
            let manifest = image_manifest(&format!("cosign {suffix}"), layer_type);
            let tag = format!("sha256-{hex}.{suffix}");
            add(
                manifest,
                vec![tag],
                created + chrono::Duration::seconds(seconds),
                0,
                &mut manifests,
            );
        }
    }
    if image.referrer || image.referrers_tag {
        let artifact = Manifest::new(
            media::OCI_MANIFEST,
            &json!({
                "schemaVersion": 2,
                "mediaType": media::OCI_MANIFEST,
                "artifactType": "application/vnd.example.sbom.v1+json",
                "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": digest(b"{}"), "size": 2},
                "layers": [{"mediaType": "application/vnd.example.sbom.v1+json",
                            "digest": blob("referrer"), "size": 512}],
                "subject": subject,
            }),
        );
        let listed = artifact.descriptor();
        add(
            artifact,
            Vec::new(),
            created + chrono::Duration::seconds(4),
            0,
            &mut manifests,
        );
        if image.referrers_tag {
            let mut entry = listed;
            entry["artifactType"] = json!("application/vnd.example.sbom.v1+json");
            let index = Manifest::new(
                media::OCI_INDEX,
                &json!({"schemaVersion": 2, "mediaType": media::OCI_INDEX, "manifests": [entry]}),
            );
            add(
                index,
                vec![format!("sha256-{hex}")],
                created + chrono::Duration::seconds(5),
                0,
                &mut manifests,
            );
        }
    }
    BuiltImage {
        manifests,
        versions,
        top: top_digest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_multi_arch_image_with_attestations_and_a_referrer() {
        let seed = ImageSeed::new(["v1"])
            .platforms(["linux/amd64", "linux/arm64/v8"])
            .attestations()
            .signed()
            .with_referrer();
        let built = build("acme/app", 0, &seed, Utc::now());
        // 2 platforms + 2 attestations + index + signature + referrer.
        assert_eq!(built.manifests.len(), 7);
        let index = &built.manifests[4];
        assert_eq!(index.media_type, media::OCI_INDEX);
        let parsed: Value = serde_json::from_slice(&index.bytes).unwrap();
        let children: Vec<&str> = parsed["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["digest"].as_str().unwrap())
            .collect();
        assert_eq!(
            children,
            built.manifests[..4]
                .iter()
                .map(|m| m.digest.as_str())
                .collect::<Vec<_>>()
        );
        assert_eq!(parsed["manifests"][1]["platform"]["os"], "unknown");
        assert_eq!(parsed["manifests"][2]["platform"]["variant"], "v8");
        assert_eq!(built.versions[4].tags, ["v1"]);
        let hex = index.digest.trim_start_matches("sha256:");
        assert_eq!(built.versions[5].tags, [format!("sha256-{hex}.sig")]);
        let referrer: Value = serde_json::from_slice(&built.manifests[6].bytes).unwrap();
        assert_eq!(referrer["subject"]["digest"], index.digest.as_str());
        assert!(built.versions[6].tags.is_empty());
        for manifest in &built.manifests {
            assert_eq!(manifest.digest, digest(&manifest.bytes));
        }
        let mut digests: Vec<&str> = built.manifests.iter().map(|m| m.digest.as_str()).collect();
        digests.sort_unstable();
        digests.dedup();
        assert_eq!(digests.len(), 7, "every manifest is distinct");
    }
}
