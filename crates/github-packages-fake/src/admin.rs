//! The admin API, under [`PREFIX`], for tests in any language: what the
//! in-process [`Fake`](crate::Fake) offers to Rust, over HTTP and JSON. Its
//! requests are not logged and meet no faults or limits; GitHub has no
//! path under `/_fake/`.
//!
//! | request | does |
//! |---|---|
//! | `GET /_fake/log` | the request log: `method`, `path`, `query`, `token` (a label, never a value), `operation`, `status`, `at`, `duration_ms` |
//! | `DELETE /_fake/log` | clears it |
//! | `GET /_fake/limits` | rate-limit answers given (`primary`, `secondary`) and `peak_in_flight` |
//! | `GET /_fake/clock` | `now` (RFC 3339) and `speed` |
//! | `POST /_fake/clock` | `{"advance_seconds": N, "speed": F}`, either or both |
//! | `PUT /_fake/faults` | puts faults in force (the seed's `[faults]` keys, as JSON) |
//! | `DELETE /_fake/faults` | no faults |
//! | `POST /_fake/reset` | the world as the seed made it (registry sign-ins too) |
//! | `POST /_fake/world` | a change as another actor would make it: `{"change": "push_image", "owner", "name", "image": {…ImageSeed}}`, `"move_tag"` (`owner`, `name`, `tag`, `to`: a digest), `"sign"` / `"add_referrer"` (`owner`, `name`, `digest`: a cosign `.sig` tag, an OCI 1.1 referrer), `"delete_version"` / `"restore_version"` (`owner`, `package_type`, `name`, `version`: a name or digest), `"set_downloads"` (… `downloads`) |
//!
//! Errors are `{"message": "…"}`: 400 for a body that does not say what to
//! do, 404 for another path, 405 for another method, 409 for a change the
//! world refuses (no such package or version).

use serde::Deserialize;
use serde_json::{Value, json};

use crate::github::render::Answer;
use crate::instance::Server;
use crate::seed::{FaultsSeed, ImageSeed};
use crate::world::World;

/// Where the admin API lives.
pub const PREFIX: &str = "/_fake/";

/// The most bytes of an admin request's body read.
pub(crate) const MAX_BODY: usize = 1 << 20;

/// A change to the world, as `POST /_fake/world` takes it.
#[derive(Debug, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case", deny_unknown_fields)]
enum Change {
    PushImage {
        owner: String,
        name: String,
        image: ImageSeed,
    },
    MoveTag {
        owner: String,
        name: String,
        tag: String,
        to: String,
    },
    DeleteVersion {
        owner: String,
        package_type: String,
        name: String,
        version: String,
    },
    RestoreVersion {
        owner: String,
        package_type: String,
        name: String,
        version: String,
    },
    Sign {
        owner: String,
        name: String,
        digest: String,
    },
    AddReferrer {
        owner: String,
        name: String,
        digest: String,
    },
    SetDownloads {
        owner: String,
        package_type: String,
        name: String,
        version: String,
        downloads: u64,
    },
}

/// `POST /_fake/clock`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    advance_seconds: Option<u64>,
    speed: Option<f64>,
}

fn message(status: u16, text: &str) -> Answer {
    Answer::json(status, json!({ "message": text }))
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8], what: &str) -> Result<T, Answer> {
    serde_json::from_slice(body).map_err(|e| message(400, &format!("the body is not {what} ({e})")))
}

/// Answers an admin request; `path` is what follows [`PREFIX`].
pub(crate) fn handle(server: &Server, method: &str, path: &str, body: &[u8]) -> Answer {
    let result = match (method, path.trim_end_matches('/')) {
        ("GET", "log") => Ok(Answer::json(200, json!(server.log()))),
        ("DELETE", "log") => {
            server.clear_log();
            Ok(Answer::empty())
        }
        ("GET", "limits") => {
            let stats = server.limits.stats();
            Ok(Answer::json(
                200,
                json!({
                    "primary": stats.primary,
                    "secondary": stats.secondary,
                    "peak_in_flight": server.peak_in_flight(),
                }),
            ))
        }
        ("GET", "clock") => Ok(clock(server)),
        ("POST", "clock") => parse::<ClockChange>(body, "a clock change").map(|change| {
            if let Some(seconds) = change.advance_seconds {
                let seconds = i64::try_from(seconds).unwrap_or(i64::MAX);
                server.clock.advance(
                    chrono::Duration::try_seconds(seconds).unwrap_or(chrono::Duration::MAX),
                );
            }
            if let Some(speed) = change.speed {
                server.clock.set_speed(speed);
            }
            clock(server)
        }),
        ("PUT", "faults") => parse::<FaultsSeed>(body, "faults").map(|faults| {
            server.faults.set(faults);
            Answer::empty()
        }),
        ("DELETE", "faults") => {
            server.faults.set(FaultsSeed::default());
            Ok(Answer::empty())
        }
        ("POST", "reset") => server
            .reset()
            .map(|()| Answer::empty())
            .map_err(|e| message(500, &e)),
        ("POST", "world") => parse::<Change>(body, "a change").and_then(|change| {
            server
                .change(|world| apply(world, change))
                .map(|result| Answer::json(200, json!({ "result": result })))
                .map_err(|e| message(409, &e))
        }),
        (_, "log" | "limits" | "clock" | "faults" | "reset" | "world") => {
            Err(message(405, "Method Not Allowed"))
        }
        _ => Err(message(404, "Not Found")),
    };
    result.unwrap_or_else(|answer| answer)
}

fn clock(server: &Server) -> Answer {
    Answer::json(
        200,
        json!({
            "now": server.clock.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "speed": server.clock.speed(),
        }),
    )
}

/// Makes `change`; what it made (a pushed image's digest), if anything.
fn apply(world: &mut World<'_>, change: Change) -> Result<Value, String> {
    match change {
        Change::PushImage { owner, name, image } => {
            world.push_image(&owner, &name, &image).map(Value::from)
        }
        Change::MoveTag {
            owner,
            name,
            tag,
            to,
        } => world
            .move_tag(&owner, &name, &tag, &to)
            .map(|()| Value::Null),
        Change::DeleteVersion {
            owner,
            package_type,
            name,
            version,
        } => world
            .delete_version(&owner, &package_type, &name, &version)
            .map(|()| Value::Null),
        Change::RestoreVersion {
            owner,
            package_type,
            name,
            version,
        } => world
            .restore_version(&owner, &package_type, &name, &version)
            .map(|()| Value::Null),
        Change::Sign {
            owner,
            name,
            digest,
        } => world.sign(&owner, &name, &digest).map(Value::from),
        Change::AddReferrer {
            owner,
            name,
            digest,
        } => world.add_referrer(&owner, &name, &digest).map(Value::from),
        Change::SetDownloads {
            owner,
            package_type,
            name,
            version,
            downloads,
        } => world
            .set_downloads(&owner, &package_type, &name, &version, downloads)
            .map(|()| Value::Null),
    }
}
