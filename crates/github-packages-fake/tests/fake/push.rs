//! Registry writes as ghcr.io takes them: blob uploads (monolithic and
//! chunked), manifest PUTs by tag and by digest with their checks, and the
//! REST side kept consistent (a new digest is a new version; a tag moved
//! away leaves the old version untagged).

use base64::Engine;
use github_packages_fake::images::{digest, media};
use github_packages_fake::{Fake, ImageSeed, LimitsSeed, PackageSeed, Seed, TokenSeed};
use serde_json::{Value, json};

use crate::support::{ALICE, BOB, get, http, start};

fn seed() -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .user("bob")
        .token(TokenSeed::all_scopes(ALICE, "alice"))
        .token(TokenSeed::all_scopes(BOB, "bob"))
        .limits(LimitsSeed::off())
        .package(PackageSeed::new("acme", "container", "app").image(ImageSeed::new(["latest"])))
}

/// A registry request with a GitHub token as `Bearer <base64>`: status,
/// headers.
async fn registry(
    fake: &Fake,
    method: &str,
    path: &str,
    token: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (u16, reqwest::header::HeaderMap) {
    let bearer = base64::engine::general_purpose::STANDARD.encode(token);
    let mut request = http()
        .request(method.parse().unwrap(), format!("{}{path}", fake.url()))
        .bearer_auth(bearer)
        .body(body);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let answer = request.send().await.unwrap();
    (answer.status().as_u16(), answer.headers().clone())
}

/// Pushes `bytes` as a blob of `acme/app`, monolithic; its descriptor.
async fn blob(fake: &Fake, bytes: &[u8]) -> Value {
    let digest = digest(bytes);
    let path = format!("/v2/acme/app/blobs/uploads/?digest={digest}");
    let (status, _) = registry(fake, "POST", &path, ALICE, None, bytes.to_vec()).await;
    assert_eq!(status, 201);
    json!({"mediaType": "application/octet-stream", "digest": digest, "size": bytes.len()})
}

fn image_manifest(config: &Value, layer: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": media::OCI_MANIFEST,
        "config": config, "layers": [layer],
    }))
    .unwrap()
}

/// The REST side's versions of `acme/app`: (name, tags), newest first.
async fn versions(fake: &Fake) -> Vec<(String, Vec<String>)> {
    let listed = get(
        fake,
        "/orgs/acme/packages/container/app/versions",
        Some(ALICE),
    )
    .await;
    listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let tags = v["metadata"]["container"]["tags"].as_array().unwrap();
            (
                v["name"].as_str().unwrap().to_owned(),
                tags.iter()
                    .map(|t| t.as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_chunked_upload_and_a_push_by_tag_move_the_tag_to_a_new_version() {
    let fake = start(seed()).await;
    let before = versions(&fake).await;
    let old_latest = before[0].0.clone();

    // Chunked: POST, two PATCHes, a closing PUT with the digest.
    let config_bytes = br#"{"architecture":"amd64","os":"linux"}"#;
    let (status, headers) = registry(
        &fake,
        "POST",
        "/v2/acme/app/blobs/uploads/",
        ALICE,
        None,
        vec![],
    )
    .await;
    assert_eq!(status, 202);
    let location = headers["location"].to_str().unwrap().to_owned();
    for chunk in config_bytes.chunks(20) {
        let (status, headers) =
            registry(&fake, "PATCH", &location, ALICE, None, chunk.to_vec()).await;
        assert_eq!(status, 202);
        assert!(headers.contains_key("range"));
    }
    let config_digest = digest(config_bytes);
    let close = format!("{location}?digest={config_digest}");
    assert_eq!(
        registry(&fake, "PUT", &close, ALICE, None, vec![]).await.0,
        201
    );
    let head = registry(
        &fake,
        "HEAD",
        &format!("/v2/acme/app/blobs/{config_digest}"),
        ALICE,
        None,
        vec![],
    )
    .await;
    assert_eq!(head.0, 200);
    let config = json!({"mediaType": "application/vnd.oci.image.config.v1+json",
                        "digest": config_digest, "size": config_bytes.len()});
    let layer = blob(&fake, b"a layer").await;

    let manifest = image_manifest(&config, &layer);
    let pushed = digest(&manifest);
    let (status, headers) = registry(
        &fake,
        "PUT",
        "/v2/acme/app/manifests/latest",
        ALICE,
        Some(media::OCI_MANIFEST),
        manifest,
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(headers["docker-content-digest"].to_str().unwrap(), pushed);

    let after = versions(&fake).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after[0], (pushed.clone(), vec!["latest".to_owned()]));
    let old = after.iter().find(|(name, _)| *name == old_latest).unwrap();
    assert!(
        old.1.is_empty(),
        "the old version stays, untagged: {after:?}"
    );

    // Pushing the same manifest by digest adds no version.
    let again = image_manifest(&config, &layer);
    let by_digest = format!("/v2/acme/app/manifests/{pushed}");
    assert_eq!(
        registry(
            &fake,
            "PUT",
            &by_digest,
            ALICE,
            Some(media::OCI_MANIFEST),
            again
        )
        .await
        .0,
        201
    );
    assert_eq!(versions(&fake).await.len(), after.len());
}

#[tokio::test]
async fn pushes_are_checked_as_a_registry_checks_them() {
    let fake = start(seed()).await;
    let config = blob(&fake, b"{}").await;
    let layer = blob(&fake, b"layer").await;
    let manifest = image_manifest(&config, &layer);
    let put = |path: &str, content_type: &str, body: Vec<u8>, token: &'static str| {
        let (fake, path, content_type) = (&fake, path.to_owned(), content_type.to_owned());
        async move {
            registry(fake, "PUT", &path, token, Some(&content_type), body)
                .await
                .0
        }
    };
    let before = versions(&fake).await.len();
    // The media type must match, the digest must be the content's, and
    // what it references must be there.
    assert_eq!(
        put(
            "/v2/acme/app/manifests/x",
            media::OCI_INDEX,
            manifest.clone(),
            ALICE
        )
        .await,
        400
    );
    assert_eq!(
        put(
            "/v2/acme/app/manifests/x",
            "text/plain",
            manifest.clone(),
            ALICE
        )
        .await,
        400
    );
    let wrong = format!("/v2/acme/app/manifests/{}", digest(b"other"));
    assert_eq!(
        put(&wrong, media::OCI_MANIFEST, manifest.clone(), ALICE).await,
        400
    );
    let missing = json!({"digest": digest(b"never pushed"), "mediaType": "x", "size": 1});
    let dangling = image_manifest(&config, &missing);
    assert_eq!(
        put(
            "/v2/acme/app/manifests/x",
            media::OCI_MANIFEST,
            dangling,
            ALICE
        )
        .await,
        400
    );
    let index = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": media::OCI_INDEX,
        "manifests": [{"mediaType": media::OCI_MANIFEST, "digest": digest(b"nothing"), "size": 1}]})).unwrap();
    assert_eq!(
        put("/v2/acme/app/manifests/x", media::OCI_INDEX, index, ALICE).await,
        400
    );
    // Someone who may not change the package cannot push to it.
    assert_eq!(
        put(
            "/v2/acme/app/manifests/x",
            media::OCI_MANIFEST,
            manifest.clone(),
            BOB
        )
        .await,
        403
    );
    assert_eq!(versions(&fake).await.len(), before, "nothing pushed");

    // A private image's blobs are for those who may see it.
    let config_path = format!("/v2/acme/app/blobs/{}", config["digest"].as_str().unwrap());
    assert_eq!(
        registry(&fake, "HEAD", &config_path, ALICE, None, vec![])
            .await
            .0,
        200
    );
    assert_eq!(
        registry(&fake, "HEAD", &config_path, BOB, None, vec![])
            .await
            .0,
        403
    );

    // Deleting is a REST operation on GitHub, not a registry one.
    let latest = versions(&fake).await[0].0.clone();
    let delete = registry(
        &fake,
        "DELETE",
        &format!("/v2/acme/app/manifests/{latest}"),
        ALICE,
        None,
        vec![],
    )
    .await;
    assert_eq!(delete.0, 405);
}

#[tokio::test]
async fn a_first_push_creates_the_package() {
    let fake = start(seed()).await;
    let config = {
        let bytes = b"{}";
        let path = format!("/v2/acme/fresh/blobs/uploads/?digest={}", digest(bytes));
        assert_eq!(
            registry(&fake, "POST", &path, ALICE, None, bytes.to_vec())
                .await
                .0,
            201
        );
        json!({"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(bytes), "size": 2})
    };
    let manifest = serde_json::to_vec(
        &json!({"schemaVersion": 2, "mediaType": media::OCI_MANIFEST,
        "config": config, "layers": []}),
    )
    .unwrap();
    let put = registry(
        &fake,
        "PUT",
        "/v2/acme/fresh/manifests/v1",
        ALICE,
        Some(media::OCI_MANIFEST),
        manifest,
    )
    .await;
    assert_eq!(put.0, 201);
    let package = get(&fake, "/orgs/acme/packages/container/fresh", Some(ALICE)).await;
    assert_eq!(package.status, 200);
    assert_eq!(package.body["visibility"], "private");
    assert_eq!(package.body["version_count"], 1);
    // An outsider cannot create packages in someone else's organization.
    let bytes = b"x";
    let path = format!("/v2/acme/other/blobs/uploads/?digest={}", digest(bytes));
    assert_eq!(
        registry(&fake, "POST", &path, BOB, None, bytes.to_vec())
            .await
            .0,
        403
    );
}
