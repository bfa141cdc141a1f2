//! The harness: the test users, a private HOME/XDG tree per test, running the real berth as
//! those users, and proving after each test that it left no process and no mount behind.

use std::ffi::OsStr;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The unprivileged user the tests run berth as; it has a subordinate id range.
pub const TEST_USER: &str = "berthtest";
/// A user without any subordinate range, for berth's single-id mapping.
pub const NO_RANGE_USER: &str = "berthnorange";
/// The range given to the test user when it has none yet (moved up if it overlaps another).
const DEFAULT_SUBID_START: u32 = 300_000;
const SUBID_COUNT: u32 = 65_536;
const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// Where every test's private tree lives; `/tmp` itself must stay reachable by the users.
const BASE: &str = "/tmp/berth-it";

/// A range from /etc/subuid or /etc/subgid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubRange {
    pub start: u32,
    pub count: u32,
}

#[derive(Clone, Debug)]
pub struct Account {
    pub name: &'static str,
    pub uid: u32,
    pub gid: u32,
    pub subuid: Option<SubRange>,
    pub subgid: Option<SubRange>,
}

impl Account {
    /// Host uid that uid `n` of an image maps to in this user's rootless store (podman's
    /// layout: image 0 is the user, image n >= 1 is `subuid_start + n - 1`).
    pub fn host_uid(&self, n: u32) -> u32 {
        match n {
            0 => self.uid,
            n => self.subuid.expect("the user has a subuid range").start + n - 1,
        }
    }

    pub fn host_gid(&self, n: u32) -> u32 {
        match n {
            0 => self.gid,
            n => self.subgid.expect("the user has a subgid range").start + n - 1,
        }
    }
}

pub struct Accounts {
    pub user: Account,
    pub no_range: Account,
}

fn passwd_entry(name: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let f: Vec<&str> = line.split(':').collect();
        if f.len() >= 4 && f[0] == name {
            Some((f[2].parse().ok()?, f[3].parse().ok()?))
        } else {
            None
        }
    })
}

/// `owner:start:count`, one line of /etc/subuid or /etc/subgid.
fn parse_subid_line(line: &str) -> Option<(&str, SubRange)> {
    let mut f = line.trim().split(':');
    let owner = f.next()?;
    let range = SubRange {
        start: f.next()?.parse().ok()?,
        count: f.next()?.parse().ok()?,
    };
    f.next().is_none().then_some((owner, range))
}

fn sub_range(file: &str, name: &str) -> Option<SubRange> {
    let text = fs::read_to_string(file).ok()?;
    text.lines()
        .filter_map(parse_subid_line)
        .find(|(owner, _)| *owner == name)
        .map(|(_, r)| r)
}

/// Replace a file the way shadow's tools do: a sibling temp file renamed over it, so that
/// newuidmap running for a parallel test never reads a half-written /etc/subuid.
fn replace_file(path: &str, text: &str) {
    let tmp = format!("{path}.berth-it");
    let mode = fs::metadata(path)
        .map(|m| m.mode() & 0o7777)
        .unwrap_or(0o644);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .unwrap_or_else(|e| panic!("cannot write {tmp}: {e}"));
    f.write_all(text.as_bytes()).unwrap();
    f.sync_all().unwrap();
    fs::rename(&tmp, path).unwrap_or_else(|e| panic!("cannot replace {path}: {e}"));
}

/// Give `TEST_USER` a range in `file` if it has none (at the first start that overlaps no
/// other user's range), and take away any range `NO_RANGE_USER` was given.
fn fix_subid_file(file: &str) {
    let text = fs::read_to_string(file).unwrap_or_default();
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with(&format!("{NO_RANGE_USER}:")))
        .map(str::to_string)
        .collect();
    if !lines
        .iter()
        .any(|l| l.starts_with(&format!("{TEST_USER}:")))
    {
        let taken: Vec<(u64, u64)> = lines
            .iter()
            .filter_map(|l| parse_subid_line(l))
            .map(|(_, r)| (u64::from(r.start), u64::from(r.start) + u64::from(r.count)))
            .collect();
        let mut start = u64::from(DEFAULT_SUBID_START);
        while let Some(&(_, end)) = taken
            .iter()
            .find(|(s, e)| start < *e && *s < start + u64::from(SUBID_COUNT))
        {
            start = end;
        }
        lines.push(format!("{TEST_USER}:{start}:{SUBID_COUNT}"));
    }
    let new = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    if new != text {
        replace_file(file, &new);
    }
}

/// The test users, created once per process. Several test binaries may do this at once, so it
/// happens under an exclusive lock.
pub fn accounts() -> &'static Accounts {
    static ACCOUNTS: OnceLock<Accounts> = OnceLock::new();
    ACCOUNTS.get_or_init(|| {
        assert!(
            rustix::process::geteuid().is_root(),
            "the integration tests need root to create the test users: run `sudo scripts/test.sh`"
        );
        let lock = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open("/run/berth-it-users.lock")
            .expect("cannot create /run/berth-it-users.lock");
        rustix::fs::flock(&lock, rustix::fs::FlockOperation::LockExclusive).unwrap();
        for name in [TEST_USER, NO_RANGE_USER] {
            if passwd_entry(name).is_none() {
                let mut useradd = Command::new("useradd");
                useradd.args(["-m", "-s", "/bin/sh"]);
                if name == NO_RANGE_USER {
                    // Debian's useradd hands out a subordinate range by default.
                    useradd.args(["-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0"]);
                }
                let out = useradd
                    .arg(name)
                    .output()
                    .expect("useradd is missing (package passwd)");
                assert!(
                    out.status.success(),
                    "useradd {name} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        for file in ["/etc/subuid", "/etc/subgid"] {
            fix_subid_file(file);
        }
        // pasta and slirp4netns open the tun device inside the rootless network namespace's
        // (or the container's) user namespace, where the test user is not root.
        if let Ok(m) = fs::metadata("/dev/net/tun") {
            if m.permissions().mode() & 0o666 != 0o666 {
                let _ = fs::set_permissions("/dev/net/tun", fs::Permissions::from_mode(0o666));
            }
        }
        let account = |name: &'static str| {
            let (uid, gid) = passwd_entry(name).unwrap();
            Account {
                name,
                uid,
                gid,
                subuid: sub_range("/etc/subuid", name),
                subgid: sub_range("/etc/subgid", name),
            }
        };
        Accounts {
            user: account(TEST_USER),
            no_range: account(NO_RANGE_USER),
        }
    })
}

pub fn berth_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_berth"))
}

/// The binary sits in the (root-owned) checkout; the test users must be able to reach it.
/// Only the search bit is added, and only where it is missing.
fn make_binary_reachable() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        for dir in berth_bin().ancestors().skip(1) {
            if let Ok(m) = fs::metadata(dir) {
                let mode = m.permissions().mode();
                if mode & 0o001 == 0 {
                    fs::set_permissions(dir, fs::Permissions::from_mode(mode | 0o001))
                        .unwrap_or_else(|e| {
                            panic!("cannot open {} to the test user: {e}", dir.display())
                        });
                }
            }
        }
    });
}

/// Who runs a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    User,
    NoRange,
    Root,
}

/// A private home: HOME and the XDG directories of one identity inside the test dir.
#[derive(Clone, Debug)]
pub struct Home {
    pub home: PathBuf,
    pub data: PathBuf,
    pub config: PathBuf,
    pub runtime: PathBuf,
}

impl Home {
    fn create(dir: &Path, name: &str, uid: u32, gid: u32) -> Home {
        let home = dir.join(name);
        let h = Home {
            data: home.join(".local/share"),
            config: home.join(".config"),
            runtime: dir.join(format!("{name}-run")),
            home,
        };
        for p in [
            &h.home,
            &h.home.join(".local"),
            &h.data,
            &h.config,
            &h.runtime,
        ] {
            fs::create_dir(p).unwrap();
            std::os::unix::fs::chown(p, Some(uid), Some(gid)).unwrap();
            fs::set_permissions(p, fs::Permissions::from_mode(0o700)).unwrap();
        }
        h
    }
}

/// What a berth run produced, with assertions that show both streams when they fail.
pub struct Output {
    what: String,
    inner: std::process::Output,
}

impl Output {
    pub fn success(&self) -> bool {
        self.inner.status.success()
    }

    /// The exit code, or 128 + the signal for a killed process (as a shell reports it).
    pub fn code(&self) -> i32 {
        let s = self.inner.status;
        s.code().or(s.signal().map(|sig| 128 + sig)).unwrap_or(-1)
    }

    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.inner.stdout).into_owned()
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.inner.stderr).into_owned()
    }

    fn describe(&self) -> String {
        format!(
            "{}\nexit {}\n--- stdout\n{}--- stderr\n{}---",
            self.what,
            self.code(),
            self.stdout_str(),
            self.stderr_str()
        )
    }

    #[track_caller]
    pub fn assert_success(self) -> Output {
        assert!(self.success(), "expected success: {}", self.describe());
        self
    }

    /// berth's own failure: exit 125 and exactly one `Error: ` line, which contains `needle`.
    #[track_caller]
    pub fn assert_error(self, needle: &str) -> Output {
        assert_eq!(self.code(), 125, "expected exit 125: {}", self.describe());
        let stderr = self.stderr_str();
        let errors: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("Error: "))
            .collect();
        assert_eq!(
            errors.len(),
            1,
            "expected one `Error: ` line: {}",
            self.describe()
        );
        assert!(
            errors[0].contains(needle),
            "the error line lacks {needle:?}: {}",
            self.describe()
        );
        self
    }

    /// Stdout must contain `needle`.
    #[track_caller]
    pub fn assert_stdout_contains(self, needle: &str) -> Output {
        assert!(
            self.stdout_str().contains(needle),
            "stdout lacks {needle:?}: {}",
            self.describe()
        );
        self
    }

    #[track_caller]
    pub fn assert_stderr_contains(self, needle: &str) -> Output {
        assert!(
            self.stderr_str().contains(needle),
            "stderr lacks {needle:?}: {}",
            self.describe()
        );
        self
    }
}

/// One test's world: a directory under /tmp/berth-it holding a private home for the test user,
/// the no-range user and root. Call `finish()` at the end of every test.
pub struct TestEnv {
    pub dir: PathBuf,
    pub user: Home,
    pub no_range: Home,
    pub root: Home,
    finished: bool,
    _owner: fs::File,
}

impl TestEnv {
    pub fn new(name: &str) -> TestEnv {
        let accounts = accounts();
        make_binary_reachable();
        static SWEPT: OnceLock<()> = OnceLock::new();
        SWEPT.get_or_init(sweep_stale_test_dirs);
        fs::create_dir_all(BASE).unwrap();
        // 0711: the users may pass through to their own homes but not list other tests.
        fs::set_permissions(BASE, fs::Permissions::from_mode(0o711)).unwrap();
        let dir = Path::new(BASE).join(format!("{name}-{:08x}", rand::random::<u32>()));
        fs::create_dir(&dir).unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o711)).unwrap();
        let owner = lock_owner(&dir);
        let (u, n) = (&accounts.user, &accounts.no_range);
        TestEnv {
            user: Home::create(&dir, "user", u.uid, u.gid),
            no_range: Home::create(&dir, "norange", n.uid, n.gid),
            root: Home::create(&dir, "root", 0, 0),
            dir,
            finished: false,
            _owner: owner,
        }
    }

    pub fn account(&self, who: Who) -> Option<&'static Account> {
        match who {
            Who::User => Some(&accounts().user),
            Who::NoRange => Some(&accounts().no_range),
            Who::Root => None,
        }
    }

    pub fn home(&self, who: Who) -> &Home {
        match who {
            Who::User => &self.user,
            Who::NoRange => &self.no_range,
            Who::Root => &self.root,
        }
    }

    /// The live process of berth's pid file `rel` (e.g. "networks/holder.pid") in the run root
    /// of `who`.
    pub fn run_pid(&self, who: Who, rel: &str) -> Option<i32> {
        live_pidfile(&self.home(who).runtime.join("berth").join(rel))
    }

    /// The test user's rootless store.
    pub fn store(&self) -> PathBuf {
        self.user.data.join("berth")
    }

    /// The store root runs use (always inside the test dir, never /var/lib/berth).
    pub fn root_store(&self) -> PathBuf {
        self.dir.join("root-store")
    }

    /// The store berth uses when run as `who`.
    pub fn store_of(&self, who: Who) -> PathBuf {
        match who {
            Who::User => self.store(),
            Who::NoRange => self.no_range.data.join("berth"),
            Who::Root => self.root_store(),
        }
    }

    /// `program args` as `who`: no supplementary groups, an environment of only PATH, HOME,
    /// XDG_* and LANG, in the test dir, stdin from /dev/null.
    pub fn command<S: AsRef<OsStr>>(
        &self,
        who: Who,
        program: impl AsRef<OsStr>,
        args: &[S],
    ) -> Command {
        let h = self.home(who);
        let mut c = Command::new(program);
        c.args(args)
            .env_clear()
            .env("PATH", PATH)
            .env("LANG", "C.UTF-8")
            .env("HOME", &h.home)
            .env("XDG_DATA_HOME", &h.data)
            .env("XDG_CONFIG_HOME", &h.config)
            .env("XDG_RUNTIME_DIR", &h.runtime)
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        if let Some(a) = self.account(who) {
            let (uid, gid) = (a.uid, a.gid);
            // Done by hand rather than with Command::uid/gid so that dropping root's
            // supplementary groups is checked, not best-effort.
            // SAFETY: only async-signal-safe calls between fork and exec.
            unsafe {
                c.pre_exec(move || {
                    if libc::setgroups(0, std::ptr::null()) != 0
                        || libc::setgid(gid) != 0
                        || libc::setuid(uid) != 0
                    {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        c
    }

    fn berth_command(&self, who: Who, args: &[&str]) -> Command {
        self.berth_command_of(who, berth_bin(), args)
    }

    /// berth's command line for `who`, with `program` as the berth binary (e.g. a copy the
    /// user owns, as `cargo install` leaves it).
    pub fn berth_command_of(&self, who: Who, program: &Path, args: &[&str]) -> Command {
        let mut full: Vec<String> = Vec::new();
        if who == Who::Root {
            // Root's default store is /var/lib/berth: keep root runs inside the test dir.
            let root = self.root_store();
            let run = self.root.runtime.join("berth");
            full.extend(["--root".into(), root.display().to_string()]);
            full.extend(["--runroot".into(), run.display().to_string()]);
        }
        full.extend(args.iter().map(|a| a.to_string()));
        self.command(who, program, &full)
    }

    /// Run a command built with [`TestEnv::berth_command_of`] (or any other) and keep its
    /// output for the assertions.
    pub fn output_of(&self, what: &str, mut cmd: Command) -> Output {
        let inner = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
        Output {
            what: what.to_string(),
            inner,
        }
    }

    /// berth as `who`; the shorthands below are what most tests call.
    pub fn berth_as(&self, who: Who, args: &[&str]) -> Output {
        let inner = self
            .berth_command(who, args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", berth_bin().display()));
        Output {
            what: format!(
                "berth {} (as {})",
                args.join(" "),
                self.account(who).map_or("root", |a| a.name)
            ),
            inner,
        }
    }

    /// berth as the test user (rootless, with a subuid range).
    pub fn berth(&self, args: &[&str]) -> Output {
        self.berth_as(Who::User, args)
    }

    /// berth as the user without a subordinate range.
    pub fn berth_no_range(&self, args: &[&str]) -> Output {
        self.berth_as(Who::NoRange, args)
    }

    /// berth as root, with `--root`/`--runroot` inside the test dir.
    pub fn berth_as_root(&self, args: &[&str]) -> Output {
        self.berth_as(Who::Root, args)
    }

    /// berth as the test user with `input` on its stdin.
    pub fn berth_with_stdin(&self, args: &[&str], input: &[u8]) -> Output {
        self.berth_as_with_stdin(Who::User, args, input)
    }

    /// berth as `who` with `input` on its stdin.
    pub fn berth_as_with_stdin(&self, who: Who, args: &[&str], input: &[u8]) -> Output {
        use std::io::Write;
        let mut child = self
            .berth_command(who, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", berth_bin().display()));
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input).unwrap();
        drop(stdin);
        Output {
            what: format!("berth {} (with stdin)", args.join(" ")),
            inner: child.wait_with_output().unwrap(),
        }
    }

    /// berth as the test user in the background, stdout and stderr piped.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.berth_command(Who::User, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", berth_bin().display()))
    }

    /// Write `text` to `path` (inside one of the homes) as owned by `who`, creating the
    /// missing parent directories with the same owner.
    pub fn write_file(&self, who: Who, path: &Path, text: &str) {
        let (uid, gid) = self.account(who).map_or((0, 0), |a| (a.uid, a.gid));
        let mut missing = Vec::new();
        let mut p = path.parent();
        while let Some(d) = p.filter(|d| !d.exists()) {
            missing.push(d.to_path_buf());
            p = d.parent();
        }
        for d in missing.iter().rev() {
            fs::create_dir(d).unwrap();
            std::os::unix::fs::chown(d, Some(uid), Some(gid)).unwrap();
        }
        fs::write(path, text).unwrap();
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    }

    /// Write a file under the test user's XDG_CONFIG_HOME, e.g. `containers/registries.conf`.
    pub fn user_config(&self, rel: &str, text: &str) {
        self.write_file(Who::User, &self.user.config.join(rel), text);
    }

    /// Processes started for this test: their HOME is one of the homes in the test dir.
    pub fn processes(&self) -> Vec<i32> {
        processes_under(&self.dir)
    }

    /// Mount points at or under the test dir, as this mount namespace sees them.
    pub fn mounts(&self) -> Vec<PathBuf> {
        mounts_under(&self.dir)
    }

    /// Every test ends here: it cleans up and then fails if the test left a process running,
    /// something mounted, or a directory that cannot be removed.
    pub fn finish(mut self) {
        self.finished = true;
        // A monitor deletes a removed container's files after it has reported the exit: give
        // such finishing work a moment, so only processes that stay count as leaks.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.processes().is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let procs = self.processes();
        let mounts = self.mounts();
        let removal = self.cleanup();
        assert!(
            procs.is_empty(),
            "leaked processes in {}: {procs:?}",
            self.dir.display()
        );
        assert!(
            mounts.is_empty(),
            "leaked mounts in {}: {mounts:?}",
            self.dir.display()
        );
        if let Err(e) = removal {
            panic!("cannot remove the test dir {}: {e}", self.dir.display());
        }
    }

    fn cleanup(&mut self) -> std::io::Result<()> {
        clean_dir(&self.dir)
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if !self.finished {
            let _ = self.cleanup();
        }
    }
}

/// Processes started for the test dir `dir`: their HOME is one of the homes inside it.
fn processes_under(dir: &Path) -> Vec<i32> {
    let prefix = format!("HOME={}/", dir.display());
    let mut pids = Vec::new();
    for entry in fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if let Ok(environ) = fs::read(entry.path().join("environ")) {
            if environ
                .split(|b| *b == 0)
                .any(|kv| kv.starts_with(prefix.as_bytes()))
            {
                pids.push(pid);
            }
        }
    }
    pids
}

/// berth's processes that outlive containers, by their pid files under a run root's parent:
/// the user-namespace holder, the rootless network namespace's holder and its pasta.
const PERSISTENT_PIDFILES: &[&str] = &[
    "berth/userns/holder.pid",
    "berth/networks/holder.pid",
    "berth/networks/outward.pid",
];

/// The live process a berth pid file (`pid start-time`) names: only the process that wrote
/// it, not a later one with its pid.
pub fn live_pidfile(path: &Path) -> Option<i32> {
    let text = fs::read_to_string(path).ok()?;
    let mut words = text.split_whitespace();
    let (pid, start) = (words.next()?, words.next()?);
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace();
    // A zombie (exited, not reaped yet) is gone.
    if fields.next() == Some("Z") {
        return None;
    }
    (fields.nth(18) == Some(start)).then(|| pid.parse().ok())?
}

/// Kill what runs for `dir`, unmount what is mounted under it, remove it.
fn clean_dir(dir: &Path) -> std::io::Result<()> {
    // The users' namespace holders and the rootless network namespace's holder and pasta
    // (started by their first container, they persist after it; named by pid files in the
    // runtime dirs; they keep no HOME in their environment).
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        for rel in PERSISTENT_PIDFILES {
            if let Some(pid) = live_pidfile(&entry.path().join(rel)) {
                if let Some(pid) = rustix::process::Pid::from_raw(pid) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::Kill);
                }
            }
        }
    }
    // A killed process may have children that are still starting: a few rounds.
    for _ in 0..5 {
        let pids = processes_under(dir);
        if pids.is_empty() {
            break;
        }
        for pid in &pids {
            if let Some(pid) = rustix::process::Pid::from_raw(*pid) {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::Kill);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(2);
        while pids.iter().any(|p| is_alive(*p)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    // Stacked mounts need several passes; the deepest go first.
    for _ in 0..5 {
        let mut mounts = mounts_under(dir);
        if mounts.is_empty() {
            break;
        }
        mounts.sort_by_key(|m| std::cmp::Reverse(m.components().count()));
        for m in mounts {
            let _ = rustix::mount::unmount(&m, rustix::mount::UnmountFlags::DETACH);
        }
    }
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Each test dir holds this file locked while its TestEnv lives.
const OWNER_LOCK: &str = ".owner.lock";

fn lock_owner(dir: &Path) -> fs::File {
    let f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dir.join(OWNER_LOCK))
        .unwrap();
    rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive).unwrap();
    f
}

/// Remove the test dirs of test processes that were killed (their Drop never ran): those whose
/// owner lock nobody holds. Dirs of live tests, here or in a parallel test binary, stay.
pub fn sweep_stale_test_dirs() {
    let Ok(rd) = fs::read_dir(BASE) else { return };
    for e in rd.flatten() {
        let dir = e.path();
        let stale = match fs::File::open(dir.join(OWNER_LOCK)) {
            Ok(f) => {
                rustix::fs::flock(&f, rustix::fs::FlockOperation::NonBlockingLockExclusive).is_ok()
            }
            // Being set up right now, or left by a harness without owner locks: only if old.
            Err(_) => e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > Duration::from_secs(3600))),
        };
        if stale {
            let _ = clean_dir(&dir);
        }
    }
}

/// A process that exists and is not a zombie.
fn is_alive(pid: i32) -> bool {
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            s.rsplit_once(") ")
                .map(|(_, rest)| !rest.starts_with('Z'))
                .unwrap_or(false)
        })
        .unwrap_or(false)
}

/// Undo mountinfo's octal escapes (`\040` for a space, ...).
fn unescape_mountinfo(field: &str) -> PathBuf {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let octal = b
            .get(i + 1..i + 4)
            .and_then(|d| u8::from_str_radix(std::str::from_utf8(d).ok()?, 8).ok());
        match (b[i], octal) {
            (b'\\', Some(c)) => {
                out.push(c);
                i += 4;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    PathBuf::from(<std::ffi::OsString as std::os::unix::ffi::OsStringExt>::from_vec(out))
}

pub fn mounts_under(dir: &Path) -> Vec<PathBuf> {
    fs::read_to_string("/proc/self/mountinfo")
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split(' ').nth(4).map(unescape_mountinfo))
        .filter(|m| m.starts_with(dir))
        .collect()
}

/// uid, gid and permission bits of a path (not following a final symlink).
pub fn owner(p: &Path) -> (u32, u32, u32) {
    let m = fs::symlink_metadata(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (m.uid(), m.gid(), m.mode() & 0o7777)
}

/// The names in a directory, sorted; an absent directory has none.
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("{}: {e}", dir.display()),
    };
    names.sort();
    names
}

/// podman with a private store; its runroot must be a short path (podman refuses over 50
/// characters), so it lives in its own temp dir, kept by the caller.
pub fn podman_runroot() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("bpr")
        .tempdir_in("/tmp")
        .unwrap()
}

pub fn podman(env: &TestEnv, run: &tempfile::TempDir, args: &[&str]) -> std::process::Output {
    let root = env.dir.join("podman-root");
    let run = run.path();
    let mut full: Vec<String> = vec![
        "--root".into(),
        root.display().to_string(),
        "--runroot".into(),
        run.display().to_string(),
        "--storage-driver".into(),
        "vfs".into(),
    ];
    full.extend(args.iter().map(|s| s.to_string()));
    let out = env.command(Who::Root, "podman", &full).output().unwrap();
    assert!(out.status.success(), "podman {full:?}: {out:?}");
    out
}

/// The value of `key:` in a /proc status-style text (`CapEff`, `NoNewPrivs`, ...).
pub fn status_field(text: &str, key: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no {key} in {text}"))
        .trim()
        .to_string()
}

/// GET / from 127.0.0.1:port, retried while the server in the container is starting.
pub fn http_get(port: u16) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let attempt = std::net::TcpStream::connect(("127.0.0.1", port)).and_then(|mut s| {
            s.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
            s.write_all(b"GET / HTTP/1.0\r\n\r\n")?;
            let mut body = String::new();
            s.read_to_string(&mut body)?;
            Ok(body)
        });
        match attempt {
            Ok(body) if body.contains("200") => return body,
            other if std::time::Instant::now() > deadline => {
                panic!("no answer on port {port}: {other:?}")
            }
            _ => std::thread::sleep(std::time::Duration::from_millis(100)),
        }
    }
}
