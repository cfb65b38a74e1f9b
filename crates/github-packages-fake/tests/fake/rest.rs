//! GitHub's semantics on the 27 operations: tokens and scopes, visibility,
//! filters, pages, deletion, restoration, refusals, error bodies.

use chrono::Duration;
use github_packages_fake::{
    LAST_VERSION, PackageSeed, Seed, TOO_MANY_DOWNLOADS, TokenSeed, VersionSeed,
};
use serde_json::json;

use crate::support::{ALICE, BOB, READER, get, seed, send, start};

/// The id of the version named `name` of an org package.
async fn version_id(fake: &github_packages_fake::Fake, package: &str, name: &str) -> u64 {
    let list = get(
        fake,
        &format!("/orgs/acme/packages/npm/{package}/versions"),
        Some(ALICE),
    )
    .await;
    list.body
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no version {name}: {}", list.body))["id"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn it_starts_on_an_ephemeral_loopback_port() {
    let fake = start(seed()).await;
    assert!(
        fake.url().starts_with("http://127.0.0.1:"),
        "{}",
        fake.url()
    );
    let other = start(seed()).await;
    assert_ne!(fake.url(), other.url());
}

#[tokio::test]
async fn listings_need_a_token_and_bad_tokens_are_refused() {
    let fake = start(seed()).await;
    let anonymous = get(&fake, "/orgs/acme/packages?package_type=npm", None).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["message"], "Requires authentication");
    let bad = get(
        &fake,
        "/orgs/acme/packages?package_type=npm",
        Some("ghp_wrong"),
    )
    .await;
    assert_eq!(bad.status, 401);
    assert_eq!(bad.body["message"], "Bad credentials");
    let me = get(&fake, "/user/packages?package_type=npm", None).await;
    assert_eq!(me.status, 401);
}

#[tokio::test]
async fn public_packages_can_be_read_without_a_token_private_ones_not() {
    let fake = start(seed()).await;
    assert_eq!(
        get(&fake, "/orgs/acme/packages/npm/tool", None)
            .await
            .status,
        200
    );
    assert_eq!(
        get(&fake, "/orgs/acme/packages/npm/secret", None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn missing_scopes_are_403_with_the_oauth_scope_headers() {
    let fake = start(seed().token(TokenSeed::classic("ghp_none", "alice", ["repo"]))).await;
    let list = get(
        &fake,
        "/orgs/acme/packages?package_type=npm",
        Some("ghp_none"),
    )
    .await;
    assert_eq!(list.status, 403);
    assert_eq!(list.header("x-oauth-scopes"), Some("repo"));
    assert_eq!(
        list.header("x-accepted-oauth-scopes"),
        Some("read:packages")
    );

    let id = version_id(&fake, "tool", "1.0.0").await;
    let delete = send(
        &fake,
        "DELETE",
        &format!("/orgs/acme/packages/npm/tool/versions/{id}"),
        Some(READER),
    )
    .await;
    assert_eq!(delete.status, 403);
    assert_eq!(delete.header("x-oauth-scopes"), Some("read:packages"));
    assert_eq!(
        delete.header("x-accepted-oauth-scopes"),
        Some("delete:packages, read:packages")
    );
    let restore = send(
        &fake,
        "POST",
        &format!("/orgs/acme/packages/npm/tool/versions/{id}/restore"),
        Some(READER),
    )
    .await;
    assert_eq!(restore.status, 403);
    assert_eq!(
        restore.header("x-accepted-oauth-scopes"),
        Some("read:packages, write:packages")
    );
}

#[tokio::test]
async fn private_and_internal_packages_are_for_members_only() {
    let fake = start(seed()).await;
    let member = get(&fake, "/orgs/acme/packages?package_type=npm", Some(ALICE)).await;
    assert_eq!(member.names(), ["inside", "popular", "secret", "tool"]);
    let outsider = get(&fake, "/orgs/acme/packages?package_type=npm", Some(BOB)).await;
    assert_eq!(outsider.names(), ["popular", "tool"]);
    assert_eq!(
        get(&fake, "/orgs/acme/packages/npm/secret", Some(BOB))
            .await
            .status,
        404
    );
    assert_eq!(
        get(&fake, "/orgs/acme/packages/npm/inside", Some(ALICE))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn listings_filter_by_type_and_visibility() {
    let fake = start(seed()).await;
    let containers = get(
        &fake,
        "/orgs/acme/packages?package_type=container",
        Some(ALICE),
    )
    .await;
    assert_eq!(containers.names(), ["team/app"]);
    let public = get(
        &fake,
        "/orgs/acme/packages?package_type=npm&visibility=public",
        Some(ALICE),
    )
    .await;
    assert_eq!(public.names(), ["popular", "tool"]);
    let internal = get(
        &fake,
        "/orgs/acme/packages?package_type=npm&visibility=internal",
        Some(ALICE),
    )
    .await;
    assert_eq!(internal.names(), ["inside"]);
    let user = get(
        &fake,
        "/users/bob/packages?package_type=rubygems",
        Some(ALICE),
    )
    .await;
    assert_eq!(user.names(), ["gem"]);
    let mine = get(&fake, "/user/packages?package_type=rubygems", Some(BOB)).await;
    assert_eq!(mine.names(), ["gem"]);
}

#[tokio::test]
async fn listings_leave_out_version_count_and_single_gets_carry_it() {
    let fake = start(seed()).await;
    let list = get(&fake, "/orgs/acme/packages?package_type=npm", Some(ALICE)).await;
    assert!(
        list.body[0].get("version_count").is_none(),
        "{}",
        list.body[0]
    );
    let one = get(&fake, "/orgs/acme/packages/npm/tool", Some(ALICE)).await;
    assert_eq!(one.body["version_count"], 3);
    assert_eq!(one.body["owner"]["login"], "acme");
    assert_eq!(one.body["owner"]["type"], "Organization");
    let app = get(
        &fake,
        "/orgs/acme/packages/container/team%2Fapp",
        Some(ALICE),
    )
    .await;
    assert_eq!(app.body["repository"]["full_name"], "acme/app");
    assert!(
        app.body["repository"].get("archive_url").is_none(),
        "a reduced repository"
    );
}

#[tokio::test]
async fn names_with_a_slash_arrive_as_one_encoded_segment() {
    let fake = start(seed()).await;
    let app = get(
        &fake,
        "/orgs/acme/packages/container/team%2Fapp/versions",
        Some(ALICE),
    )
    .await;
    assert_eq!(app.status, 200);
    assert_eq!(app.body.as_array().unwrap().len(), 4);
    assert_eq!(
        get(
            &fake,
            "/orgs/acme/packages/container/team/app/versions",
            Some(ALICE)
        )
        .await
        .status,
        404
    );
}

fn many(count: usize) -> Seed {
    Seed::new()
        .org("acme", ["alice"])
        .token(TokenSeed::all_scopes(ALICE, "alice"))
        .package(PackageSeed::new("acme", "npm", "big").versions(count))
}

#[tokio::test]
async fn pages_hold_30_by_default_and_at_most_100() {
    let fake = start(many(250)).await;
    let path = "/orgs/acme/packages/npm/big/versions";
    assert_eq!(
        get(&fake, path, Some(ALICE))
            .await
            .body
            .as_array()
            .unwrap()
            .len(),
        30
    );
    let capped = get(&fake, &format!("{path}?per_page=500"), Some(ALICE)).await;
    assert_eq!(capped.body.as_array().unwrap().len(), 100);
    let newest = get(&fake, &format!("{path}?per_page=1"), Some(ALICE)).await;
    assert_eq!(newest.names(), ["1.0.249"], "newest first");
}

#[tokio::test]
async fn link_headers_name_next_last_first_and_prev_and_past_the_end_is_empty() {
    let fake = start(many(250)).await;
    let base = format!("{}/orgs/acme/packages/npm/big/versions", fake.url());
    let first = get(
        &fake,
        "/orgs/acme/packages/npm/big/versions?per_page=100",
        Some(ALICE),
    )
    .await;
    assert_eq!(
        first.header("link").unwrap(),
        format!(
            r#"<{base}?per_page=100&page=2>; rel="next", <{base}?per_page=100&page=3>; rel="last""#
        )
    );
    let middle = get(
        &fake,
        "/orgs/acme/packages/npm/big/versions?per_page=100&page=2&state=active",
        Some(ALICE),
    )
    .await;
    let link = middle.header("link").unwrap();
    for expected in [
        format!(r#"<{base}?state=active&per_page=100&page=3>; rel="next""#),
        format!(r#"<{base}?state=active&per_page=100&page=1>; rel="first""#),
        format!(r#"<{base}?state=active&per_page=100&page=1>; rel="prev""#),
        format!(r#"<{base}?state=active&per_page=100&page=3>; rel="last""#),
    ] {
        assert!(link.contains(&expected), "{link}");
    }
    let last = get(
        &fake,
        "/orgs/acme/packages/npm/big/versions?per_page=100&page=3",
        Some(ALICE),
    )
    .await;
    assert_eq!(last.body.as_array().unwrap().len(), 50);
    assert!(!last.header("link").unwrap().contains("rel=\"next\""));
    let past = get(
        &fake,
        "/orgs/acme/packages/npm/big/versions?per_page=100&page=9",
        Some(ALICE),
    )
    .await;
    assert_eq!(past.status, 200);
    assert_eq!(past.body, json!([]));
}

#[tokio::test]
async fn package_listings_page_no_deeper_than_10000() {
    let fake = start(seed()).await;
    let deep = get(
        &fake,
        "/orgs/acme/packages?package_type=npm&per_page=100&page=101",
        Some(ALICE),
    )
    .await;
    assert_eq!(deep.status, 400);
    assert_eq!(
        deep.body["message"],
        "The value of per_page multiplied by page cannot be greater than 10000."
    );
}

#[tokio::test]
async fn a_deleted_version_is_listed_as_deleted_and_a_second_delete_is_404() {
    let fake = start(seed()).await;
    let id = version_id(&fake, "tool", "1.0.0").await;
    let path = format!("/orgs/acme/packages/npm/tool/versions/{id}");
    assert_eq!(send(&fake, "DELETE", &path, Some(ALICE)).await.status, 204);
    let active = get(&fake, "/orgs/acme/packages/npm/tool/versions", Some(ALICE)).await;
    assert_eq!(active.names(), ["1.0.2", "1.0.1"]);
    let deleted = get(
        &fake,
        "/orgs/acme/packages/npm/tool/versions?state=deleted",
        Some(ALICE),
    )
    .await;
    assert_eq!(deleted.names(), ["1.0.0"]);
    assert!(deleted.body[0]["deleted_at"].is_string());
    assert_eq!(send(&fake, "DELETE", &path, Some(ALICE)).await.status, 404);
    assert_eq!(get(&fake, &path, Some(ALICE)).await.status, 404);
}

#[tokio::test]
async fn deleted_versions_are_restorable_for_30_days() {
    let fake = start(seed()).await;
    let first = version_id(&fake, "tool", "1.0.0").await;
    let second = version_id(&fake, "tool", "1.0.1").await;
    for id in [first, second] {
        let path = format!("/orgs/acme/packages/npm/tool/versions/{id}");
        assert_eq!(send(&fake, "DELETE", &path, Some(ALICE)).await.status, 204);
    }
    let restore = |id: u64| format!("/orgs/acme/packages/npm/tool/versions/{id}/restore");
    assert_eq!(
        send(&fake, "POST", &restore(first), Some(ALICE))
            .await
            .status,
        204
    );
    assert_eq!(
        send(&fake, "POST", &restore(first), Some(ALICE))
            .await
            .status,
        404,
        "active again"
    );
    fake.clock().advance(Duration::days(31));
    assert_eq!(
        send(&fake, "POST", &restore(second), Some(ALICE))
            .await
            .status,
        404
    );
    let deleted = get(
        &fake,
        "/orgs/acme/packages/npm/tool/versions?state=deleted",
        Some(ALICE),
    )
    .await;
    assert_eq!(deleted.body, json!([]), "past the window, no longer listed");
}

#[tokio::test]
async fn packages_are_deleted_and_restored_with_or_without_a_token() {
    let fake = start(seed()).await;
    let path = "/orgs/acme/packages/npm/tool";
    assert_eq!(send(&fake, "DELETE", path, Some(ALICE)).await.status, 204);
    assert_eq!(get(&fake, path, Some(ALICE)).await.status, 404);
    let listed = get(&fake, "/orgs/acme/packages?package_type=npm", Some(ALICE)).await;
    assert!(!listed.names().contains(&"tool"));
    assert_eq!(send(&fake, "DELETE", path, Some(ALICE)).await.status, 404);
    let restore = send(
        &fake,
        "POST",
        &format!("{path}/restore?token=pkg-secret-42"),
        Some(ALICE),
    )
    .await;
    assert_eq!(restore.status, 204);
    assert_eq!(get(&fake, path, Some(ALICE)).await.status, 200);
    assert_eq!(send(&fake, "DELETE", path, Some(ALICE)).await.status, 204);
    assert_eq!(
        send(&fake, "POST", &format!("{path}/restore"), Some(ALICE))
            .await
            .status,
        204
    );
    let logged = fake.requests();
    let restored = logged
        .iter()
        .find(|r| r.path.ends_with("/restore"))
        .unwrap();
    assert_eq!(restored.query.as_deref(), Some("token=[redacted]"));
}

#[tokio::test]
async fn the_last_version_cannot_be_deleted() {
    let fake = start(seed()).await;
    let ids = [
        version_id(&fake, "tool", "1.0.0").await,
        version_id(&fake, "tool", "1.0.1").await,
        version_id(&fake, "tool", "1.0.2").await,
    ];
    for id in &ids[..2] {
        let path = format!("/orgs/acme/packages/npm/tool/versions/{id}");
        assert_eq!(send(&fake, "DELETE", &path, Some(ALICE)).await.status, 204);
    }
    let last = send(
        &fake,
        "DELETE",
        &format!("/orgs/acme/packages/npm/tool/versions/{}", ids[2]),
        Some(ALICE),
    )
    .await;
    assert_eq!(last.status, 400);
    assert_eq!(last.body["message"], LAST_VERSION);
}

#[tokio::test]
async fn public_versions_downloaded_more_than_5000_times_cannot_be_deleted() {
    let fake = start(seed()).await;
    let popular = version_id(&fake, "popular", "9.0.0").await;
    let refused = send(
        &fake,
        "DELETE",
        &format!("/orgs/acme/packages/npm/popular/versions/{popular}"),
        Some(ALICE),
    )
    .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["message"], TOO_MANY_DOWNLOADS);
    let quiet = version_id(&fake, "popular", "9.0.1").await;
    assert_eq!(
        send(
            &fake,
            "DELETE",
            &format!("/orgs/acme/packages/npm/popular/versions/{quiet}"),
            Some(ALICE)
        )
        .await
        .status,
        204
    );

    let private = start(
        Seed::new()
            .org("acme", ["alice"])
            .token(TokenSeed::all_scopes(ALICE, "alice"))
            .package(
                PackageSeed::new("acme", "npm", "p")
                    .version(VersionSeed::new("1").downloads(9999))
                    .versions(1),
            ),
    )
    .await;
    let id = version_id(&private, "p", "1").await;
    assert_eq!(
        send(
            &private,
            "DELETE",
            &format!("/orgs/acme/packages/npm/p/versions/{id}"),
            Some(ALICE)
        )
        .await
        .status,
        204,
        "only public versions are protected"
    );
}

#[tokio::test]
async fn errors_carry_githubs_body_with_a_string_status() {
    let fake = start(seed()).await;
    for path in [
        "/orgs/nobody/packages/npm/x",
        "/orgs/acme/packages/npm/nothing",
        "/orgs/acme/packages/npm/tool/versions/1",
    ] {
        let missing = get(&fake, path, Some(ALICE)).await;
        assert_eq!(missing.status, 404, "{path}");
        assert_eq!(missing.body["status"], "404");
        assert!(
            missing.body["documentation_url"]
                .as_str()
                .unwrap()
                .starts_with("https://docs.github.com/")
        );
        assert!(missing.body["message"].is_string());
    }
    assert_eq!(
        send(&fake, "PUT", "/user/packages", Some(ALICE))
            .await
            .status,
        405
    );
}

/// actions/delete-package-versions reaches organizations' packages
/// through the `/users/` paths (docs/github-behaviour.md, "What other
/// clients call first"): they answer as the `/orgs/` paths do.
#[tokio::test]
async fn the_users_paths_answer_for_an_organization_as_its_orgs_paths_do() {
    let fake = start(seed()).await;
    for query in ["package_type=npm", "package_type=npm&visibility=private"] {
        for token in [Some(ALICE), Some(BOB), None] {
            let by_org = get(&fake, &format!("/orgs/acme/packages?{query}"), token).await;
            let by_user = get(&fake, &format!("/users/acme/packages?{query}"), token).await;
            assert_eq!(by_user.status, by_org.status, "{query} {token:?}");
            assert_eq!(by_user.body, by_org.body, "{query} {token:?}");
        }
    }
    let listed = get(&fake, "/users/acme/packages?package_type=npm", Some(ALICE)).await;
    assert!(
        listed
            .body
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "secret"),
        "a member sees the private package: {}",
        listed.body
    );
    let versions = get(&fake, "/users/acme/packages/npm/tool/versions", Some(ALICE)).await;
    assert_eq!(versions.status, 200);
    assert_eq!(
        versions.body,
        get(&fake, "/orgs/acme/packages/npm/tool/versions", Some(ALICE))
            .await
            .body
    );
    let id = version_id(&fake, "tool", "1.0.0").await;
    let path = format!("/users/acme/packages/npm/tool/versions/{id}");
    assert_eq!(send(&fake, "DELETE", &path, Some(BOB)).await.status, 403);
    assert_eq!(send(&fake, "DELETE", &path, Some(ALICE)).await.status, 204);
    let deleted = get(
        &fake,
        &format!("/orgs/acme/packages/npm/tool/versions/{id}"),
        Some(ALICE),
    )
    .await;
    assert_eq!(deleted.status, 404, "deleted on both paths");
    assert_eq!(
        send(&fake, "POST", &format!("{path}/restore"), Some(ALICE))
            .await
            .status,
        204
    );
    assert_eq!(
        get(&fake, "/users/nobody/packages/npm/tool", Some(ALICE))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn outsiders_cannot_delete_and_users_own_their_packages() {
    let fake = start(seed()).await;
    let id = version_id(&fake, "tool", "1.0.0").await;
    let outsider = send(
        &fake,
        "DELETE",
        &format!("/orgs/acme/packages/npm/tool/versions/{id}"),
        Some(BOB),
    )
    .await;
    assert_eq!(outsider.status, 403);
    let gem = get(
        &fake,
        "/users/bob/packages/rubygems/gem/versions",
        Some(BOB),
    )
    .await;
    let gem_id = gem.body[0]["id"].as_u64().unwrap();
    assert_eq!(
        send(
            &fake,
            "DELETE",
            &format!("/users/bob/packages/rubygems/gem/versions/{gem_id}"),
            Some(ALICE)
        )
        .await
        .status,
        403
    );
    assert_eq!(
        send(
            &fake,
            "DELETE",
            &format!("/user/packages/rubygems/gem/versions/{gem_id}"),
            Some(BOB)
        )
        .await
        .status,
        204
    );
}

#[tokio::test]
async fn docker_migration_conflicts_are_listed() {
    let fake = start(
        seed().package(
            PackageSeed::new("acme", "docker", "old-image")
                .docker_conflict()
                .versions(1),
        ),
    )
    .await;
    let conflicts = get(&fake, "/orgs/acme/docker/conflicts", Some(ALICE)).await;
    assert_eq!(conflicts.names(), ["old-image"]);
    assert_eq!(
        get(&fake, "/users/bob/docker/conflicts", Some(BOB))
            .await
            .body,
        json!([])
    );
}

#[tokio::test]
async fn an_actions_token_acts_on_its_repositorys_packages_but_cannot_list() {
    let fake = start(seed().token(TokenSeed::actions("ghs_workflow", "acme/app"))).await;
    let list = get(
        &fake,
        "/orgs/acme/packages?package_type=container",
        Some("ghs_workflow"),
    )
    .await;
    assert_eq!(list.status, 403);
    assert_eq!(
        list.body["message"],
        "Resource not accessible by integration"
    );
    assert!(list.header("x-oauth-scopes").is_none());
    let versions = get(
        &fake,
        "/orgs/acme/packages/container/team%2Fapp/versions",
        Some("ghs_workflow"),
    )
    .await;
    assert_eq!(versions.status, 200);
    let untagged = versions
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["metadata"]["container"]["tags"] == json!([]))
        .unwrap();
    let path = format!(
        "/orgs/acme/packages/container/team%2Fapp/versions/{}",
        untagged["id"]
    );
    assert_eq!(
        send(&fake, "DELETE", &path, Some("ghs_workflow"))
            .await
            .status,
        204
    );
    assert_eq!(
        get(
            &fake,
            "/orgs/acme/packages/npm/secret",
            Some("ghs_workflow")
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn classic_tokens_see_their_scopes_on_every_answer() {
    let fake = start(seed()).await;
    let ok = get(&fake, "/orgs/acme/packages?package_type=npm", Some(READER)).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("x-oauth-scopes"), Some("read:packages"));
    assert_eq!(
        ok.header("content-type"),
        Some("application/json; charset=utf-8")
    );
}

#[tokio::test]
async fn the_request_log_names_tokens_by_label_never_by_value() {
    let fake = start(seed()).await;
    get(&fake, "/orgs/acme/packages?package_type=npm", Some(ALICE)).await;
    get(&fake, "/orgs/acme/packages/npm/tool", None).await;
    let log = fake.requests();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].method, "GET");
    assert_eq!(log[0].path, "/orgs/acme/packages");
    assert_eq!(log[0].query.as_deref(), Some("package_type=npm"));
    assert_eq!(log[0].token.as_deref(), Some("alice (classic token #1)"));
    assert_eq!(
        log[0].operation,
        Some("packages/list-packages-for-organization")
    );
    assert_eq!(log[0].status, Some(200));
    assert_eq!(log[1].token, None);
    assert!(!format!("{log:?}").contains(ALICE));
    fake.clear_requests();
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn seeds_that_name_unknown_owners_are_refused() {
    let error = github_packages_fake::Fake::start(
        Seed::new().package(PackageSeed::new("ghost", "npm", "x")),
    )
    .await
    .unwrap_err();
    assert_eq!(
        error,
        "the owner `ghost` of package `x` is neither an org nor a user of the seed"
    );
}
