//! The account endpoints other clients call first. `spec/` holds only the
//! packages operations, so their shapes are checked here against the
//! required fields of GitHub's schemas (`public-user`, `private-user`,
//! `organization-full`, `rate-limit-overview` in api.github.com's
//! description) rather than by the conformance test.

use github_packages_fake::{LimitsSeed, TokenSeed};
use serde_json::Value;

use crate::support::{ALICE, get, seed, start};

const PUBLIC_USER: &[&str] = &[
    "avatar_url",
    "events_url",
    "followers_url",
    "following_url",
    "gists_url",
    "gravatar_id",
    "html_url",
    "id",
    "node_id",
    "login",
    "organizations_url",
    "received_events_url",
    "repos_url",
    "site_admin",
    "starred_url",
    "subscriptions_url",
    "type",
    "url",
    "bio",
    "blog",
    "company",
    "email",
    "followers",
    "following",
    "hireable",
    "location",
    "name",
    "public_gists",
    "public_repos",
    "created_at",
    "updated_at",
];
const PRIVATE_USER_MORE: &[&str] = &[
    "collaborators",
    "disk_usage",
    "owned_private_repos",
    "private_gists",
    "total_private_repos",
    "two_factor_authentication",
];
const ORGANIZATION_FULL: &[&str] = &[
    "login",
    "url",
    "id",
    "node_id",
    "repos_url",
    "events_url",
    "hooks_url",
    "issues_url",
    "members_url",
    "public_members_url",
    "avatar_url",
    "description",
    "html_url",
    "has_organization_projects",
    "has_repository_projects",
    "public_repos",
    "public_gists",
    "followers",
    "following",
    "type",
    "created_at",
    "updated_at",
    "archived_at",
];

fn assert_fields(body: &Value, required: &[&str]) {
    for field in required {
        assert!(body.get(field).is_some(), "missing `{field}` in {body}");
    }
}

#[tokio::test]
async fn a_login_is_told_to_be_an_organization_or_a_user() {
    let fake = start(seed()).await;
    let org = get(&fake, "/users/acme", Some(ALICE)).await;
    assert_eq!(org.status, 200);
    assert_eq!(org.body["type"], "Organization");
    assert_fields(&org.body, PUBLIC_USER);
    let user = get(&fake, "/users/BOB", None).await;
    assert_eq!(
        (user.status, user.body["type"].as_str()),
        (200, Some("User"))
    );
    assert_eq!(user.body["login"], "bob");
    assert_eq!(get(&fake, "/users/nobody", None).await.status, 404);

    let full = get(&fake, "/orgs/acme", Some(ALICE)).await;
    assert_eq!(full.status, 200);
    assert_fields(&full.body, ORGANIZATION_FULL);
    assert_eq!(
        get(&fake, "/orgs/bob", Some(ALICE)).await.status,
        404,
        "a user is no org"
    );
}

#[tokio::test]
async fn the_authenticated_user_is_the_tokens_and_needs_one() {
    let fake = start(seed().token(TokenSeed::actions("ghs_workflow", "acme/app"))).await;
    let me = get(&fake, "/user", Some(ALICE)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["login"], "alice");
    assert_eq!(me.body["user_view_type"], "private");
    assert_fields(&me.body, PUBLIC_USER);
    assert_fields(&me.body, PRIVATE_USER_MORE);
    assert_eq!(get(&fake, "/user", None).await.status, 401);
    assert_eq!(get(&fake, "/user", Some("ghp_unknown")).await.status, 401);
    let workflow = get(&fake, "/user", Some("ghs_workflow")).await;
    assert_eq!(workflow.status, 403);
    assert_eq!(
        workflow.body["message"],
        "Resource not accessible by integration"
    );
}

#[tokio::test]
async fn the_rate_limit_is_read_without_spending_it() {
    let fake = start(seed()).await;
    for _ in 0..2 {
        get(&fake, "/orgs/acme/packages?package_type=npm", Some(ALICE)).await;
    }
    for _ in 0..2 {
        let quota = get(&fake, "/rate_limit", Some(ALICE)).await;
        assert_eq!(quota.status, 200);
        assert_eq!(quota.body["rate"], quota.body["resources"]["core"]);
        assert_eq!(quota.body["rate"]["used"], 2, "{}", quota.body);
        assert_eq!(quota.body["rate"]["remaining"], 4998);
        assert!(quota.body["rate"]["reset"].as_i64().unwrap() > 1_700_000_000);
    }
    let anonymous = get(&fake, "/rate_limit", None).await;
    assert_eq!(anonymous.body["rate"]["used"], 0, "counted per caller");

    let off = start(seed().limits(LimitsSeed::off())).await;
    assert_eq!(get(&off, "/rate_limit", Some(ALICE)).await.status, 404);
}
