//! Tags that name another image instead of a release: a version carrying
//! only such tags follows the image it names (`docs/github-behaviour.md`,
//! "Container images"):
//!
//! - cosign's `sha256-<hex>.sig`, `.att` and `.sbom`: a signature,
//!   attestation or SBOM of `sha256:<hex>`;
//! - the OCI referrers tag `sha256-<hex>` (no suffix): an index of every
//!   artifact that refers to `sha256:<hex>`, pushed by cosign in OCI 1.1
//!   mode and GitHub's `actions/attest-build-provenance` on registries
//!   without a referrers API, such as ghcr.io.
//!
//! Such tags never make a version a release: they are not counted among
//! the most recent tagged versions and no tag pattern selects a version by
//! them.

use crate::plan::shown;

/// What a following tag says about the digest it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Follows {
    /// A cosign signature, attestation or SBOM (`sig`, `att`, `sbom`).
    Cosign(&'static str),
    /// The referrers index of the OCI distribution spec's tag schema.
    Referrers,
}

/// The cosign tag suffixes.
const COSIGN: [&str; 3] = ["sig", "att", "sbom"];

/// The digest a following tag names, and how it follows it; `None` for
/// any other tag.
pub(crate) fn follows(tag: &str) -> Option<(String, Follows)> {
    let (name, follows) = match tag.rsplit_once('.') {
        Some((name, suffix)) => (
            name,
            Follows::Cosign(COSIGN.into_iter().find(|k| *k == suffix)?),
        ),
        None => (tag, Follows::Referrers),
    };
    let (algorithm, hex) = name.split_once('-')?;
    let valid =
        algorithm == "sha256" && hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    valid.then(|| (format!("{algorithm}:{}", hex.to_ascii_lowercase()), follows))
}

/// A tag for people: one that names another image with its digest cut
/// like a version's (`sha256-0123456789ab….sig`), any other whole; either
/// with control characters, escapes and bidirectional overrides made
/// visible, and cut at a character boundary if long.
pub fn short_tag(tag: &str) -> String {
    match follows(tag) {
        Some((digest, how)) => {
            let hex = digest.trim_start_matches("sha256:");
            let suffix = match how {
                Follows::Cosign(kind) => format!(".{kind}"),
                Follows::Referrers => String::new(),
            };
            format!("sha256-{}…{suffix}", &hex[..12])
        }
        None => shown(tag),
    }
}

/// Whether `tag` names another image rather than a release.
pub(crate) fn is_following(tag: &str) -> bool {
    follows(tag).is_some()
}

/// A version's tags that name releases: all but the following ones.
pub(crate) fn release_tags(tags: &[String]) -> Vec<String> {
    tags.iter().filter(|t| !is_following(t)).cloned().collect()
}

/// Whether a version has tags and all of them name another image: it
/// follows that image.
pub(crate) fn only_following(tags: &[String]) -> bool {
    !tags.is_empty() && tags.iter().all(|t| is_following(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn following_tags_name_their_digest() {
        let digest = format!("sha256:{HEX}");
        assert_eq!(
            follows(&format!("sha256-{HEX}.sig")),
            Some((digest.clone(), Follows::Cosign("sig")))
        );
        assert_eq!(
            follows(&format!("sha256-{HEX}.sbom")),
            Some((digest.clone(), Follows::Cosign("sbom")))
        );
        assert_eq!(
            follows(&format!("sha256-{HEX}")),
            Some((digest, Follows::Referrers))
        );
        for not in [
            "v1.2.3".to_owned(),
            "latest".to_owned(),
            "sha256-abc.sig".to_owned(),
            format!("sha256-{HEX}.txt"),
            format!("sha256-{}x", &HEX[1..]),
            format!("-{HEX}.sig"),
            format!("md5-{HEX}"),
            format!("sha256-{HEX}0"),
        ] {
            assert_eq!(follows(&not), None, "{not}");
        }
    }

    #[test]
    fn following_tags_are_shortened_for_people() {
        assert_eq!(
            short_tag(&format!("sha256-{HEX}.att")),
            "sha256-0123456789ab….att"
        );
        assert_eq!(short_tag(&format!("sha256-{HEX}")), "sha256-0123456789ab…");
        assert_eq!(short_tag("v1\u{1b}[2J"), "v1\\u{1b}[2J");
    }

    #[test]
    fn only_release_tags_make_a_release() {
        let sig = format!("sha256-{HEX}.sig");
        let referrers = format!("sha256-{HEX}");
        assert!(only_following(&[sig.clone(), referrers.clone()]));
        assert!(!only_following(&[]));
        assert!(!only_following(&[sig.clone(), "v1".to_owned()]));
        assert_eq!(release_tags(&[sig, "v1".to_owned(), referrers]), ["v1"]);
    }
}
