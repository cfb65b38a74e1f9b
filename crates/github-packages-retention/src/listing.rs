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
//!   carries, means versions were skipped. The listing is read once more;
//!   if it still does not add up, the package is not trusted (`unsound`),
//!   and nothing in it is deleted.

use std::collections::{HashMap, HashSet};

use futures::TryStreamExt;
use github_packages::{PackageRef, PackageType, PackageVersion, VersionId};

use crate::container::image_path;
use crate::container::registry::Registry;
use crate::plan::shown;

/// Times a listing is read before it is given up as unsound.
const ATTEMPTS: usize = 2;

/// What GitHub listed, each id once.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    pub(crate) versions: Vec<PackageVersion>,
    /// Ids listed twice with different tags, with the other tags.
    pub(crate) listed_twice: HashMap<VersionId, Vec<String>>,
    /// Why the listing cannot be trusted to be whole, if it cannot.
    pub(crate) unsound: Option<String>,
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
    for _ in 0..ATTEMPTS {
        let about = package.get().await?;
        let image =
            image_path(package.owner(), package.name(), about.owner_login()).filter(|_| container);
        let registry_tags = match (registry, &image) {
            (Some(registry), Some(image)) => Some(registry.tags(image).await.map_err(|e| {
                format!(
                    "the registry's tag list could not be read from {} ({e})",
                    registry.url()
                )
            })),
            _ => None,
        };
        let listed: Vec<PackageVersion> = package.versions().stream().try_collect().await?;
        listing = check(listed, about.version_count(), registry_tags);
        listing.image = image;
        if listing.unsound.is_none() {
            break;
        }
    }
    Ok(listing)
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
