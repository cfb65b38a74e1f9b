//! The README's word on policies stays true: each TOML policy it shows
//! reads, and its JSON rule table names every rule a plan can give.

use github_packages_retention::{Age, Part, Policy, Reason};

fn readme() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    std::fs::read_to_string(path).expect("the README")
}

#[test]
fn every_policy_in_the_readme_reads() {
    let readme = readme();
    let blocks: Vec<&str> = readme
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block))
        .filter(|block| block.contains("package_type"))
        .collect();
    assert!(blocks.len() >= 4, "{blocks:?}");
    let digest = format!("sha256:{}", "0".repeat(64));
    for block in blocks {
        // The first example abbreviates its digests.
        let block = block.replace("sha256:…", &digest);
        if let Err(error) = Policy::from_toml(&block) {
            panic!("{error}:\n{block}");
        }
    }
}

/// One reason of each kind; the match makes a new kind fail to compile
/// here until it is added (and documented).
fn every_reason() -> Vec<Reason> {
    let text = String::new;
    let all = vec![
        Reason::Young {
            age_days: 1,
            limit: Age::days(7),
        },
        Reason::KeepTag {
            tag: text(),
            pattern: text(),
        },
        Reason::Semver { tag: text() },
        Reason::Latest { rank: 1, of: 1 },
        Reason::NoRule,
        Reason::Child {
            index: text(),
            platform: None,
        },
        Reason::Signature {
            of: text(),
            kind: text(),
        },
        Reason::ReferrersIndex { of: text() },
        Reason::Referrer {
            of: text(),
            artifact_type: None,
        },
        Reason::LastVersion,
        Reason::LastTagged,
        Reason::RegistryUnavailable { error: text() },
        Reason::ListedTwice { other_tags: vec![] },
        Reason::Duplicate {
            of: github_packages::VersionId::new(1),
        },
        Reason::KeepDigest,
        Reason::LatestUntagged { rank: 1, of: 1 },
        Reason::LatestOfDeleteTags { rank: 1, of: 1 },
        Reason::OverDeleteLimit { at_most: 1 },
        Reason::Untagged { age_days: 1 },
        Reason::DeleteTags {
            tags: vec![],
            pattern: text(),
            age_days: 1,
        },
        Reason::DeleteDigest,
        Reason::Untag {
            tags: vec![],
            pattern: text(),
            age_days: 1,
        },
        Reason::Ghost { platforms: 2 },
        Reason::Partial {
            missing: 1,
            platforms: 2,
        },
        Reason::Orphan { of: text() },
        Reason::WithImage {
            image: text(),
            image_tags: vec![],
            part: Part::ReferrersIndex,
        },
    ];
    for reason in &all {
        match reason {
            Reason::Young { .. }
            | Reason::KeepTag { .. }
            | Reason::Semver { .. }
            | Reason::Latest { .. }
            | Reason::NoRule
            | Reason::Child { .. }
            | Reason::Signature { .. }
            | Reason::ReferrersIndex { .. }
            | Reason::Referrer { .. }
            | Reason::LastVersion
            | Reason::LastTagged
            | Reason::RegistryUnavailable { .. }
            | Reason::ListedTwice { .. }
            | Reason::Duplicate { .. }
            | Reason::KeepDigest
            | Reason::LatestUntagged { .. }
            | Reason::LatestOfDeleteTags { .. }
            | Reason::OverDeleteLimit { .. }
            | Reason::Untagged { .. }
            | Reason::DeleteTags { .. }
            | Reason::DeleteDigest
            | Reason::Untag { .. }
            | Reason::Ghost { .. }
            | Reason::Partial { .. }
            | Reason::Orphan { .. }
            | Reason::WithImage { .. } => {}
        }
    }
    all
}

#[test]
fn the_json_rule_table_names_every_rule_with_its_action() {
    let readme = readme();
    let table: Vec<&str> = readme
        .lines()
        .skip_while(|line| !line.starts_with("| rule | action | facts |"))
        .take_while(|line| line.starts_with('|'))
        .collect();
    assert!(!table.is_empty(), "the README has no rule table");
    for reason in every_reason() {
        let json = serde_json::to_value(&reason).unwrap();
        let rule = json["rule"].as_str().unwrap().to_owned();
        let action = serde_json::to_value(reason.action()).unwrap();
        let action = action.as_str().unwrap();
        let named = format!("`{rule}`");
        let row = table
            .iter()
            .find(|line| {
                line.split('|')
                    .nth(1)
                    .is_some_and(|cell| cell.split(',').any(|name| name.trim() == named))
            })
            .unwrap_or_else(|| panic!("the README's rule table has no row for `{rule}`"));
        assert_eq!(row.split('|').nth(2).map(str::trim), Some(action), "{row}");
    }
}
