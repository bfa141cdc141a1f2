//! Layer compression: detected from the bytes, not trusted from the media type.

use std::io::{self, Read};
use std::sync::mpsc::{sync_channel, Receiver};
use std::thread;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

pub fn detect(prefix: &[u8]) -> Compression {
    if prefix.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if prefix.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// Bytes already read while sniffing, then the rest of the stream.
struct Prefixed<R> {
    prefix: Vec<u8>,
    pos: usize,
    inner: R,
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.prefix.len() {
            let n = (self.prefix.len() - self.pos).min(buf.len());
            buf[..n].copy_from_slice(&self.prefix[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

const CHUNK: usize = 256 * 1024;

/// Reads what a decompression thread produces, so inflating and unpacking use both cores.
struct Threaded {
    rx: Receiver<io::Result<Vec<u8>>>,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Read for Threaded {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.buf.len() {
            if self.done {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(chunk)) if chunk.is_empty() => self.done = true,
                Ok(Ok(chunk)) => {
                    self.buf = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Err(io::Error::other("decompression thread stopped")),
            }
        }
        let n = (self.buf.len() - self.pos).min(out.len());
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

fn on_thread(mut decoder: Box<dyn Read + Send>) -> Box<dyn Read + Send> {
    let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(16);
    thread::spawn(move || loop {
        let mut chunk = vec![0u8; CHUNK];
        let mut filled = 0;
        let result = loop {
            match decoder.read(&mut chunk[filled..]) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    filled += n;
                    if filled == chunk.len() {
                        break Ok(());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        chunk.truncate(filled);
        let end = filled == 0;
        let msg = match result {
            Ok(()) => Ok(chunk),
            Err(e) => Err(e),
        };
        let failed = msg.is_err();
        if tx.send(msg).is_err() || end || failed {
            return;
        }
    });
    Box::new(Threaded {
        rx,
        buf: Vec::new(),
        pos: 0,
        done: false,
    })
}

/// Sniff the compression and return a reader of the uncompressed tar stream.
pub fn decompressor(
    mut r: Box<dyn Read + Send>,
) -> io::Result<(Compression, Box<dyn Read + Send>)> {
    let mut prefix = vec![0u8; 4];
    let mut got = 0;
    while got < prefix.len() {
        match r.read(&mut prefix[got..])? {
            0 => break,
            n => got += n,
        }
    }
    prefix.truncate(got);
    let kind = detect(&prefix);
    let whole = Prefixed {
        prefix,
        pos: 0,
        inner: r,
    };
    let reader: Box<dyn Read + Send> = match kind {
        Compression::None => Box::new(whole),
        Compression::Gzip => on_thread(Box::new(flate2::read::MultiGzDecoder::new(
            io::BufReader::with_capacity(CHUNK, whole),
        ))),
        Compression::Zstd => on_thread(Box::new(zstd::stream::read::Decoder::new(whole)?)),
    };
    Ok((kind, reader))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn data() -> Vec<u8> {
        (0..3_000_000u32).map(|i| (i % 251) as u8).collect()
    }

    fn roundtrip(compressed: Vec<u8>, want: Compression) {
        let (kind, mut r) = decompressor(Box::new(io::Cursor::new(compressed))).unwrap();
        assert_eq!(kind, want);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data());
    }

    #[test]
    fn gzip_zstd_and_plain_streams_decompress_to_the_same_bytes() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&data()).unwrap();
        roundtrip(gz.finish().unwrap(), Compression::Gzip);
        roundtrip(zstd::encode_all(&data()[..], 1).unwrap(), Compression::Zstd);
        roundtrip(data(), Compression::None);
    }

    #[test]
    fn truncated_gzip_is_an_error_not_a_short_stream() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&data()).unwrap();
        let mut bytes = gz.finish().unwrap();
        bytes.truncate(bytes.len() / 2);
        let (_, mut r) = decompressor(Box::new(io::Cursor::new(bytes))).unwrap();
        let mut out = Vec::new();
        assert!(r.read_to_end(&mut out).is_err());
    }

    #[test]
    fn empty_input_is_an_empty_plain_stream() {
        let (kind, mut r) = decompressor(Box::new(io::Cursor::new(Vec::new()))).unwrap();
        assert_eq!(kind, Compression::None);
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert!(out.is_empty());
    }
}
