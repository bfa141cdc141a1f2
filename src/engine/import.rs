//! `import`: a tarball of a filesystem becomes a one-layer image, with docker's `--change`
//! instructions applied to its config.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::Utc;
use thiserror::Error;

use super::ingest::{IngestError, LayerSource};
use super::{Engine, EngineError};
use crate::image::manifest::{
    ContainerConfig, History, ImageConfig, ManifestError, Platform, RootFs,
};
use crate::image::reference::{Reference, ReferenceError};
use crate::store::{ImageRecord, StoreError};

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("invalid --change {change:?}: {reason}")]
    BadChange { change: String, reason: String },
    #[error("invalid image name {name:?}: a tag cannot contain a digest; use NAME[:TAG]")]
    DigestInName { name: String },
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Platform(#[from] ManifestError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// What the tarball was called (`-` for stdin), for the history entry.
    pub source: String,
    pub reference: Option<String>,
    pub changes: Vec<String>,
    pub message: Option<String>,
    pub platform: Option<String>,
    pub os: Option<String>,
    pub arch: Option<String>,
    pub variant: Option<String>,
}

const SUPPORTED: &str =
    "use CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR";

/// Split like a shell word list: whitespace separates, quotes group, backslash escapes.
fn words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => match chars.next() {
                Some(n) => cur.push(n),
                None => return Err("it ends with a lone backslash".into()),
            },
            (Some(_), c) => cur.push(c),
            (None, '"') | (None, '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("a quote is not closed".into());
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

/// `["a","b"]` (exec form) when it parses as a JSON list of strings.
fn json_list(s: &str) -> Option<Vec<String>> {
    if !s.starts_with('[') {
        return None;
    }
    serde_json::from_str(s).ok()
}

/// `k=v k2="v 2"` pairs, or docker's legacy single `KEY value` form.
fn pairs(rest: &str) -> Result<Vec<(String, String)>, String> {
    let first = rest.split_whitespace().next().unwrap_or("");
    if !first.contains('=') {
        let (k, v) = rest
            .split_once(char::is_whitespace)
            .ok_or("it needs KEY=VALUE (or KEY VALUE)")?;
        return Ok(vec![(k.to_string(), v.trim().to_string())]);
    }
    words(rest)?
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(format!("{w:?} is not KEY=VALUE")),
        })
        .collect()
}

/// Apply one docker `--change` instruction to a container config.
pub fn apply_change(config: &mut ContainerConfig, change: &str) -> Result<(), ImportError> {
    let bad = |reason: String| ImportError::BadChange {
        change: change.to_string(),
        reason,
    };
    let trimmed = change.trim();
    let (word, rest) = match trimmed.split_once(char::is_whitespace) {
        Some((w, r)) => (w, r.trim()),
        None => (trimmed, ""),
    };
    let instruction = word.to_ascii_uppercase();
    if rest.is_empty() {
        return Err(bad(format!("{instruction} needs an argument")));
    }
    match instruction.as_str() {
        "CMD" | "ENTRYPOINT" => {
            // docker's shell form: the whole text becomes one `sh -c` argument.
            let argv = json_list(rest)
                .unwrap_or_else(|| vec!["/bin/sh".into(), "-c".into(), rest.to_string()]);
            if instruction == "CMD" {
                config.cmd = Some(argv);
            } else {
                config.entrypoint = Some(argv);
            }
        }
        "ENV" => {
            let pairs = pairs(rest).map_err(bad)?;
            let env = config.env.get_or_insert_with(Vec::new);
            for (k, v) in pairs {
                let prefix = format!("{k}=");
                env.retain(|e| !e.starts_with(&prefix));
                env.push(format!("{k}={v}"));
            }
        }
        "LABEL" => {
            let pairs = pairs(rest).map_err(bad)?;
            let labels = config.labels.get_or_insert_with(BTreeMap::new);
            for (k, v) in pairs {
                labels.insert(k, v);
            }
        }
        "WORKDIR" => config.working_dir = Some(rest.to_string()),
        "USER" => config.user = Some(rest.to_string()),
        "STOPSIGNAL" => config.stop_signal = Some(rest.to_string()),
        "EXPOSE" => {
            let mut ports = Vec::new();
            for p in words(rest).map_err(bad)? {
                let (port, proto) = p.split_once('/').unwrap_or((&p, "tcp"));
                let proto = proto.to_ascii_lowercase();
                if port.parse::<u16>().is_err() || !["tcp", "udp", "sctp"].contains(&&*proto) {
                    return Err(bad(format!(
                        "{p:?} is not PORT[/tcp|udp|sctp] with PORT 0-65535"
                    )));
                }
                ports.push(format!("{port}/{proto}"));
            }
            let exposed = config.exposed_ports.get_or_insert_with(BTreeMap::new);
            for p in ports {
                exposed.insert(p, serde_json::json!({}));
            }
        }
        "VOLUME" => {
            let paths = match json_list(rest) {
                Some(l) => l,
                None => words(rest).map_err(bad)?,
            };
            let volumes = config.volumes.get_or_insert_with(BTreeMap::new);
            for p in paths {
                volumes.insert(p, serde_json::json!({}));
            }
        }
        other => {
            return Err(bad(format!(
                "{other} is not an instruction --change supports; {SUPPORTED}"
            )))
        }
    }
    Ok(())
}

impl Engine {
    /// Import a filesystem tarball (plain, gzip or zstd) read from `input`.
    pub fn import(
        &self,
        input: Box<dyn Read + Send>,
        opts: &ImportOptions,
    ) -> Result<ImageRecord, ImportError> {
        // Everything the user typed is checked before a byte of the tarball is read.
        let mut container = ContainerConfig::default();
        for change in &opts.changes {
            apply_change(&mut container, change)?;
        }
        let names = match &opts.reference {
            Some(r) => {
                let parsed = Reference::parse(r)?;
                if parsed.digest.is_some() {
                    return Err(ImportError::DigestInName { name: r.clone() });
                }
                vec![parsed.to_string()]
            }
            None => vec![],
        };
        let mut platform = match &opts.platform {
            Some(p) => Platform::parse(p)?,
            None => Platform::host(),
        };
        if let Some(os) = &opts.os {
            platform.os = os.clone();
        }
        if let Some(arch) = &opts.arch {
            platform.architecture = arch.clone();
        }
        if let Some(v) = &opts.variant {
            platform.variant = Some(v.clone());
        }

        let mut ingest = self.ingest()?;
        let layer = ingest.layer(LayerSource::Stream(input), None, None, &opts.source)?;
        let created = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
        let comment = opts
            .message
            .clone()
            .unwrap_or_else(|| format!("Imported from {}", opts.source));
        let mut extra = serde_json::Map::new();
        extra.insert("comment".into(), comment.clone().into());
        let config = ImageConfig {
            architecture: platform.architecture.clone(),
            os: platform.os.clone(),
            variant: platform.variant.clone(),
            created: Some(created.clone()),
            config: Some(container),
            rootfs: RootFs {
                kind: "layers".into(),
                diff_ids: vec![layer.diff_id.clone()],
            },
            history: vec![History {
                created: Some(created),
                comment: Some(comment),
                ..Default::default()
            }],
            extra,
            ..Default::default()
        };
        let bytes = serde_json::to_vec(&config).expect("image config serializes");
        let record = ingest.register(&bytes, vec![layer], None, names)?;
        ingest.finish();
        self.emit_image(
            "import",
            &record.id,
            record.names.first().unwrap_or(&record.id),
        );
        Ok(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(changes: &[&str]) -> ContainerConfig {
        let mut c = ContainerConfig::default();
        for ch in changes {
            apply_change(&mut c, ch).unwrap();
        }
        c
    }

    #[test]
    fn cmd_accepts_json_and_wraps_shell_form_like_docker() {
        assert_eq!(applied(&[r#"CMD ["sh"]"#]).cmd.unwrap(), vec!["sh"]);
        assert_eq!(
            applied(&["CMD /bin/sh -c x"]).cmd.unwrap(),
            vec!["/bin/sh", "-c", "/bin/sh -c x"]
        );
        assert_eq!(
            applied(&[r#"ENTRYPOINT ["/bin/app", "--flag"]"#])
                .entrypoint
                .unwrap(),
            vec!["/bin/app", "--flag"]
        );
    }

    #[test]
    fn env_and_label_take_pairs_quotes_and_the_legacy_form() {
        let c = applied(&[
            r#"ENV A=1 B="two words""#,
            "ENV C three words",
            "ENV A=replaced",
            r#"LABEL org.x=1 "y"='z z'"#,
        ]);
        assert_eq!(
            c.env.unwrap(),
            vec!["B=two words", "C=three words", "A=replaced"]
        );
        let labels = c.labels.unwrap();
        assert_eq!(labels["org.x"], "1");
        assert_eq!(labels["y"], "z z");
    }

    #[test]
    fn workdir_user_expose_volume_and_stopsignal_land_in_the_config() {
        let c = applied(&[
            "workdir /srv",
            "USER 1000:1000",
            "EXPOSE 80 53/udp",
            r#"VOLUME ["/data"]"#,
            "VOLUME /a /b",
            "STOPSIGNAL SIGTERM",
        ]);
        assert_eq!(c.working_dir.as_deref(), Some("/srv"));
        assert_eq!(c.user.as_deref(), Some("1000:1000"));
        let ports: Vec<_> = c.exposed_ports.unwrap().into_keys().collect();
        assert_eq!(ports, vec!["53/udp", "80/tcp"]);
        let vols: Vec<_> = c.volumes.unwrap().into_keys().collect();
        assert_eq!(vols, vec!["/a", "/b", "/data"]);
        assert_eq!(c.stop_signal.as_deref(), Some("SIGTERM"));
    }

    #[test]
    fn unsupported_or_malformed_changes_are_refused_with_the_fix() {
        let mut c = ContainerConfig::default();
        let e = apply_change(&mut c, "RUN make").unwrap_err().to_string();
        assert!(e.contains("RUN") && e.contains("use CMD"), "{e}");
        let e = apply_change(&mut c, "CMD").unwrap_err().to_string();
        assert!(e.contains("needs an argument"), "{e}");
        assert!(apply_change(&mut c, "EXPOSE 99999").is_err());
        assert!(apply_change(&mut c, r#"ENV A="open"#).is_err());
        assert!(apply_change(&mut c, "ENV =x").is_err());
        assert_eq!(
            c,
            ContainerConfig::default(),
            "failed changes change nothing"
        );
    }
}
