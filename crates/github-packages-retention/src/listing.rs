//! A package's versions as GitHub lists them, checked rather than trusted.
//!
//! GitHub pages by position in a list it computes again for every page, so
//! a listing read while versions are deleted or pushed can skip a version
//! or show one twice, and nothing in the answer says so
//! (`docs/github-behaviour.md`, "Paging and listings"). A hostile server
//! can do the same on purpose. Every listing used for a decision is
//! therefore checked:
//!
//! - a version id listed twice is kept once; listed twice with different
//!   tags, it is reported (the plan keeps it);
//! - fewer distinct versions than the package's `version_count` (from the
//!   single-package GET), or a tag the registry has that no listed version
//!   carries, may mean versions were skipped. The listing is read again,
//!   up to [`READS`] times in all. A listing that adds up is used; so is
//!   one that is short of `version_count` only, if two reads in a row
//!   listed exactly the same versions with the same tags (nothing moved
//!   while they were read, so nothing was skipped; GitHub's count may
//!   count something else). Otherwise the package is not trusted
//!   (`unsound`), and nothing in it is deleted.

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use github_packages::{PackageRef, PackageType, PackageVersion, VersionId};

use crate::container::image_path;
use crate::container::registry::Registry;
use crate::plan::shown;

/// Times a listing is read before it is given up as unsound.
const READS: usize = 3;

/// What GitHub listed, each id once.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub(crate) versions: Vec<PackageVersion>,
    /// Ids listed twice with different tags, with the other tags.
    pub(crate) listed_twice: HashMap<VersionId, Vec<String>>,
    /// Why the listing cannot be trusted to be whole, if it cannot.
    pub(crate) unsound: Option<String>,
    /// Whether `unsound` only says the listing is short of `version_count`.
    short_of_count: bool,
    /// For a container package, its image path (`owner/name`), if known.
    pub(crate) image: Option<String>,
}

/// Reads the versions of `package` and checks them against its
/// `version_count` and, for a container package with a `registry`, the
/// image's tags there.
pub(crate) async fn read(
    package: &PackageRef,
    registry: Option<&Registry>,
) -> Result<Listing, github_packages::Error> {
    let container = *package.package_type() == PackageType::Container;
    let mut listing = Listing::default();
    let mut previous: Option<Vec<(VersionId, String, Vec<String>)>> = None;
    let tags_of = |image: Option<String>| async move {
        let tags = match (registry, &image) {
            (Some(registry), Some(path)) => Some(registry.tags(path).await.map_err(|e| {
                format!(
                    "the registry's tag list could not be read from {} ({e})",
                    registry.url()
                )
            })),
            _ => None,
        };
        (image, tags)
    };
    for _ in 0..READS {
        // The package's count and the registry's tags are read before the
        // listing, so that whatever they show was there when it began: at
        // once, unless the image's path needs the package's owner (the
        // authenticated user's packages).
        let (about, (image, registry_tags)) =
            match image_path(package.owner(), package.name(), None).filter(|_| container) {
                Some(image) => futures::future::join(package.get(), tags_of(Some(image))).await,
                None => {
                    let about = package.get().await?;
                    let login = about.owner_login();
                    let image =
                        image_path(package.owner(), package.name(), login).filter(|_| container);
                    (Ok(about), tags_of(image).await)
                }
            };
        let about = about?;
        let listed: Vec<PackageVersion> = package.versions().stream().try_collect().await?;
        listing = check(listed, about.version_count(), registry_tags);
        listing.image = image;
        if accept(&mut listing, &mut previous) {
            break;
        }
    }
    Ok(listing)
}

/// Whether `listing` can be used: it adds up, or it is short of
/// `version_count` only and lists what the `previous` read listed.
fn accept(
    listing: &mut Listing,
    previous: &mut Option<Vec<(VersionId, String, Vec<String>)>>,
) -> bool {
    if listing.unsound.is_none() {
        return true;
    }
    let seen: Vec<(VersionId, String, Vec<String>)> = listing
        .versions
        .iter()
        .map(|v| {
            let tags = sorted(v.tags()).into_iter().map(str::to_owned).collect();
            (v.id(), v.name().to_owned(), tags)
        })
        .collect();
    let stable = listing.short_of_count
        && listing.listed_twice.is_empty()
        && previous.as_ref() == Some(&seen);
    *previous = Some(seen);
    if stable {
        listing.unsound = None;
    }
    stable
}

/// Removes repeats from `listed` and says whether it adds up.
fn check(
    listed: Vec<PackageVersion>,
    expected: Option<i64>,
    registry_tags: Option<Result<Vec<String>, String>>,
) -> Listing {
    let mut listing = Listing::default();
    let mut seen: HashMap<VersionId, usize> = HashMap::new();
    for version in listed {
        match seen.get(&version.id()) {
            Some(&first) => {
                let earlier = &listing.versions[first];
                if sorted(earlier.tags()) != sorted(version.tags())
                    || earlier.name() != version.name()
                {
                    listing
                        .listed_twice
                        .insert(version.id(), version.tags().to_vec());
                }
            }
            None => {
                seen.insert(version.id(), listing.versions.len());
                listing.versions.push(version);
            }
        }
    }
    let distinct = listing.versions.len();
    if let Some(expected) = expected
        && i64::try_from(distinct).is_ok_and(|distinct| distinct < expected)
    {
        listing.unsound = Some(format!(
            "GitHub listed {distinct} versions of a package it says has {expected}; the listing \
             changed while it was read, so it may have skipped some"
        ));
        listing.short_of_count = true;
        return listing;
    }
    match registry_tags {
        None => {}
        Some(Err(error)) => listing.unsound = Some(error),
        Some(Ok(tags)) => {
            let listed: HashSet<&str> = listing
                .versions
                .iter()
                .flat_map(|v| v.tags())
                .map(String::as_str)
                .collect();
            if let Some(missing) = tags.iter().find(|t| !listed.contains(t.as_str())) {
                listing.unsound = Some(format!(
                    "the registry has tag {} but no version GitHub listed carries it; the \
                     listing changed while it was read, so it may have skipped some",
                    shown(missing)
                ));
            }
        }
    }
    listing
}

fn sorted(tags: &[String]) -> Vec<&str> {
    let mut tags: Vec<&str> = tags.iter().map(String::as_str).collect();
    tags.sort_unstable();
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(id: i64, tags: &[&str]) -> PackageVersion {
        serde_json::from_value(serde_json::json!({
            "id": id,
            "name": format!("sha256:{id:064x}"),
            "url": "https://api.github.com/x",
            "package_html_url": "https://github.com/x",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
            "metadata": {"package_type": "container", "container": {"tags": tags}},
        }))
        .unwrap()
    }

    #[test]
    fn repeats_are_removed_and_different_tags_reported() {
        let listing = check(
            vec![
                version(1, &["a"]),
                version(2, &[]),
                version(1, &["a"]),
                version(2, &["b"]),
            ],
            Some(2),
            None,
        );
        assert_eq!(listing.versions.len(), 2);
        assert_eq!(listing.unsound, None);
        assert_eq!(
            listing.listed_twice,
            HashMap::from([(VersionId::new(2), vec!["b".to_owned()])])
        );
    }

    #[test]
    fn a_listing_short_of_its_count_is_used_only_when_two_reads_agree() {
        let mut previous = None;
        let read = |tags: &[&str]| check(vec![version(1, tags), version(2, &[])], Some(3), None);
        let mut first = read(&["a"]);
        assert!(!accept(&mut first, &mut previous), "{:?}", first.unsound);
        let mut moved = read(&["b"]);
        assert!(!accept(&mut moved, &mut previous), "the tags moved");
        let mut again = read(&["b"]);
        assert!(accept(&mut again, &mut previous), "two reads agree");
        assert_eq!(again.unsound, None);
    }

    #[test]
    fn a_tag_only_the_registry_has_is_never_overlooked() {
        let mut previous = None;
        for _ in 0..2 {
            let mut listing = check(
                vec![version(1, &["a"])],
                Some(1),
                Some(Ok(vec!["a".to_owned(), "hidden".to_owned()])),
            );
            assert!(!accept(&mut listing, &mut previous));
            assert!(listing.unsound.as_deref().unwrap().starts_with(
                "the registry has tag hidden but no version GitHub listed carries it"
            ));
        }
    }
}
