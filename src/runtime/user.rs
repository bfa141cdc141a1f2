//! Resolving `--user` and the command inside the container, after pivot_root: the container's
//! own /etc/passwd and /etc/group are parsed as text (no NSS, so no code from the image runs
//! before exec) and PATH is searched in the container's filesystem.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
    pub home: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserError {
    #[error("unable to find user {0}: no matching entries in passwd file")]
    NoUser(String),
    #[error("unable to find group {0}: no matching entries in group file")]
    NoGroup(String),
}

struct PasswdEntry {
    name: String,
    uid: u32,
    gid: u32,
    home: String,
}

fn parse_passwd(text: &str) -> Vec<PasswdEntry> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 7 {
                return None;
            }
            Some(PasswdEntry {
                name: f[0].to_string(),
                uid: f[2].parse().ok()?,
                gid: f[3].parse().ok()?,
                home: f[5].to_string(),
            })
        })
        .collect()
}

/// (name, gid, members)
fn parse_group(text: &str) -> Vec<(String, u32, Vec<String>)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 4 {
                return None;
            }
            let members = f[3]
                .split(',')
                .filter(|m| !m.is_empty())
                .map(str::to_string)
                .collect();
            Some((f[0].to_string(), f[2].parse().ok()?, members))
        })
        .collect()
}

/// Resolve docker's `user[:group]` (names or numbers) against passwd/group text. An empty spec
/// is root. Numeric ids need no entry, as in docker.
pub fn resolve(spec: &str, passwd: &str, group: &str) -> Result<ExecUser, UserError> {
    let (user_part, group_part) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let users = parse_passwd(passwd);
    let groups = parse_group(group);
    let user_part = if user_part.is_empty() { "0" } else { user_part };
    let entry = match user_part.parse::<u32>() {
        Ok(uid) => users.iter().find(|u| u.uid == uid),
        Err(_) => Some(
            users
                .iter()
                .find(|u| u.name == user_part)
                .ok_or_else(|| UserError::NoUser(user_part.to_string()))?,
        ),
    };
    let uid = match entry {
        Some(e) => e.uid,
        None => user_part.parse().expect("numeric checked above"),
    };
    let mut gid = entry.map(|e| e.gid).unwrap_or(0);
    let home = entry
        .map(|e| e.home.clone())
        .unwrap_or_else(|| "/".to_string());
    let mut supplementary = Vec::new();
    match group_part {
        Some(g) if !g.is_empty() => {
            gid = match g.parse::<u32>() {
                Ok(n) => n,
                Err(_) => groups
                    .iter()
                    .find(|(name, _, _)| name == g)
                    .map(|(_, id, _)| *id)
                    .ok_or_else(|| UserError::NoGroup(g.to_string()))?,
            };
        }
        _ => {
            // Supplementary groups come from group membership only when no group was forced.
            if let Some(e) = entry {
                supplementary = groups
                    .iter()
                    .filter(|(_, id, members)| *id != e.gid && members.contains(&e.name))
                    .map(|(_, id, _)| *id)
                    .collect();
            }
        }
    }
    Ok(ExecUser {
        uid,
        gid,
        groups: supplementary,
        home,
    })
}

/// Read the container's passwd and group (missing files are empty) and resolve `spec`.
pub fn resolve_in_container(spec: &str) -> Result<ExecUser, UserError> {
    let passwd = fs::read_to_string("/etc/passwd").unwrap_or_default();
    let group = fs::read_to_string("/etc/group").unwrap_or_default();
    resolve(spec, &passwd, &group)
}

/// Why a command cannot be run, with docker's exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecFailure {
    pub code: i32,
    pub message: String,
}

pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Find `cmd` as execvp would, in the container's filesystem (we are after pivot_root).
pub fn find_executable(cmd: &str, path_env: Option<&str>) -> Result<PathBuf, ExecFailure> {
    if cmd.contains('/') {
        return Ok(PathBuf::from(cmd));
    }
    let path = path_env.unwrap_or(DEFAULT_PATH);
    let mut denied = None;
    for dir in path.split(':') {
        let dir = if dir.is_empty() { "." } else { dir };
        let candidate = Path::new(dir).join(cmd);
        if let Ok(meta) = fs::metadata(&candidate) {
            if meta.is_file() && meta.permissions().mode() & 0o111 != 0 {
                return Ok(candidate);
            }
            if meta.is_file() {
                denied.get_or_insert(candidate);
            }
        }
    }
    if let Some(p) = denied {
        return Ok(p);
    }
    Err(ExecFailure {
        code: 127,
        message: format!("{cmd}: executable file not found in $PATH"),
    })
}

/// Map execve's errno to docker's code and message.
pub fn exec_failure(cmd: &str, errno: i32) -> ExecFailure {
    let err = std::io::Error::from_raw_os_error(errno);
    let code = match errno {
        libc::ENOENT | libc::ENOTDIR => 127,
        _ => 126,
    };
    ExecFailure {
        code,
        message: format!("{cmd}: {}", err_text(&err)),
    }
}

fn err_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    // "Permission denied (os error 13)" → "permission denied", as docker prints it.
    let s = s.split(" (os error").next().unwrap_or(&s).to_string();
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\nwww:x:33:33:www:/var/www:/bin/false\nalice:x:1000:1000::/home/alice:/bin/sh\n";
    const GROUP: &str = "root:x:0:\nwww:x:33:\nalice:x:1000:\nstaff:x:50:alice,bob\n";

    #[test]
    fn names_resolve_through_passwd_with_supplementary_groups() {
        let u = resolve("alice", PASSWD, GROUP).unwrap();
        assert_eq!((u.uid, u.gid, u.groups.clone()), (1000, 1000, vec![50]));
        assert_eq!(u.home, "/home/alice");
    }

    #[test]
    fn numeric_ids_need_no_passwd_entry() {
        let u = resolve("4242:4343", PASSWD, GROUP).unwrap();
        assert_eq!((u.uid, u.gid), (4242, 4343));
        assert_eq!(u.home, "/");
    }

    #[test]
    fn a_group_name_overrides_the_primary_group() {
        let u = resolve("www:staff", PASSWD, GROUP).unwrap();
        assert_eq!((u.uid, u.gid), (33, 50));
        assert!(u.groups.is_empty());
    }

    #[test]
    fn unknown_user_and_group_are_errors_naming_them() {
        assert_eq!(
            resolve("nobody-here", PASSWD, GROUP).unwrap_err(),
            UserError::NoUser("nobody-here".into())
        );
        assert_eq!(
            resolve("alice:nogroup", PASSWD, GROUP).unwrap_err(),
            UserError::NoGroup("nogroup".into())
        );
    }

    #[test]
    fn empty_user_is_root() {
        let u = resolve("", PASSWD, GROUP).unwrap();
        assert_eq!((u.uid, u.gid, u.home.as_str()), (0, 0, "/root"));
    }

    #[test]
    fn exec_errors_map_to_docker_codes() {
        assert_eq!(exec_failure("/x", libc::ENOENT).code, 127);
        assert_eq!(exec_failure("/x", libc::EACCES).code, 126);
        assert_eq!(
            exec_failure("/x", libc::EACCES).message,
            "/x: permission denied"
        );
        let e = find_executable("surely-not-a-command-xyz", Some("/nonexistent")).unwrap_err();
        assert_eq!(e.code, 127);
    }
}
