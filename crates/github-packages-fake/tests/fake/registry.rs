//! The registry side of container packages, consistent with the REST side.

use base64::Engine;
use github_packages_fake::images::media;
use github_packages_fake::{Fake, ImageSeed, LimitsSeed, PackageSeed, Seed, TokenSeed};
use serde_json::{Value, json};

use crate::support::{ALICE, BOB, get, http, send, start};

fn seed() -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .user("bob")
        .token(TokenSeed::all_scopes(ALICE, "alice"))
        .token(TokenSeed::all_scopes(BOB, "bob"))
        .limits(LimitsSeed::off())
        .package(
            PackageSeed::new("acme", "container", "team/app")
                .image(
                    ImageSeed::new(["v1.0.0", "latest"])
                        .platforms(["linux/amd64", "linux/arm64"])
                        .attestations()
                        .signed()
                        .with_referrer(),
                )
                .image(ImageSeed::new(["v0.9.0"]))
                .image(ImageSeed::untagged()),
        )
        .package(
            PackageSeed::new("acme", "container", "public-app")
                .visibility("public")
                .image(ImageSeed::new(["edge"])),
        )
}

/// A registry token for `scope`, with the GitHub token as password.
async fn registry_token(fake: &Fake, github_token: Option<&str>, name: &str) -> String {
    let mut request = http().get(format!(
        "{}/token?scope=repository:{name}:pull&service=ghcr.io",
        fake.url()
    ));
    if let Some(token) = github_token {
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("anyone:{token}"));
        request = request.header("authorization", format!("Basic {basic}"));
    }
    let answer: Value = request.send().await.unwrap().json().await.unwrap();
    answer["token"].as_str().unwrap().to_owned()
}

/// GET or HEAD of a manifest: status, content type, digest header, body.
async fn manifest(
    fake: &Fake,
    method: &str,
    name: &str,
    reference: &str,
    token: &str,
) -> (u16, Option<String>, Option<String>, Vec<u8>) {
    let response = http()
        .request(
            method.parse().unwrap(),
            format!("{}/v2/{name}/manifests/{reference}", fake.url()),
        )
        .bearer_auth(token)
        .header(
            "accept",
            [
                media::OCI_INDEX,
                media::OCI_MANIFEST,
                media::DOCKER_LIST,
                media::DOCKER_MANIFEST,
            ]
            .join(", "),
        )
        .send()
        .await
        .unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (status, content_type, digest) = (
        response.status().as_u16(),
        header("content-type"),
        header("docker-content-digest"),
    );
    (
        status,
        content_type,
        digest,
        response.bytes().await.unwrap().to_vec(),
    )
}

#[tokio::test]
async fn an_anonymous_request_gets_a_challenge_naming_the_token_endpoint() {
    let fake = start(seed()).await;
    let response = http()
        .get(format!("{}/v2/acme/team/app/manifests/latest", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    assert_eq!(
        challenge,
        format!(
            r#"Bearer realm="{}/token",service="ghcr.io",scope="repository:acme/team/app:pull""#,
            fake.url()
        )
    );
    let bad = http()
        .get(format!(
            "{}/token?scope=repository:acme/team/app:pull",
            fake.url()
        ))
        .header(
            "authorization",
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("x:ghp_wrong")
            ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
}

#[tokio::test]
async fn a_multi_arch_index_lists_the_untagged_versions_as_its_children() {
    let fake = start(seed()).await;
    let token = registry_token(&fake, Some(ALICE), "acme/team/app").await;
    let (status, content_type, digest, body) =
        manifest(&fake, "GET", "acme/team/app", "v1.0.0", &token).await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some(media::OCI_INDEX));
    let index: Value = serde_json::from_slice(&body).unwrap();
    let digest = digest.unwrap();
    assert_eq!(digest, github_packages_fake::images::digest(&body));

    let versions = get(
        &fake,
        "/orgs/acme/packages/container/team%2Fapp/versions?per_page=100",
        Some(ALICE),
    )
    .await;
    let by_digest = |d: &str| {
        versions
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == d)
            .cloned()
    };
    let tagged = by_digest(&digest).expect("the index is a version");
    assert_eq!(
        tagged["metadata"]["container"]["tags"],
        json!(["v1.0.0", "latest"])
    );
    let children = index["manifests"].as_array().unwrap();
    assert_eq!(children.len(), 4, "two platforms, two attestations");
    for child in children {
        let version =
            by_digest(child["digest"].as_str().unwrap()).expect("each child is a version");
        assert_eq!(version["metadata"]["container"]["tags"], json!([]));
        let (status, _, _, _) = manifest(
            &fake,
            "GET",
            "acme/team/app",
            child["digest"].as_str().unwrap(),
            &token,
        )
        .await;
        assert_eq!(status, 200);
    }
    assert_eq!(
        children[1]["annotations"]["vnd.docker.reference.type"],
        "attestation-manifest"
    );
}

#[tokio::test]
async fn signatures_are_tagged_versions_and_referrers_name_their_subject() {
    let fake = start(seed()).await;
    let token = registry_token(&fake, Some(ALICE), "acme/team/app").await;
    let (_, _, digest, _) = manifest(&fake, "HEAD", "acme/team/app", "latest", &token).await;
    let digest = digest.unwrap();
    let signature_tag = format!("sha256-{}.sig", digest.trim_start_matches("sha256:"));
    let (status, _, signature_digest, _) =
        manifest(&fake, "GET", "acme/team/app", &signature_tag, &token).await;
    assert_eq!(status, 200);
    let versions = get(
        &fake,
        "/orgs/acme/packages/container/team%2Fapp/versions?per_page=100",
        Some(ALICE),
    )
    .await;
    let signature = versions
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == signature_digest.as_deref().unwrap())
        .unwrap();
    assert_eq!(
        signature["metadata"]["container"]["tags"],
        json!([signature_tag])
    );

    let untagged: Vec<&Value> = versions
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["metadata"]["container"]["tags"] == json!([]))
        .collect();
    let mut subjects = Vec::new();
    for version in untagged {
        let (_, _, _, body) = manifest(
            &fake,
            "GET",
            "acme/team/app",
            version["name"].as_str().unwrap(),
            &token,
        )
        .await;
        let parsed: Value = serde_json::from_slice(&body).unwrap();
        if let Some(subject) = parsed["subject"]["digest"].as_str() {
            subjects.push(subject.to_owned());
        }
    }
    assert_eq!(subjects, [digest], "one OCI 1.1 referrer, naming the image");
}

#[tokio::test]
async fn head_gives_the_digest_without_a_body_or_a_download() {
    let fake = start(seed()).await;
    let token = registry_token(&fake, Some(ALICE), "acme/team/app").await;
    let (status, _, digest, body) =
        manifest(&fake, "HEAD", "acme/team/app", "v0.9.0", &token).await;
    assert_eq!(status, 200);
    assert!(body.is_empty());
    let digest = digest.unwrap();
    assert_eq!(
        fake.downloads("acme", "container", "team/app", &digest),
        Some(0)
    );
    manifest(&fake, "GET", "acme/team/app", "v0.9.0", &token).await;
    assert_eq!(
        fake.downloads("acme", "container", "team/app", &digest),
        Some(1),
        "a GET counts as a download"
    );
}

#[tokio::test]
async fn a_deleted_version_is_gone_from_the_registry_until_restored() {
    let fake = start(seed()).await;
    let token = registry_token(&fake, Some(ALICE), "acme/team/app").await;
    let versions = get(
        &fake,
        "/orgs/acme/packages/container/team%2Fapp/versions?per_page=100",
        Some(ALICE),
    )
    .await;
    let old = versions
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["metadata"]["container"]["tags"] == json!(["v0.9.0"]))
        .unwrap()
        .clone();
    let path = format!(
        "/orgs/acme/packages/container/team%2Fapp/versions/{}",
        old["id"]
    );
    assert_eq!(send(&fake, "DELETE", &path, Some(ALICE)).await.status, 204);
    assert_eq!(
        manifest(&fake, "GET", "acme/team/app", "v0.9.0", &token)
            .await
            .0,
        404
    );
    assert_eq!(
        manifest(
            &fake,
            "GET",
            "acme/team/app",
            old["name"].as_str().unwrap(),
            &token
        )
        .await
        .0,
        404
    );
    assert_eq!(
        send(&fake, "POST", &format!("{path}/restore"), Some(ALICE))
            .await
            .status,
        204
    );
    assert_eq!(
        manifest(&fake, "GET", "acme/team/app", "v0.9.0", &token)
            .await
            .0,
        200
    );
}

/// ghcr.io refuses the distribution spec's manifest DELETE with 405
/// (docs/github-behaviour.md, "Pushing"): nothing is deleted there.
#[tokio::test]
async fn a_registry_delete_is_refused_as_ghcr_io_refuses_it_and_deletes_nothing() {
    let fake = start(seed()).await;
    let token = registry_token(&fake, Some(ALICE), "acme/team/app").await;
    let (status, _, digest, _) = manifest(&fake, "HEAD", "acme/team/app", "v0.9.0", &token).await;
    assert_eq!(status, 200);
    let digest = digest.unwrap();
    for reference in [digest.as_str(), "v0.9.0"] {
        let refused = http()
            .delete(format!(
                "{}/v2/acme/team/app/manifests/{reference}",
                fake.url()
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status().as_u16(), 405, "{reference}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(
            body,
            json!({"errors": [{"code": "UNSUPPORTED", "message": "The operation is unsupported."}]}),
            "{reference}"
        );
    }
    let (status, _, still, _) = manifest(&fake, "GET", "acme/team/app", "v0.9.0", &token).await;
    assert_eq!((status, still.as_deref()), (200, Some(digest.as_str())));
    let versions = get(
        &fake,
        "/orgs/acme/packages/container/team%2Fapp/versions?per_page=100",
        Some(ALICE),
    )
    .await;
    assert!(
        versions
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["name"] == digest.as_str()),
        "the version is still listed"
    );
}

#[tokio::test]
async fn private_images_need_a_token_that_may_see_them_public_ones_do_not() {
    let fake = start(seed()).await;
    let anonymous = registry_token(&fake, None, "acme/public-app").await;
    assert_eq!(
        manifest(&fake, "GET", "acme/public-app", "edge", &anonymous)
            .await
            .0,
        200
    );
    assert_eq!(
        manifest(&fake, "GET", "acme/team/app", "latest", &anonymous)
            .await
            .0,
        403
    );
    let outsider = registry_token(&fake, Some(BOB), "acme/team/app").await;
    assert_eq!(
        manifest(&fake, "GET", "acme/team/app", "latest", &outsider)
            .await
            .0,
        403
    );
    assert_eq!(
        manifest(&fake, "GET", "acme/nothing", "latest", &anonymous)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_github_token_in_base64_is_taken_as_ghcr_io_takes_it() {
    use base64::Engine as _;
    let fake = start(seed()).await;
    let encoded = |token: &str| base64::engine::general_purpose::STANDARD.encode(token);
    let member = manifest(&fake, "GET", "acme/team/app", "latest", &encoded(ALICE)).await;
    assert_eq!(member.0, 200);
    let outsider = manifest(&fake, "GET", "acme/team/app", "latest", &encoded(BOB)).await;
    assert_eq!(outsider.0, 403, "the token's own rights apply");
    for unknown in [encoded("ghp_unknown"), "not base64 at all".to_owned()] {
        let refused = manifest(&fake, "GET", "acme/team/app", "latest", &unknown).await;
        assert_eq!(refused.0, 401, "{unknown}");
    }
}

#[tokio::test]
async fn tags_are_listed() {
    let fake = start(seed()).await;
    let token = registry_token(&fake, Some(ALICE), "acme/team/app").await;
    let tags: Value = http()
        .get(format!("{}/v2/acme/team/app/tags/list", fake.url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list: Vec<&str> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        list.contains(&"latest") && list.contains(&"v0.9.0"),
        "{list:?}"
    );
    assert!(list.iter().any(|t| t.ends_with(".sig")));
}

#[tokio::test]
async fn the_world_changes_as_a_registry_and_github_change_together() {
    let fake = start(seed()).await;
    let name = "acme/team/app";
    let token = registry_token(&fake, Some(ALICE), name).await;
    let before = fake
        .active_versions("acme", "container", "team/app")
        .unwrap();
    let orphan = before.last().unwrap().clone();

    // A multi-arch push that reuses an existing manifest, tagged `latest`:
    // the tag moves off v1.0.0's index.
    let index = fake
        .change(|world| world.push_index("acme", "team/app", &["latest"], &[&orphan]))
        .unwrap();
    let (status, content_type, digest, body) = manifest(&fake, "GET", name, "latest", &token).await;
    assert_eq!(status, 200);
    assert_eq!(content_type.as_deref(), Some(media::OCI_INDEX));
    assert_eq!(digest.as_deref(), Some(index.as_str()));
    let listed: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(listed["manifests"][0]["digest"], orphan.as_str());
    let after = fake
        .active_versions("acme", "container", "team/app")
        .unwrap();
    assert_eq!(after[0], index, "the newest version");
    assert_eq!(after.len(), before.len() + 1);

    // A pushed image, then a deletion and a restore, as the API does them.
    let pushed = fake
        .change(|world| world.push_image("acme", "team/app", &ImageSeed::new(["v2.0.0"]).signed()))
        .unwrap();
    assert_eq!(manifest(&fake, "HEAD", name, &pushed, &token).await.0, 200);
    fake.change(|world| world.delete_version("acme", "container", "team/app", &pushed))
        .unwrap();
    assert_eq!(manifest(&fake, "HEAD", name, "v2.0.0", &token).await.0, 404);
    fake.change(|world| world.restore_version("acme", "container", "team/app", &pushed))
        .unwrap();
    assert_eq!(manifest(&fake, "HEAD", name, "v2.0.0", &token).await.0, 200);

    // A tag moved by hand, and a change made at a request.
    fake.change(|world| world.move_tag("acme", "team/app", "latest", &pushed))
        .unwrap();
    assert_eq!(
        manifest(&fake, "HEAD", name, "latest", &token)
            .await
            .2
            .as_deref(),
        Some(pushed.as_str())
    );
    // The hook moves the tag back before the HEAD is answered.
    let moved_to = index.clone();
    fake.on_request(move |request, world| {
        if request.method == "HEAD" {
            world
                .move_tag("acme", "team/app", "latest", &moved_to)
                .unwrap();
        }
    });
    assert_eq!(
        manifest(&fake, "HEAD", name, "latest", &token)
            .await
            .2
            .as_deref(),
        Some(index.as_str())
    );
    assert!(
        fake.change(|world| world.move_tag("acme", "team/app", "x", "sha256:none"))
            .is_err(),
        "no such version"
    );
}

#[tokio::test]
async fn images_may_share_platform_manifests_and_be_re_tagged_each_digest_listed_once() {
    let fake = start(
        Seed::new()
            .org("acme", ["alice"])
            .token(TokenSeed::all_scopes(ALICE, "alice"))
            .limits(LimitsSeed::off())
            .package(
                PackageSeed::new("acme", "container", "app")
                    .image(ImageSeed::new(["v1"]).platforms(["linux/amd64", "linux/arm64"]))
                    .image(ImageSeed::new(["v2"]).sharing_platforms_of("v1"))
                    .image(ImageSeed::retag("v1", ["stable"])),
            ),
    )
    .await;
    let listed = get(
        &fake,
        "/orgs/acme/packages/container/app/versions",
        Some(ALICE),
    )
    .await;
    let versions = listed.body.as_array().unwrap();
    let names: std::collections::BTreeSet<&str> = versions
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        versions.len(),
        4,
        "two indexes, two shared platform manifests: {listed:?}",
        listed = listed.body
    );
    assert_eq!(names.len(), 4, "each digest once");
    let tags_of = |tag: &str| {
        versions
            .iter()
            .find(|v| {
                v["metadata"]["container"]["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == tag)
            })
            .unwrap()
    };
    assert_eq!(
        tags_of("v1")["name"],
        tags_of("stable")["name"],
        "a re-tag is the same version"
    );

    let token = registry_token(&fake, Some(ALICE), "acme/app").await;
    let children = |body: &[u8]| -> Vec<String> {
        let index: Value = serde_json::from_slice(body).unwrap();
        index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["digest"].as_str().unwrap().to_owned())
            .collect()
    };
    let v1 = manifest(&fake, "GET", "acme/app", "v1", &token).await;
    let v2 = manifest(&fake, "GET", "acme/app", "v2", &token).await;
    assert_ne!(v1.2, v2.2, "two indexes");
    let (v1_children, v2_children) = (children(&v1.3), children(&v2.3));
    assert!(!v2_children.is_empty());
    assert!(
        v2_children.iter().all(|d| v1_children.contains(d)),
        "shared children"
    );
    assert!(v2_children.iter().all(|d| names.contains(d.as_str())));
}
