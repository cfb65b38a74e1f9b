//! Where a description comes from: which GitHub (api.github.com, GitHub
//! Enterprise Cloud, GitHub Enterprise Server 3.x), which REST API version,
//! and which breaking changes GitHub announces for later versions.

use std::fmt;

use serde_json::Value;

use crate::spec::operations;

/// The key `spec import` writes into `info` for the REST API version the
/// description describes (GitHub's files carry it only in their names).
pub const API_VERSION_KEY: &str = "x-rest-api-version";

/// GitHub's REST API versions (`X-GitHub-Api-Version`), oldest first.
pub const REST_API_VERSIONS: [&str; 2] = ["2022-11-28", "2026-03-10"];

/// Which GitHub a description is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// github.com.
    ApiGithubCom,
    /// GitHub Enterprise Cloud.
    Ghec,
    /// GitHub Enterprise Server, with its release (`3.17`) when known.
    Ghes(Option<String>),
    /// Another plan GitHub names (`github.ae`), or an unknown server URL.
    Other(String),
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ApiGithubCom => f.write_str("api.github.com"),
            Self::Ghec => f.write_str("GHEC"),
            Self::Ghes(Some(release)) => write!(f, "GHES {release}"),
            Self::Ghes(None) => f.write_str("GHES"),
            Self::Other(name) => f.write_str(name),
        }
    }
}

/// The flavour, from `info.x-github-plan` (and `x-github-release`) when
/// GitHub's marker is there, else from `servers` (GHEC and api.github.com
/// share `https://api.github.com`; GHES serves `{hostname}/api/v3`).
pub fn flavour(document: &Value) -> Flavour {
    let info = &document["info"];
    let release = match &info["x-github-release"] {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match info["x-github-plan"].as_str() {
        Some("api.github.com") => return Flavour::ApiGithubCom,
        Some("ghec") => return Flavour::Ghec,
        Some("ghes") => return Flavour::Ghes(release),
        Some(other) => return Flavour::Other(other.to_owned()),
        None => {}
    }
    let server = document["servers"][0]["url"].as_str().unwrap_or("none");
    if server.contains("/api/v3") {
        Flavour::Ghes(release)
    } else if server.trim_end_matches('/') == "https://api.github.com" {
        Flavour::ApiGithubCom
    } else {
        Flavour::Other(format!("servers {server}"))
    }
}

/// The REST API version a full description describes: the date in a dated
/// file's name (`api.github.com.2026-03-10.json`); else, for an undated,
/// annotated description, the version its breaking-change notices are
/// relative to (the newest known version before the first announced one);
/// else the first version, `2022-11-28`.
pub fn api_version(full: &Value, file_name: &str) -> String {
    if let Some(date) = date_in(file_name) {
        return date.to_owned();
    }
    let announced: Vec<String> = breaking_changes(full)
        .into_iter()
        .map(|notice| notice.version)
        .collect();
    let Some(first_announced) = announced.iter().min() else {
        return REST_API_VERSIONS[0].to_owned();
    };
    REST_API_VERSIONS
        .iter()
        .rev()
        .find(|known| **known < first_announced.as_str())
        .unwrap_or(&REST_API_VERSIONS[0])
        .to_string()
}

/// The last `YYYY-MM-DD` in a file name.
fn date_in(name: &str) -> Option<&str> {
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(9)).rev().find_map(|i| {
        let candidate = &name.get(i..i + 10)?;
        let shape = candidate.bytes().enumerate().all(|(j, b)| match j {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
        shape.then_some(*candidate)
    })
}

/// One breaking change GitHub announces (`x-github-breaking-changes`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Notice {
    /// The REST API version that makes the change.
    pub version: String,
    /// GitHub's name for the change.
    pub changeset: String,
    /// Where: `schema NAME`, `METHOD /path`, or another component.
    pub location: String,
    /// What it does, tersely: `removes properties.has_downloads`.
    pub effect: String,
}

impl fmt::Display for Notice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {} {}",
            self.version, self.changeset, self.location, self.effect
        )
    }
}

/// Every breaking change announced in `document`, sorted.
pub fn breaking_changes(document: &Value) -> Vec<Notice> {
    let mut notices = Vec::new();
    for operation in operations(document) {
        let location = format!("{} {}", operation.method.to_uppercase(), operation.path);
        collect(operation.value, &location, &mut notices);
    }
    for (kind, entries) in document["components"].as_object().into_iter().flatten() {
        for (name, entry) in entries.as_object().into_iter().flatten() {
            let kind = kind.strip_suffix('s').unwrap_or(kind);
            collect(entry, &format!("{kind} {name}"), &mut notices);
        }
    }
    notices.sort();
    notices.dedup();
    notices
}

fn collect(value: &Value, location: &str, notices: &mut Vec<Notice>) {
    for change in value["x-github-breaking-changes"]
        .as_array()
        .into_iter()
        .flatten()
    {
        notices.push(Notice {
            version: change["version"].as_str().unwrap_or("?").to_owned(),
            changeset: change["changeset"].as_str().unwrap_or("?").to_owned(),
            location: location.to_owned(),
            effect: effect(&change["patch"]),
        });
    }
}

/// A patch in one phrase: a JSON Patch (`[{"op": "remove", "path": …}]`)
/// by its operations, a merge patch (`{"properties": {"x": null}}`) by
/// what it removes and sets.
fn effect(patch: &Value) -> String {
    match patch {
        Value::Array(operations) => operations
            .iter()
            .map(|op| {
                format!(
                    "{} {}",
                    op["op"].as_str().unwrap_or("?"),
                    op["path"].as_str().unwrap_or("?")
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Object(_) => {
            let (mut removed, mut set) = (Vec::new(), Vec::new());
            merge_leaves(patch, "", &mut removed, &mut set);
            let mut parts = Vec::new();
            if !removed.is_empty() {
                parts.push(format!("removes {}", removed.join(", ")));
            }
            if !set.is_empty() {
                parts.push(format!("sets {}", set.join(", ")));
            }
            parts.join("; ")
        }
        other => format!("patch {other}"),
    }
}

fn merge_leaves(value: &Value, prefix: &str, removed: &mut Vec<String>, set: &mut Vec<String>) {
    let Value::Object(map) = value else {
        set.push(prefix.to_owned());
        return;
    };
    for (key, child) in map {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match child {
            Value::Null => removed.push(path),
            Value::Object(_) => merge_leaves(child, &path, removed, set),
            _ => set.push(path),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flavours_come_from_githubs_markers_or_the_servers() {
        let with = |info: Value, server: &str| json!({"info": info, "servers": [{"url": server}]});
        let github = "https://api.github.com";
        assert_eq!(
            flavour(&with(json!({"x-github-plan": "api.github.com"}), github)),
            Flavour::ApiGithubCom
        );
        assert_eq!(
            flavour(&with(json!({"x-github-plan": "ghec"}), github)),
            Flavour::Ghec
        );
        assert_eq!(
            flavour(&with(
                json!({"x-github-plan": "ghes", "x-github-release": 3.17}),
                "{protocol}://{hostname}/api/v3"
            )),
            Flavour::Ghes(Some("3.17".into()))
        );
        assert_eq!(flavour(&with(json!({}), github)), Flavour::ApiGithubCom);
        assert_eq!(
            flavour(&with(json!({}), "https://ghe/api/v3")),
            Flavour::Ghes(None)
        );
        assert_eq!(Flavour::Ghes(Some("3.19".into())).to_string(), "GHES 3.19");
        assert_eq!(
            flavour(&with(
                json!({"x-github-plan": "github.ae"}),
                "https://x/api/v3"
            ))
            .to_string(),
            "github.ae"
        );
        assert_eq!(
            flavour(&with(json!({}), "https://example.com")).to_string(),
            "servers https://example.com"
        );
    }

    #[test]
    fn the_api_version_comes_from_the_name_or_the_notices() {
        let annotated = json!({"components": {"schemas": {"x": {"x-github-breaking-changes": [
            {"changeset": "c", "patch": {}, "version": "2026-03-10"}
        ]}}}});
        assert_eq!(
            api_version(&annotated, "api.github.com.2026-03-10.json"),
            "2026-03-10"
        );
        assert_eq!(
            api_version(&annotated, "/tmp/api.github.com.json"),
            "2022-11-28"
        );
        assert_eq!(api_version(&json!({}), "ghes-3.17.json"), "2022-11-28");
        assert_eq!(date_in("a.2022-11-28.json"), Some("2022-11-28"));
        assert_eq!(date_in("x-3.17.json"), None);
    }

    #[test]
    fn notices_say_where_and_what() {
        let document = json!({
            "paths": {"/a": {"delete": {"operationId": "a", "x-github-breaking-changes": [
                {"changeset": "status", "patch": {"responses": {"202": {"description": "R"}, "204": null}}, "version": "2026-03-10"}
            ]}}},
            "components": {"schemas": {"repo": {"x-github-breaking-changes": [
                {"changeset": "remove_has_downloads", "patch": {"properties": {"has_downloads": null}}, "version": "2026-03-10"},
                {"changeset": "json_patch", "patch": [{"op": "remove", "path": "/properties/x"}], "version": "2026-03-10"}
            ]}}}
        });
        let shown: Vec<String> = breaking_changes(&document)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            shown,
            [
                "2026-03-10 json_patch: schema repo remove /properties/x",
                "2026-03-10 remove_has_downloads: schema repo removes properties.has_downloads",
                "2026-03-10 status: DELETE /a removes responses.204; sets responses.202.description",
            ]
        );
    }
}
