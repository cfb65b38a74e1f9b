//! Building the world a [`Seed`] describes, checking it on the way.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use crate::github::model::{Owner, Package, State, Token, Version, image_path};
use crate::images;
use crate::seed::{Seed, TokenKind};

impl State {
    /// The world a seed describes.
    pub(crate) fn from_seed(seed: &Seed, now: DateTime<Utc>) -> Result<Self, String> {
        let mut state = Self::default();
        let mut next_owner = 1000;
        let mut add_owner = |state: &mut Self, login: &str, members: Option<BTreeSet<String>>| {
            let key = login.to_ascii_lowercase();
            match state.owners.get_mut(&key) {
                Some(existing) if members.is_some() => existing.members = members,
                Some(_) => {}
                None => {
                    next_owner += 1;
                    state.owners.insert(
                        key,
                        Owner {
                            login: login.to_owned(),
                            id: next_owner,
                            members,
                        },
                    );
                }
            }
        };
        for org in &seed.orgs {
            for member in &org.members {
                add_owner(&mut state, member, None);
            }
            let members = org.members.iter().map(|m| m.to_ascii_lowercase()).collect();
            add_owner(&mut state, &org.login, Some(members));
        }
        for user in &seed.users {
            add_owner(&mut state, &user.login, None);
        }
        for (number, token) in seed.tokens.iter().enumerate() {
            if token.kind == TokenKind::Classic {
                add_owner(&mut state, &token.user, None);
            }
            if token.kind == TokenKind::Actions && token.repository.is_none() {
                return Err(format!("Actions token #{} needs a repository", number + 1));
            }
            let label = match token.kind {
                TokenKind::Classic => format!("{} (classic token #{})", token.user, number + 1),
                TokenKind::Actions => format!(
                    "GITHUB_TOKEN of {} (token #{})",
                    token.repository.as_deref().unwrap_or("?"),
                    number + 1
                ),
            };
            state.tokens.insert(
                token.token.clone(),
                Token {
                    label,
                    user: token.user.to_ascii_lowercase(),
                    kind: token.kind,
                    scopes: token.scopes.clone(),
                    repository: token.repository.clone(),
                },
            );
        }

        let mut next_version = 100_000;
        for (number, seed) in seed.packages.iter().enumerate() {
            let owner = seed.owner.to_ascii_lowercase();
            if !state.owners.contains_key(&owner) {
                return Err(format!(
                    "the owner `{}` of package `{}` is neither an org nor a user of the seed",
                    seed.owner, seed.name
                ));
            }
            if !["public", "private", "internal"].contains(&seed.visibility.as_str()) {
                return Err(format!(
                    "package `{}` has visibility `{}`; use public, private or internal",
                    seed.name, seed.visibility
                ));
            }
            let count = seed.versions.len() + seed.images.len();
            let spaced = |i: usize| now - Duration::hours((count - i) as i64);
            let mut versions = Vec::new();
            let mut new_version =
                |name: String, tags, created, downloads, license, description, deleted| {
                    next_version += 1;
                    Version {
                        id: next_version,
                        name,
                        tags,
                        created,
                        updated: created,
                        downloads,
                        deleted,
                        license,
                        description,
                    }
                };
            for (i, version) in seed.versions.iter().enumerate() {
                let created = version.created.unwrap_or_else(|| spaced(i));
                versions.push(new_version(
                    version.name.clone(),
                    version.tags.clone(),
                    created,
                    version.downloads,
                    version.license.clone(),
                    version.description.clone(),
                    version.deleted,
                ));
            }
            let path = image_path(&seed.owner, &seed.name);
            for (i, image) in seed.images.iter().enumerate() {
                let created = image
                    .created
                    .unwrap_or_else(|| spaced(seed.versions.len() + i));
                if let Some(base) = &image.same_as {
                    let retagged = versions
                        .iter_mut()
                        .find(|v| v.tags.contains(base))
                        .ok_or_else(|| no_earlier(&seed.name, "same_as", base))?;
                    retagged.tags.extend(image.tags.iter().cloned());
                    continue;
                }
                if let Some(base) = &image.shares_platforms_of {
                    let index = versions
                        .iter()
                        .find(|v| v.tags.contains(base))
                        .and_then(|v| state.manifests.get(&v.name))
                        .ok_or_else(|| no_earlier(&seed.name, "shares_platforms_of", base))?;
                    let listed: Vec<String> =
                        serde_json::from_slice::<serde_json::Value>(&index.bytes)
                            .ok()
                            .and_then(|v| v["manifests"].as_array().cloned())
                            .ok_or_else(|| {
                                format!("package `{}`: `{base}` is no multi-arch image", seed.name)
                            })?
                            .iter()
                            .filter_map(|d| d["digest"].as_str().map(str::to_owned))
                            .collect();
                    let children: Vec<&images::Manifest> = listed
                        .iter()
                        .filter_map(|d| state.manifests.get(d))
                        .collect();
                    let rebuilt = images::index_at(&children, created);
                    for version in versions.iter_mut() {
                        version.tags.retain(|t| !image.tags.contains(t));
                    }
                    versions.push(new_version(
                        rebuilt.digest.clone(),
                        image.tags.clone(),
                        created,
                        image.downloads,
                        None,
                        None,
                        None,
                    ));
                    state.manifests.insert(rebuilt.digest.clone(), rebuilt);
                    continue;
                }
                let built = images::build(&path, i, image, created);
                for version in built.versions {
                    versions.push(new_version(
                        version.digest,
                        version.tags,
                        version.created,
                        version.downloads,
                        None,
                        None,
                        None,
                    ));
                }
                for manifest in built.manifests {
                    state.manifests.insert(manifest.digest.clone(), manifest);
                }
            }
            let created = seed
                .created
                .or_else(|| versions.iter().map(|v| v.created).min())
                .unwrap_or(now);
            let updated = versions.iter().map(|v| v.created).max().unwrap_or(created);
            state.packages.push(Package {
                id: 5000 + number as u64,
                owner,
                package_type: seed.package_type.clone(),
                name: seed.name.clone(),
                visibility: seed.visibility.clone(),
                repository: seed.repository.clone(),
                created,
                updated,
                docker_conflict: seed.docker_conflict,
                deleted: seed.deleted,
                versions,
            });
        }
        Ok(state)
    }
}

/// The error for an image entry naming no earlier tag of its package.
fn no_earlier(package: &str, key: &str, tag: &str) -> String {
    format!("package `{package}`: `{key} = \"{tag}\"` names no earlier image's tag")
}
