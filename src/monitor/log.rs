//! The container log in podman's k8s-file format, one line per chunk of output:
//! `2026-11-23T10:11:12.123456789Z stdout F hello` — F for a full line, P for a partial one
//! (output that did not end in a newline when it was read).

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn as_str(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

pub struct LogWriter {
    file: File,
}

impl LogWriter {
    pub fn open(path: &Path) -> io::Result<LogWriter> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .open(path)?;
        Ok(LogWriter { file })
    }

    /// Append `data` as one log line per newline-terminated piece (a trailing piece is partial).
    pub fn write(&mut self, stream: Stream, data: &[u8]) -> io::Result<()> {
        let ts = Utc::now().to_rfc3339_opts(SecondsFormat::Nanos, true);
        let mut out = Vec::with_capacity(data.len() + 64);
        for piece in data.split_inclusive(|&b| b == b'\n') {
            let (body, tag) = match piece.strip_suffix(b"\n") {
                Some(b) => (b, "F"),
                None => (piece, "P"),
            };
            out.extend_from_slice(ts.as_bytes());
            out.push(b' ');
            out.extend_from_slice(stream.as_str().as_bytes());
            out.push(b' ');
            out.extend_from_slice(tag.as_bytes());
            out.push(b' ');
            out.extend_from_slice(body);
            out.push(b'\n');
        }
        self.file.write_all(&out)
    }
}

/// One line of the log with its partial pieces joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub time: DateTime<Utc>,
    pub stream: Stream,
    /// The content, with its newline when the line was complete.
    pub data: Vec<u8>,
}

fn parse_line(line: &[u8]) -> Option<(DateTime<Utc>, Stream, bool, &[u8])> {
    let mut parts = line.splitn(4, |&b| b == b' ');
    let ts = std::str::from_utf8(parts.next()?).ok()?;
    let time = DateTime::parse_from_rfc3339(ts).ok()?.with_timezone(&Utc);
    let stream = match parts.next()? {
        b"stdout" => Stream::Stdout,
        b"stderr" => Stream::Stderr,
        _ => return None,
    };
    let full = parts.next()? == b"F";
    Some((time, stream, full, parts.next().unwrap_or(b"")))
}

/// Reads entries from a log file, joining partial pieces; can be polled again for new lines
/// (`logs -f`).
pub struct LogReader {
    reader: io::BufReader<File>,
    pending: Option<Entry>,
    buf: Vec<u8>,
}

impl LogReader {
    pub fn open(path: &Path) -> io::Result<LogReader> {
        Ok(LogReader {
            reader: io::BufReader::new(File::open(path)?),
            pending: None,
            buf: Vec::new(),
        })
    }

    /// The complete entries available now. A partial piece with no continuation yet is
    /// returned too when `flush` is set (the container has exited).
    pub fn read_available(&mut self, flush: bool) -> io::Result<Vec<Entry>> {
        let mut out = Vec::new();
        loop {
            let n = self.reader.read_until(b'\n', &mut self.buf)?;
            if n == 0 || !self.buf.ends_with(b"\n") {
                // A line still being written: keep what we have and try again later.
                break;
            }
            let line = std::mem::take(&mut self.buf);
            let line = &line[..line.len() - 1];
            let Some((time, stream, full, data)) = parse_line(line) else {
                continue;
            };
            let entry = self.pending.get_or_insert_with(|| Entry {
                time,
                stream,
                data: Vec::new(),
            });
            entry.data.extend_from_slice(data);
            if full {
                let mut e = self.pending.take().expect("just set");
                e.data.push(b'\n');
                out.push(e);
            }
        }
        if flush {
            if let Some(e) = self.pending.take() {
                out.push(e);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_pieces_are_joined_into_one_entry() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ctr.log");
        let mut w = LogWriter::open(&p).unwrap();
        w.write(Stream::Stdout, b"hel").unwrap();
        w.write(Stream::Stdout, b"lo\nsecond\n").unwrap();
        w.write(Stream::Stderr, b"oops\n").unwrap();
        w.write(Stream::Stdout, b"tail").unwrap();
        let mut r = LogReader::open(&p).unwrap();
        let e = r.read_available(false).unwrap();
        let texts: Vec<_> = e.iter().map(|e| (e.stream, e.data.clone())).collect();
        assert_eq!(
            texts,
            vec![
                (Stream::Stdout, b"hello\n".to_vec()),
                (Stream::Stdout, b"second\n".to_vec()),
                (Stream::Stderr, b"oops\n".to_vec()),
            ]
        );
        let rest = r.read_available(true).unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0].data, b"tail");
    }
}
