//! A journal of a destructive run: one JSON line per version a run
//! settled (deleted, untagged, kept because it changed, failed, …),
//! written and synced to disk as it goes, so that a run interrupted at any
//! point leaves a journal complete up to that point. GitHub keeps a deleted
//! version restorable for 30 days (`docs/github-behaviour.md`,
//! "Refusals"); the journal says which versions to restore. It never holds
//! a token: only what GitHub listed and what became of it.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One line of a journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When the outcome was settled.
    pub time: DateTime<Utc>,
    /// `org:acme`, `user:octocat` or `me`.
    pub owner: String,
    /// `container`, `npm`, ….
    pub package_type: String,
    /// The package's name.
    pub package: String,
    /// The version's id.
    pub id: i64,
    /// Its name (a digest, for images), when known.
    pub name: Option<String>,
    /// Its tags, as the plan saw them.
    #[serde(default)]
    pub tags: Vec<String>,
    /// What was asked: `delete` or `untag`.
    pub action: String,
    /// What became of it: an [`Outcome`](crate::Outcome)'s JSON name
    /// (`deleted`, `untagged`, `failed`, …).
    pub outcome: String,
    /// GitHub's answer or the reason, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For an untag, the tags it moved off the image `name`, whatever its
    /// outcome (one that failed half way may have moved some):
    /// [`Retention::restore_tags`](crate::Retention::restore_tags) puts
    /// them back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed_tags: Vec<String>,
}

/// An append-only journal file.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: Mutex<File>,
}

impl Journal {
    /// Opens `path` for appending, creating it if need be.
    pub fn create(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref().to_path_buf();
        let file = OpenOptions::new().append(true).create(true).open(&path)?;
        Ok(Self {
            path,
            file: Mutex::new(file),
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `entry` and syncs it to disk before returning.
    pub fn record(&self, entry: &Entry) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(std::io::Error::other)?;
        line.push(b'\n');
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        file.write_all(&line)?;
        file.sync_data()
    }

    /// The entries of the journal at `path`, in the order they were
    /// written; a line that cannot be read (a run killed mid-line) is an
    /// error naming its number.
    pub fn read(path: impl AsRef<Path>) -> std::io::Result<Vec<Entry>> {
        let file = File::open(path)?;
        let mut entries = Vec::new();
        for (number, line) in BufReader::new(file).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            let entry = serde_json::from_str(&line).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("line {} is not a journal entry ({e})", number + 1),
                )
            })?;
            entries.push(entry);
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let journal = Journal::create(&path).unwrap();
        let entry = Entry {
            time: Utc::now(),
            owner: "org:acme".to_owned(),
            package_type: "container".to_owned(),
            package: "app".to_owned(),
            id: 7,
            name: Some("sha256:00".to_owned()),
            tags: vec!["pr-1".to_owned()],
            action: "delete".to_owned(),
            outcome: "deleted".to_owned(),
            detail: None,
            removed_tags: Vec::new(),
        };
        journal.record(&entry).unwrap();
        journal.record(&entry).unwrap();
        assert_eq!(Journal::read(&path).unwrap(), [entry.clone(), entry]);
        std::fs::write(&path, "{\"time\":").unwrap();
        let error = Journal::read(&path).unwrap_err().to_string();
        assert!(
            error.starts_with("line 1 is not a journal entry"),
            "{error}"
        );
    }
}
