//! The events journal: what docker's daemon would broadcast, written by every berth process
//! (commands and container monitors) into one per-store file, and read back by `berth events`.
//!
//! ```text
//! <store>/events/events.log     one JSON object per line, docker's event shape
//! <store>/events/events.log.1   the previous file, once the current one passed ROTATE_AT
//! <store>/events/lock           flock: shared while appending, exclusive while rotating
//! ```
//! Each line is appended with one write(2) on an O_APPEND descriptor, so concurrent writers
//! never interleave inside a line. Appends hold the lock shared and rotation holds it
//! exclusive, so once a rotation is done nobody writes into the renamed file any more: a
//! follower that drains the old file after noticing the rename has seen every line of it.

pub mod filter;

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub use filter::{EventFilter, FilterError};

use crate::store::lock::FileLock;

/// The size after which the journal is rotated (the old file is kept as `events.log.1`).
pub const ROTATE_AT: u64 = 1024 * 1024;

/// How often a follower looks for new lines.
const FOLLOW_POLL: Duration = Duration::from_millis(100);

#[derive(Debug, Error)]
pub enum EventsError {
    #[error("cannot write the events journal {path}: {source}; check the store's permissions")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot read the events journal {path}: {source}; check the store's permissions")]
    Read { path: PathBuf, source: io::Error },
}

/// What an event is about (docker's `Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventType {
    Container,
    Image,
    Volume,
    Network,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Container => "container",
            EventType::Image => "image",
            EventType::Volume => "volume",
            EventType::Network => "network",
        }
    }

    pub fn parse(s: &str) -> Option<EventType> {
        Some(match s {
            "container" => EventType::Container,
            "image" => EventType::Image,
            "volume" => EventType::Volume,
            "network" => EventType::Network,
            _ => return None,
        })
    }
}

/// docker's `Actor`: the object's ID and its attributes (name, image, exitCode, signal, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Attributes", default)]
    pub attributes: BTreeMap<String, String>,
}

/// One event, serialised exactly as docker's `events --format '{{json .}}'` prints it
/// (including the legacy `status`/`id`/`from` keys docker still fills for containers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub status: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(rename = "Type")]
    pub kind: EventType,
    #[serde(rename = "Action")]
    pub action: String,
    #[serde(rename = "Actor")]
    pub actor: Actor,
    pub scope: String,
    /// Unix seconds.
    pub time: i64,
    /// Unix nanoseconds.
    #[serde(rename = "timeNano")]
    pub time_nano: i64,
}

impl Event {
    /// An event happening now.
    pub fn new(
        kind: EventType,
        action: &str,
        id: &str,
        attributes: BTreeMap<String, String>,
    ) -> Event {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i64);
        let (status, legacy_id, from) = match kind {
            EventType::Container | EventType::Image => (
                action.to_string(),
                id.to_string(),
                attributes.get("image").cloned().unwrap_or_default(),
            ),
            _ => Default::default(),
        };
        Event {
            status,
            id: legacy_id,
            from,
            kind,
            action: action.to_string(),
            actor: Actor {
                id: id.to_string(),
                attributes,
            },
            scope: "local".to_string(),
            time: nanos.div_euclid(1_000_000_000),
            time_nano: nanos,
        }
    }
}

/// The journal of one store.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

impl Journal {
    pub fn new(store_root: &Path) -> Journal {
        Journal {
            dir: store_root.join("events"),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join("events.log")
    }

    pub fn rotated_path(&self) -> PathBuf {
        self.dir.join("events.log.1")
    }

    fn lock_path(&self) -> PathBuf {
        self.dir.join("lock")
    }

    fn open_append(&self) -> io::Result<File> {
        OpenOptions::new()
            .append(true)
            .create(true)
            .mode(0o600)
            .open(self.path())
    }

    /// Append one event (one write of one line), rotating first when the file is full.
    pub fn append(&self, event: &Event) -> Result<(), EventsError> {
        self.append_with_limit(event, ROTATE_AT)
    }

    fn append_with_limit(&self, event: &Event, limit: u64) -> Result<(), EventsError> {
        let path = self.path();
        let err = |source| EventsError::Write {
            path: path.clone(),
            source,
        };
        let mut line = serde_json::to_vec(event).map_err(|e| err(io::Error::other(e)))?;
        line.push(b'\n');
        fs::create_dir_all(&self.dir).map_err(err)?;
        loop {
            let shared = FileLock::shared(&self.lock_path()).map_err(err)?;
            let mut file = self.open_append().map_err(err)?;
            let size = file.metadata().map_err(err)?.len();
            if size > 0 && size + line.len() as u64 > limit {
                drop(file);
                drop(shared);
                self.rotate(limit).map_err(err)?;
                continue;
            }
            // One write(2): O_APPEND makes its offset and the data one step, so lines of
            // concurrent writers never mix.
            let n = file.write(&line).map_err(err)?;
            if n != line.len() {
                return Err(err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "short write (is the disk full?)",
                )));
            }
            return Ok(());
        }
    }

    /// Move the full file aside, unless another writer did while we waited for the lock.
    fn rotate(&self, limit: u64) -> io::Result<()> {
        let _exclusive = FileLock::exclusive(&self.lock_path())?;
        match fs::metadata(self.path()) {
            Ok(m) if m.len() >= limit / 2 => fs::rename(self.path(), self.rotated_path()),
            Ok(_) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Every event in the journal, oldest first (the rotated file, then the current one).
    /// Lines that do not parse (a torn write after a crash) are skipped.
    pub fn read_all(&self) -> Result<Vec<Event>, EventsError> {
        let mut out = Vec::new();
        for path in [self.rotated_path(), self.path()] {
            match File::open(&path) {
                Ok(f) => {
                    let mut reader = BufReader::new(f);
                    read_lines(&mut reader, &path, &mut |e| {
                        out.push(e);
                        true
                    })?;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(source) => return Err(EventsError::Read { path, source }),
            }
        }
        Ok(out)
    }

    /// Pass every event already in the journal to `each`, then keep passing new ones as they
    /// are appended (across rotations) until `each` returns false or `stop` says so.
    pub fn follow(
        &self,
        stop: &dyn Fn() -> bool,
        each: &mut dyn FnMut(Event) -> bool,
    ) -> Result<(), EventsError> {
        let path = self.path();
        let mut going = true;
        // The rotated file first: from its start, to its end.
        if let Ok(f) = File::open(self.rotated_path()) {
            going = read_lines(&mut BufReader::new(f), &self.rotated_path(), each)?;
        }
        let mut current: Option<BufReader<File>> = None;
        while going && !stop() {
            if current.is_none() {
                match File::open(&path) {
                    Ok(f) => current = Some(BufReader::new(f)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                    Err(source) => return Err(EventsError::Read { path, source }),
                }
            }
            if let Some(reader) = current.as_mut() {
                going = read_lines(reader, &path, each)?;
                if !going {
                    break;
                }
                // Renamed away (rotated): the file we hold is complete once the rename is
                // visible, so read what is left of it and go on with the new one.
                let ours = reader
                    .get_ref()
                    .metadata()
                    .map_err(|source| EventsError::Read {
                        path: path.clone(),
                        source,
                    })?;
                let rotated = match fs::metadata(&path) {
                    Ok(now) => !same_file(&ours, &now),
                    Err(_) => true,
                };
                if rotated {
                    going = read_lines(reader, &path, each)?;
                    current = None;
                    continue;
                }
            }
            std::thread::sleep(FOLLOW_POLL);
        }
        Ok(())
    }
}

/// Read complete lines from where `reader` is; a partial last line is left for the next call.
/// Returns false once `each` asked to stop.
fn read_lines(
    reader: &mut BufReader<File>,
    path: &Path,
    each: &mut dyn FnMut(Event) -> bool,
) -> Result<bool, EventsError> {
    let err = |source| EventsError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line).map_err(err)?;
        if n == 0 {
            return Ok(true);
        }
        if line.last() != Some(&b'\n') {
            // Not complete yet: step back so the next call reads the whole line.
            reader.seek(SeekFrom::Current(-(n as i64))).map_err(err)?;
            return Ok(true);
        }
        if let Ok(event) = serde_json::from_slice::<Event>(&line) {
            if !each(event) {
                return Ok(false);
            }
        }
    }
}

/// Read the whole of `r` as journal lines (for tests and tools).
pub fn parse_lines(r: impl Read) -> Vec<Event> {
    BufReader::new(r)
        .lines()
        .map_while(|l| l.ok())
        .filter_map(|l| serde_json::from_str(&l).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(action: &str, name: &str) -> Event {
        Event::new(
            EventType::Container,
            action,
            "0123456789ab",
            BTreeMap::from([("name".to_string(), name.to_string())]),
        )
    }

    #[test]
    fn appended_events_read_back_in_order_with_dockers_keys() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::new(dir.path());
        j.append(&ev("create", "a")).unwrap();
        j.append(&ev("start", "a")).unwrap();
        let all = j.read_all().unwrap();
        assert_eq!(
            all.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["create", "start"]
        );
        let text = fs::read_to_string(j.path()).unwrap();
        let v: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        for key in ["Type", "Action", "Actor", "scope", "time", "timeNano"] {
            assert!(v.get(key).is_some(), "{key} missing in {v}");
        }
        assert_eq!(v["Actor"]["Attributes"]["name"], "a");
        assert_eq!(v["Type"], "container");
        assert_eq!(v["time"], v["timeNano"].as_i64().unwrap() / 1_000_000_000);
    }

    #[test]
    fn a_full_journal_rotates_and_keeps_one_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::new(dir.path());
        for i in 0..100 {
            j.append_with_limit(&ev("start", &format!("c{i}")), 2000)
                .unwrap();
        }
        assert!(fs::metadata(j.path()).unwrap().len() <= 2000);
        assert!(fs::metadata(j.rotated_path()).unwrap().len() <= 2000);
        let all = j.read_all().unwrap();
        // The newest event is always there, and what is kept is in order and contiguous.
        assert_eq!(all.last().unwrap().actor.attributes["name"], "c99");
        let nums: Vec<usize> = all
            .iter()
            .map(|e| e.actor.attributes["name"][1..].parse().unwrap())
            .collect();
        assert!(nums.windows(2).all(|w| w[1] == w[0] + 1), "{nums:?}");
        assert!(nums.len() > 10);
    }

    #[test]
    fn a_partial_last_line_is_read_once_it_is_complete() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::new(dir.path());
        j.append(&ev("create", "a")).unwrap();
        let line = serde_json::to_string(&ev("start", "a")).unwrap();
        let (head, tail) = line.split_at(20);
        let mut f = OpenOptions::new().append(true).open(j.path()).unwrap();
        f.write_all(head.as_bytes()).unwrap();
        let mut reader = BufReader::new(File::open(j.path()).unwrap());
        let mut seen = Vec::new();
        read_lines(&mut reader, &j.path(), &mut |e| {
            seen.push(e.action);
            true
        })
        .unwrap();
        assert_eq!(seen, ["create"]);
        f.write_all(format!("{tail}\n").as_bytes()).unwrap();
        read_lines(&mut reader, &j.path(), &mut |e| {
            seen.push(e.action);
            true
        })
        .unwrap();
        assert_eq!(seen, ["create", "start"]);
    }

    #[test]
    fn follow_reads_across_a_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::new(dir.path());
        j.append(&ev("create", "a")).unwrap();
        let writer = j.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            // Enough to rotate once (a line is about 190 bytes), not twice: with one old
            // file kept, a follower asleep across two rotations could not see the middle one.
            for i in 0..10 {
                writer
                    .append_with_limit(&ev("start", &format!("c{i}")), 1500)
                    .unwrap();
            }
        });
        let mut seen = Vec::new();
        j.follow(&|| false, &mut |e| {
            let last = e.actor.attributes["name"] == "c9";
            seen.push(e.actor.attributes["name"].clone());
            !last
        })
        .unwrap();
        t.join().unwrap();
        let expected: Vec<String> = std::iter::once("a".to_string())
            .chain((0..10).map(|i| format!("c{i}")))
            .collect();
        assert_eq!(seen, expected);
        assert!(j.rotated_path().exists(), "the test must cross a rotation");
    }
}
