//! What a container manifest says about other manifests: an index's
//! entries, an artifact's subject. A digest names its bytes, so what is
//! read here never changes: a plan keeps it, and execution reads only
//! digests that are new.

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest};

/// The media types a manifest GET accepts (`docs/github-behaviour.md`,
/// "Container images").
pub(crate) const ACCEPTED: [&str; 4] = [
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// The largest manifest read: the OCI distribution spec asks registries to
/// accept manifests of at least 4 MiB, and real ones are a few KiB.
pub(crate) const MAX_MANIFEST: usize = 4 * 1024 * 1024;

/// The references of one manifest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Manifest {
    /// An index's entries: digest, and what it is for (`os/arch[/variant]`,
    /// or "attestation" for a buildx attestation manifest).
    pub(crate) children: Vec<(String, Option<String>)>,
    /// The OCI 1.1 `subject` it refers to.
    pub(crate) subject: Option<String>,
    /// Its `artifactType`, for referrers.
    pub(crate) artifact_type: Option<String>,
    /// Whether it is an image index or manifest list.
    pub(crate) is_index: bool,
    /// The entries an index describes as image manifests (by their media
    /// type), which list nothing: what they say matters only while they
    /// may be deleted (`container::protect`).
    pub(crate) leaves: Vec<String>,
}

/// The media types of manifests that list no other manifest.
const LEAF_TYPES: [&str; 2] = [
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
];

/// Reads what matters of a manifest's bytes.
pub(crate) fn parse(bytes: &[u8]) -> Result<Manifest, String> {
    #[derive(serde::Deserialize)]
    struct Shape {
        manifests: Option<serde::de::IgnoredAny>,
    }
    let shape: Shape = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if shape.manifests.is_some() {
        let index = ImageIndex::from_reader(bytes).map_err(|e| e.to_string())?;
        Ok(Manifest {
            children: index.manifests().iter().map(entry).collect(),
            subject: index.subject().as_ref().map(|s| s.digest().to_string()),
            artifact_type: index.artifact_type().as_ref().map(ToString::to_string),
            is_index: true,
            leaves: index
                .manifests()
                .iter()
                .filter(|d| LEAF_TYPES.contains(&d.media_type().to_string().as_str()))
                .map(|d| d.digest().to_string())
                .collect(),
        })
    } else {
        let manifest = ImageManifest::from_reader(bytes).map_err(|e| e.to_string())?;
        Ok(Manifest {
            children: Vec::new(),
            subject: manifest.subject().as_ref().map(|s| s.digest().to_string()),
            artifact_type: manifest.artifact_type().as_ref().map(ToString::to_string),
            is_index: false,
            leaves: Vec::new(),
        })
    }
}

/// An index entry's digest and what it is for.
fn entry(descriptor: &Descriptor) -> (String, Option<String>) {
    let attestation = descriptor
        .annotations()
        .as_ref()
        .and_then(|a| a.get("vnd.docker.reference.type"))
        .is_some_and(|kind| kind == "attestation-manifest");
    let platform = if attestation {
        Some("attestation".to_owned())
    } else {
        descriptor.platform().as_ref().map(|p| {
            let mut text = format!("{}/{}", p.os(), p.architecture());
            if let Some(variant) = p.variant() {
                text = format!("{text}/{variant}");
            }
            text
        })
    };
    (descriptor.digest().to_string(), platform)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_name_children_and_manifests_their_subject() {
        let index = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","size":1,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
            {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb","size":1,"platform":{"os":"unknown","architecture":"unknown"},"annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]}"#;
        let parsed = parse(index).unwrap();
        assert!(parsed.is_index);
        assert_eq!(parsed.children[0].1.as_deref(), Some("linux/arm64/v8"));
        assert_eq!(parsed.children[1].1.as_deref(), Some("attestation"));
        assert_eq!(parsed.leaves.len(), 2, "both entries are image manifests");

        let referrer = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/spdx+json",
            "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},
            "layers":[],"subject":{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc","size":9}}"#;
        let parsed = parse(referrer).unwrap();
        assert!(!parsed.is_index);
        assert_eq!(
            parsed.subject.as_deref(),
            Some("sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc")
        );
        assert_eq!(
            parsed.artifact_type.as_deref(),
            Some("application/spdx+json")
        );
        assert!(parse(b"<html>").is_err());
    }
}
