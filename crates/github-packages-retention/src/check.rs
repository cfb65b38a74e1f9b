//! [`Retention::check`]: which images do not pull completely, and which
//! signatures, attestations and referrers outlived their image, as
//! dataaxiom/ghcr-cleanup-action's `validate` reports them. It reads what
//! planning reads and deletes nothing; the same findings are what
//! `delete_ghost_images`, `delete_partial_images` and `delete_orphans`
//! delete.

use chrono::{DateTime, Utc};
use github_packages::{Owner, PackageRef, PackageType, VersionId};
use serde::{Serialize, Serializer};

use crate::container::graph::Facts;
use crate::container::protect;
use crate::plan::{PackagePlan, Reason, VersionPlan};
use crate::policy::Policy;
use crate::retention::{Retention, selected};
use crate::{decide, listing};

/// What is broken in one container package.
#[derive(Clone, Debug)]
pub struct PackageCheck {
    /// Whose package.
    pub owner: Owner,
    /// Its name.
    pub name: String,
    /// Why it could not be checked, if it could not (its registry or its
    /// listing could not be read or trusted).
    pub blocked: Option<String>,
    /// Its broken versions, newest first, each with a
    /// [broken](Reason::is_broken) reason: a ghost or partial image, an
    /// orphan.
    pub findings: Vec<VersionPlan>,
}

impl PackageCheck {
    /// Whether the package was checked and nothing is broken.
    pub fn is_sound(&self) -> bool {
        self.blocked.is_none() && self.findings.is_empty()
    }
}

/// `{owner, name, blocked, findings: [{id, name, tags, created_at, rule, …, why}]}`.
impl Serialize for PackageCheck {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Finding<'a> {
            id: VersionId,
            name: &'a str,
            tags: &'a [String],
            created_at: DateTime<Utc>,
            #[serde(flatten)]
            reason: &'a Reason,
            why: String,
        }
        #[derive(Serialize)]
        struct Flat<'a> {
            owner: String,
            name: &'a str,
            blocked: &'a Option<String>,
            findings: Vec<Finding<'a>>,
        }
        Flat {
            owner: self.owner.to_string(),
            name: &self.name,
            blocked: &self.blocked,
            findings: self
                .findings
                .iter()
                .map(|v| Finding {
                    id: v.id,
                    name: &v.name,
                    tags: &v.tags,
                    created_at: v.created_at,
                    reason: &v.reason,
                    why: v.reason.to_string(),
                })
                .collect(),
        }
        .serialize(serializer)
    }
}

impl Retention {
    /// Checks every container package of `owner` that `policy` selects
    /// (only its `package_type`, which must be `container`, and `packages`
    /// count): image indexes whose platform manifests GitHub does not all
    /// list (ghosts: none; partial images: some), and signatures,
    /// attestations, referrers indexes and referrers whose image it does
    /// not list (orphans). Sends nothing but GETs.
    pub async fn check(
        &self,
        owner: Owner,
        policy: &Policy,
    ) -> Result<Vec<PackageCheck>, github_packages::Error> {
        if policy.package_type != PackageType::Container {
            return Err(github_packages::Error::Config(
                "checking reads image manifests, which only container packages have".to_owned(),
            ));
        }
        let owner_packages = self.client.packages(owner);
        let mut checks = Vec::new();
        for name in selected(&owner_packages, policy).await? {
            let package = owner_packages.package(PackageType::Container, name);
            checks.push(self.check_package(&package).await?);
        }
        Ok(checks)
    }

    async fn check_package(
        &self,
        package: &PackageRef,
    ) -> Result<PackageCheck, github_packages::Error> {
        let registry = self.registry.as_ref();
        let listing = listing::read(package, registry).await?;
        let mut check = PackageCheck {
            owner: package.owner().clone(),
            name: package.name().to_owned(),
            blocked: listing.unsound.clone(),
            findings: Vec::new(),
        };
        if check.blocked.is_some() {
            return Ok(check);
        }
        let everything = Policy::new(PackageType::Container);
        let now = Utc::now();
        let decide = |facts: &Facts| {
            decide::decide(
                &everything,
                &PackageType::Container,
                &listing.versions,
                &listing.listed_twice,
                facts,
                now,
            )
        };
        let mut plan = PackagePlan::new(
            check.owner.clone(),
            PackageType::Container,
            check.name.clone(),
            decide(&Facts::default()),
        );
        // Every manifest: what is broken is the question.
        let image = listing.image.as_deref();
        if let Err(why) = protect::plan_image(registry, image, &mut plan, true, decide, None).await
        {
            check.blocked = Some(why);
            return Ok(check);
        }
        let facts = protect::facts(&plan);
        check.findings = plan
            .versions
            .into_iter()
            .filter_map(|mut version| {
                version.reason = facts.broken.get(&version.name)?.clone();
                Some(version)
            })
            .collect();
        Ok(check)
    }
}
