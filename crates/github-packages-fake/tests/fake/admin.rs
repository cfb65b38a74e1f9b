//! The admin API under `/_fake/`, over HTTP as a script would use it.

use github_packages_fake::Fake;
use github_packages_fake::admin::PREFIX;
use serde_json::{Value, json};

use crate::support::{ALICE, get, http, seed, send, start};

/// `method` on an admin path with an optional JSON body: status and JSON.
async fn admin(fake: &Fake, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = http().request(
        method.parse().unwrap(),
        format!("{}{PREFIX}{path}", fake.url()),
    );
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn the_log_names_tokens_by_label_and_can_be_cleared() {
    let fake = start(seed()).await;
    get(&fake, "/orgs/acme/packages?package_type=npm", Some(ALICE)).await;
    let (status, log) = admin(&fake, "GET", "log", None).await;
    assert_eq!(status, 200);
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 1, "admin requests are not logged: {log}");
    let entry = &entries[0];
    assert_eq!(entry["method"], "GET");
    assert_eq!(entry["path"], "/orgs/acme/packages");
    assert_eq!(entry["query"], "package_type=npm");
    assert_eq!(entry["status"], 200);
    assert_eq!(
        entry["operation"],
        "packages/list-packages-for-organization"
    );
    assert!(entry["token"].as_str().unwrap().starts_with("alice"));
    assert!(entry["at"].as_str().is_some() && entry["duration_ms"].is_u64());
    assert!(!log.to_string().contains(ALICE), "never a token value");

    assert_eq!(admin(&fake, "DELETE", "log", None).await.0, 204);
    assert_eq!(admin(&fake, "GET", "log", None).await.1, json!([]));
    assert!(fake.requests().is_empty(), "the same log as in-process");
}

#[tokio::test]
async fn the_clock_is_read_moved_and_sped_up() {
    let fake = start(seed()).await;
    let (_, before) = admin(&fake, "GET", "clock", None).await;
    assert_eq!(before["speed"], 1.0);
    let (status, after) = admin(
        &fake,
        "POST",
        "clock",
        Some(json!({"advance_seconds": 86_400, "speed": 60.0})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(after["speed"], 60.0);
    let at = |v: &Value| chrono::DateTime::parse_from_rfc3339(v["now"].as_str().unwrap()).unwrap();
    assert!(at(&after) - at(&before) >= chrono::Duration::days(1));
    assert_eq!(fake.clock().speed(), 60.0);
}

#[tokio::test]
async fn faults_are_put_in_force_and_taken_away() {
    let fake = start(seed()).await;
    let path = "/orgs/acme/packages?package_type=npm";
    let faults = json!({"server_errors": 1.0});
    assert_eq!(admin(&fake, "PUT", "faults", Some(faults)).await.0, 204);
    assert!(get(&fake, path, Some(ALICE)).await.status >= 500);
    assert_eq!(admin(&fake, "DELETE", "faults", None).await.0, 204);
    assert_eq!(get(&fake, path, Some(ALICE)).await.status, 200);
    let (_, limits) = admin(&fake, "GET", "limits", None).await;
    assert_eq!(limits["primary"], 0);
    assert!(limits["peak_in_flight"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn the_world_changes_as_another_actor_would_and_resets_to_the_seed() {
    let fake = start(seed()).await;
    let versions = "/orgs/acme/packages/container/team%2Fapp/versions";
    let count = |got: &crate::support::Got| got.body.as_array().unwrap().len();
    let before = count(&get(&fake, versions, Some(ALICE)).await);

    let push = json!({"change": "push_image", "owner": "acme", "name": "team/app",
                      "image": {"tags": ["v2"]}});
    let (status, pushed) = admin(&fake, "POST", "world", Some(push)).await;
    assert_eq!(status, 200, "{pushed}");
    let digest = pushed["result"].as_str().unwrap().to_owned();
    let listed = get(&fake, versions, Some(ALICE)).await;
    assert_eq!(count(&listed), before + 1);
    assert_eq!(listed.body[0]["name"], digest.as_str());

    let moved = json!({"change": "move_tag", "owner": "acme", "name": "team/app",
                       "tag": "latest", "to": digest});
    assert_eq!(admin(&fake, "POST", "world", Some(moved)).await.0, 200);
    let listed = get(&fake, versions, Some(ALICE)).await;
    let tags = &listed.body[0]["metadata"]["container"]["tags"];
    assert_eq!(tags, &json!(["v2", "latest"]), "{}", listed.body);

    let delete = json!({"change": "delete_version", "owner": "acme", "package_type": "container",
                        "name": "team/app", "version": digest});
    assert_eq!(admin(&fake, "POST", "world", Some(delete)).await.0, 200);
    assert_eq!(count(&get(&fake, versions, Some(ALICE)).await), before);

    assert_eq!(admin(&fake, "POST", "reset", None).await.0, 204);
    let reset = get(&fake, versions, Some(ALICE)).await;
    assert_eq!(count(&reset), before);
    assert!(!reset.body.to_string().contains(&digest));
}

#[tokio::test]
async fn bad_admin_requests_are_one_sentence_and_change_nothing() {
    let fake = start(seed()).await;
    let (status, body) = admin(&fake, "POST", "world", Some(json!({"change": "paint_it"}))).await;
    assert_eq!(status, 400);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("the body is not a change")
    );
    let unknown = json!({"change": "delete_version", "owner": "acme", "package_type": "npm",
                         "name": "nothing", "version": "1"});
    assert_eq!(admin(&fake, "POST", "world", Some(unknown)).await.0, 409);
    assert_eq!(admin(&fake, "GET", "nothing", None).await.0, 404);
    assert_eq!(admin(&fake, "PUT", "log", None).await.0, 405);
    assert_eq!(
        admin(&fake, "POST", "clock", Some(json!({"speed": "fast"})))
            .await
            .0,
        400
    );
    assert_eq!(
        send(&fake, "GET", "/_fake", None).await.status,
        404,
        "not the prefix"
    );
}

#[tokio::test]
async fn an_image_is_signed_and_given_a_referrer_later() {
    let fake = start(seed()).await;
    let versions = "/orgs/acme/packages/container/team%2Fapp/versions";
    let listed = get(&fake, versions, Some(ALICE)).await;
    let latest = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|v| {
            v["metadata"]["container"]["tags"]
                .to_string()
                .contains("\"latest\"")
        })
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let change =
        |kind: &str| json!({"change": kind, "owner": "acme", "name": "team/app", "digest": latest});
    let (status, signed) = admin(&fake, "POST", "world", Some(change("sign"))).await;
    assert_eq!(status, 200, "{signed}");
    let (status, referred) = admin(&fake, "POST", "world", Some(change("add_referrer"))).await;
    assert_eq!(status, 200, "{referred}");

    let listed = get(&fake, versions, Some(ALICE)).await;
    let find = |digest: &Value| {
        listed
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == *digest)
            .cloned()
            .unwrap()
    };
    let signature = find(&signed["result"]);
    let sig_tag = format!("{}.sig", latest.replace(':', "-"));
    assert_eq!(signature["metadata"]["container"]["tags"], json!([sig_tag]));
    let referrer = find(&referred["result"]);
    assert_eq!(referrer["metadata"]["container"]["tags"], json!([]));

    let unknown =
        json!({"change": "sign", "owner": "acme", "name": "team/app", "digest": "sha256:00"});
    assert_eq!(admin(&fake, "POST", "world", Some(unknown)).await.0, 409);
}
