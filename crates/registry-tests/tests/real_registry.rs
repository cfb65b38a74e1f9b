//! The registry side of retention against a real registry: Debian's
//! `docker-registry` (the CNCF distribution registry), started on loopback
//! by the test, with multi-arch indexes (one nested), their children,
//! cosign-style signatures and OCI 1.1 referrers pushed to it: what a kept
//! index needs, what goes with a deleted one, partial and orphaned images,
//! and the placeholder push that moves a tag off an image. Where GitHub's
//! side is needed, the fake lists versions named by the pushed digests.
//!
//! `.ci/run` installs the package and the tests must run there
//! (`CI=true`); elsewhere, without the package, they show as ignored, with
//! the reason (the build script sets `cfg(docker_registry)`).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use github_packages::{Owner, PackageType, VersionId};
use github_packages_fake::{PackageSeed, VersionSeed};
use github_packages_retention::{
    Action, Age, Outcome, PackagePlan, Pattern, Policy, Reason, Registry, Retention, VersionPlan,
};
use oci_client::secrets::RegistryAuth;
use serde_json::{Value, json};

// The retention crate's test helpers, shared rather than copied.
#[path = "../../github-packages-retention/tests/support/on_fake.rs"]
mod on_fake;
#[path = "../../github-packages-retention/tests/support/pusher.rs"]
mod pusher;
use on_fake::{client, days_ago, fake_with};
use pusher::{Pusher, REPOSITORY, digest};

const BINARY: &str = "/usr/bin/docker-registry";

/// A registry process, stopped when dropped.
struct RunningRegistry {
    child: Child,
    address: String,
    _storage: tempfile::TempDir,
}

impl Drop for RunningRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the registry on a free loopback port.
fn start_registry() -> RunningRegistry {
    assert!(
        Path::new(BINARY).exists(),
        "{BINARY} is missing; .ci/run installs the docker-registry package, and CI needs this test"
    );
    for _ in 0..5 {
        let storage = tempfile::tempdir().expect("a temporary directory");
        // A free port: bound, noted, let go. Another process may take it
        // first, in which case the registry exits and we try again.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let address = format!("127.0.0.1:{port}");
        let config = storage.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {address}\n",
                storage.path().join("data").display()
            ),
        )
        .expect("the registry's configuration");
        let child = Command::new(BINARY)
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the registry starts");
        let mut registry = RunningRegistry {
            child,
            address,
            _storage: storage,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if registry.child.try_wait().ok().flatten().is_some() {
                break; // it exited: the port was taken
            }
            if std::net::TcpStream::connect(&registry.address).is_ok() {
                return registry;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    panic!("the registry did not start");
}

fn version(id: i64, name: &str, tags: &[&str], reason: Reason) -> VersionPlan {
    VersionPlan {
        id: VersionId::new(id),
        name: name.to_owned(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        created_at: Utc::now(),
        reason,
    }
}

fn delete() -> Reason {
    Reason::Untagged { age_days: 40 }
}

/// What the tests push: a multi-arch index tagged `v1` with a cosign-style
/// signature and an OCI 1.1 referrer, and an unrelated manifest.
struct Pushed {
    index: Value,
    index_digest: String,
    amd64: Value,
    arm64: Value,
    signature: Value,
    signature_tag: String,
    referrer: Value,
    orphan: Value,
}

async fn push_tree(pusher: &Pusher) -> Pushed {
    let amd64 = pusher
        .manifest(&pusher.image("amd64", None).await, None)
        .await;
    let arm64 = pusher
        .manifest(&pusher.image("arm64", None).await, None)
        .await;
    let mut amd64_entry = amd64.clone();
    amd64_entry["platform"] = json!({"os": "linux", "architecture": "amd64"});
    let mut arm64_entry = arm64.clone();
    arm64_entry["platform"] = json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [amd64_entry, arm64_entry],
    });
    let index = pusher.manifest(&index, Some("v1")).await;
    let index_digest = index["digest"].as_str().unwrap().to_owned();
    let signature_tag = format!("{}.sig", index_digest.replace(':', "-"));
    let signature = pusher
        .manifest(&pusher.image("signature", None).await, Some(&signature_tag))
        .await;
    let referrer = pusher
        .manifest(&pusher.image("sbom", Some(&index)).await, None)
        .await;
    let orphan = pusher
        .manifest(&pusher.image("orphan", None).await, None)
        .await;
    Pushed {
        index,
        index_digest,
        amd64,
        arm64,
        signature,
        signature_tag,
        referrer,
        orphan,
    }
}

fn name(descriptor: &Value) -> String {
    descriptor["digest"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    not(docker_registry),
    ignore = "needs /usr/bin/docker-registry (apt install docker-registry); CI runs it"
)]
async fn a_real_registry_shows_what_a_kept_index_needs() {
    let running = start_registry();
    let pusher = Pusher::new(&running.address, &RegistryAuth::Anonymous).await;
    let Pushed {
        index_digest,
        amd64,
        arm64,
        signature,
        signature_tag,
        referrer,
        orphan,
        ..
    } = push_tree(&pusher).await;

    let mut plan = PackagePlan::new(
        Owner::org("acme"),
        PackageType::Container,
        "app",
        vec![
            version(1, &index_digest, &["v1"], Reason::NoRule),
            version(2, &name(&amd64), &[], delete()),
            version(3, &name(&arm64), &[], delete()),
            version(4, &name(&signature), &[&signature_tag], delete()),
            version(5, &name(&referrer), &[], delete()),
            version(6, &name(&orphan), &[], delete()),
        ],
    );
    let registry = Registry::new(&format!("http://{}", running.address), None).unwrap();
    registry.protect(REPOSITORY, &mut plan).await;

    assert_eq!(plan.blocked, None);
    let reasons: Vec<&Reason> = plan.versions.iter().map(|v| &v.reason).collect();
    assert!(
        matches!(reasons[1], Reason::Child { index, platform: Some(p) } if *index == index_digest && p == "linux/amd64"),
        "{reasons:?}"
    );
    assert!(matches!(reasons[2], Reason::Child { platform: Some(p), .. } if p == "linux/arm64/v8"));
    assert!(
        matches!(reasons[3], Reason::Signature { of, kind } if *of == index_digest && kind == "sig")
    );
    assert!(
        matches!(reasons[4], Reason::Referrer { of, artifact_type: Some(t) } if *of == index_digest && t == "application/spdx+json")
    );
    assert_eq!(plan.versions[5].action(), Action::Delete, "the orphan goes");
    assert!(plan.is_index(&index_digest));

    // A version the registry does not have: nothing is deleted.
    let mut ghost = PackagePlan::new(
        Owner::org("acme"),
        PackageType::Container,
        "app",
        vec![
            version(1, &index_digest, &["v1"], Reason::NoRule),
            version(7, &digest(b"never pushed"), &[], delete()),
        ],
    );
    registry.protect(REPOSITORY, &mut ghost).await;
    let why = ghost.blocked.clone().expect("blocked");
    assert!(why.contains(&running.address), "{why}");
    assert_eq!(ghost.deletions().count(), 0);
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    not(docker_registry),
    ignore = "needs /usr/bin/docker-registry (apt install docker-registry); CI runs it"
)]
async fn a_real_registry_shows_what_goes_with_a_deleted_index() {
    let running = start_registry();
    let pusher = Pusher::new(&running.address, &RegistryAuth::Anonymous).await;
    let pushed = push_tree(&pusher).await;
    // A second image, kept, that shares the amd64 manifest.
    let mut shared = pushed.amd64.clone();
    shared["platform"] = json!({"os": "linux", "architecture": "amd64"});
    let kept = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [shared],
    });
    let kept = name(&pusher.manifest(&kept, Some("v2")).await);

    let gone = &pushed.index_digest;
    let mut plan = PackagePlan::new(
        Owner::org("acme"),
        PackageType::Container,
        "app",
        vec![
            version(8, &kept, &["v2"], Reason::NoRule),
            version(
                1,
                gone,
                &["v1"],
                Reason::DeleteTags {
                    tags: vec!["v1".to_owned()],
                    pattern: "v1".to_owned(),
                    age_days: 40,
                },
            ),
            version(2, &name(&pushed.amd64), &[], Reason::NoRule),
            version(3, &name(&pushed.arm64), &[], Reason::NoRule),
            version(
                4,
                &name(&pushed.signature),
                &[&pushed.signature_tag],
                Reason::NoRule,
            ),
            version(5, &name(&pushed.referrer), &[], Reason::NoRule),
            version(6, &name(&pushed.orphan), &[], Reason::NoRule),
        ],
    );
    let registry = Registry::new(&format!("http://{}", running.address), None).unwrap();
    registry.protect(REPOSITORY, &mut plan).await;

    assert_eq!(plan.blocked, None);
    let reasons: Vec<&Reason> = plan.versions.iter().map(|v| &v.reason).collect();
    assert!(
        matches!(reasons[2], Reason::Child { index, .. } if *index == kept),
        "shared with the kept image: {reasons:?}"
    );
    let with = |i: usize| match reasons[i] {
        Reason::WithImage { image, part, .. } if image == gone => part.to_string(),
        other => panic!("{i}: {other:?}"),
    };
    assert_eq!(with(3), "linux/arm64/v8 manifest");
    assert_eq!(with(4), "cosign .sig");
    assert_eq!(with(5), "referrer, application/spdx+json");
    assert_eq!(
        *reasons[6],
        Reason::NoRule,
        "part of nothing: an image of its own"
    );
    assert_eq!(plan.deletions().count(), 4);
    assert!(plan.children_of(gone).count() == 2 && pushed.index["digest"] == gone.as_str());
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    not(docker_registry),
    ignore = "needs /usr/bin/docker-registry (apt install docker-registry); CI runs it"
)]
async fn a_real_registry_takes_the_placeholder_that_moves_a_tag_off() {
    let running = start_registry();
    let pusher = Pusher::new(&running.address, &RegistryAuth::Anonymous).await;
    let image = pusher.image("amd64", None).await;
    let image = name(&pusher.manifest(&image, Some("v1")).await);
    pusher
        .manifest(&pusher.tagged("v1").await.0, Some("pr-7"))
        .await;
    // GitHub's side of the same image, from the fake.
    let fake = fake_with([PackageSeed::new("acme", "container", "app").version(
        VersionSeed::new(&image)
            .tags(["v1", "pr-7"])
            .created(days_ago(60)),
    )])
    .await;
    let registry = Registry::new(&format!("http://{}", running.address), None).unwrap();
    let retention = Retention::new(client(&fake)).registry(registry);
    let mut policy = Policy::new(PackageType::Container);
    policy.delete_tags = vec![Pattern::new("pr-*")];
    policy.delete_tags_older_than = Some(Age::days(1));
    policy.delete_tags_untag = true;
    let plan = retention.plan(Owner::org("acme"), &policy).await.unwrap();
    assert_eq!(plan.packages[0].blocked, None, "{plan:#?}");
    assert_eq!(plan.counts().untag, 1);

    let done = retention
        .execute(&plan, Default::default(), |_, _| {})
        .await
        .unwrap();
    // The registry took the placeholder under pr-7; v1 still names the
    // image. (The fake's GitHub does not know of this registry's pushes,
    // so the placeholder version cannot be found to delete: that half is
    // the fake's test, `untagging.rs`.)
    let (placeholder, _) = pusher.tagged("pr-7").await;
    assert_eq!(placeholder["manifests"], json!([]), "{placeholder}");
    assert_eq!(
        placeholder["annotations"]["dev.github-packages-retention.untagged"],
        format!("pr-7 on {image}")
    );
    assert_eq!(pusher.tagged("v1").await.1, image);
    let outcome = &done.packages[0].versions[0];
    assert_eq!(outcome.outcome, Outcome::Failed);
    assert!(
        outcome
            .detail
            .as_deref()
            .unwrap()
            .ends_with("that GitHub does not list, so it stays"),
        "{outcome}"
    );
}

#[tokio::test(flavor = "multi_thread")]
#[cfg_attr(
    not(docker_registry),
    ignore = "needs /usr/bin/docker-registry (apt install docker-registry); CI runs it"
)]
async fn a_real_registry_shows_nested_partial_and_orphaned_images() {
    let running = start_registry();
    let pusher = Pusher::new(&running.address, &RegistryAuth::Anonymous).await;
    let platform = |descriptor: Value, architecture: &str| {
        let mut entry = descriptor;
        entry["platform"] = json!({"os": "linux", "architecture": architecture});
        entry
    };
    let index = |entries: Vec<Value>| {
        json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": entries,
        })
    };
    let amd64 = pusher
        .manifest(&pusher.image("amd64", None).await, None)
        .await;
    let arm64 = pusher
        .manifest(&pusher.image("arm64", None).await, None)
        .await;
    let unlisted = pusher
        .manifest(&pusher.image("riscv64", None).await, None)
        .await;
    let kept = pusher
        .manifest(&pusher.image("kept", None).await, Some("v1"))
        .await;
    // pr-1: an index of an index of two platforms, signed.
    let inner = pusher
        .manifest(
            &index(vec![
                platform(amd64.clone(), "amd64"),
                platform(arm64.clone(), "arm64"),
            ]),
            None,
        )
        .await;
    let outer = pusher
        .manifest(&index(vec![inner.clone()]), Some("pr-1"))
        .await;
    let outer_sig = format!("{}.sig", name(&outer).replace(':', "-"));
    let signature = pusher
        .manifest(&pusher.image("signature", None).await, Some(&outer_sig))
        .await;
    // v2: an index one of whose platforms GitHub does not list.
    let partial = pusher
        .manifest(
            &index(vec![
                platform(amd64.clone(), "amd64"),
                platform(unlisted.clone(), "riscv64"),
            ]),
            Some("v2"),
        )
        .await;
    // A signature of an image GitHub does not list.
    let orphan_tag = format!("{}.sig", name(&unlisted).replace(':', "-"));
    let orphan = pusher
        .manifest(&pusher.image("orphan", None).await, Some(&orphan_tag))
        .await;

    // GitHub's side: every manifest but `unlisted`, with the same tags.
    let listed: [(&Value, &[&str], i64); 8] = [
        (&amd64, &[], 50),
        (&arm64, &[], 50),
        (&kept, &["v1"], 49),
        (&inner, &[], 48),
        (&outer, &["pr-1"], 47),
        (&signature, &[&outer_sig], 46),
        (&partial, &["v2"], 45),
        (&orphan, &[&orphan_tag], 44),
    ];
    let mut package = PackageSeed::new("acme", "container", "app");
    for (descriptor, tags, age) in listed {
        package = package.version(
            VersionSeed::new(name(descriptor))
                .tags(tags.iter().copied())
                .created(days_ago(age)),
        );
    }
    let fake = fake_with([package]).await;
    let registry = Registry::new(&format!("http://{}", running.address), None).unwrap();
    let retention = Retention::new(client(&fake)).registry(registry);
    let mut policy = Policy::new(PackageType::Container);
    policy.keep_tags = vec![Pattern::new("v1")];
    policy.delete_tags = vec![Pattern::new("pr-*")];
    policy.delete_tags_older_than = Some(Age::days(1));
    policy.delete_partial_images = true;
    policy.delete_orphans = true;
    let plan = retention.plan(Owner::org("acme"), &policy).await.unwrap();
    let app = &plan.packages[0];
    assert_eq!(app.blocked, None, "{app:#?}");
    let reason = |descriptor: &Value| {
        &app.versions
            .iter()
            .find(|v| v.name == name(descriptor))
            .unwrap()
            .reason
    };
    assert!(matches!(reason(&outer), Reason::DeleteTags { .. }));
    for part in [&inner, &arm64, &signature] {
        assert!(
            matches!(reason(part), Reason::WithImage { image, .. } if *image == name(&outer)),
            "{:?}",
            reason(part)
        );
    }
    // amd64 is a part of both deleted images, and goes with the first
    // found.
    assert!(
        matches!(reason(&amd64), Reason::WithImage { image, .. }
            if [name(&outer), name(&partial)].contains(image)),
        "{:?}",
        reason(&amd64)
    );
    assert_eq!(
        *reason(&partial),
        Reason::Partial {
            missing: 1,
            platforms: 2
        }
    );
    assert_eq!(
        *reason(&orphan),
        Reason::Orphan {
            of: name(&unlisted)
        }
    );
    assert!(matches!(reason(&kept), Reason::KeepTag { .. }));
    assert_eq!(app.counts().delete, 7);
}
