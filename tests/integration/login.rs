//! `berth login` and `logout` against the htpasswd registry: what is checked, what is written
//! where (and with which mode), and what is left alone.

use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Stdio;

use crate::fixtures::auth_registry;
use crate::registry::{AUTH_PASSWORD, AUTH_USER};
use crate::util::{TestEnv, Who};

fn auth_file(env: &TestEnv) -> PathBuf {
    env.user.runtime.join("containers/auth.json")
}

fn addr() -> &'static str {
    &auth_registry().addr
}

fn login(env: &TestEnv, password: &str) -> crate::util::Output {
    env.berth(&["login", "-u", AUTH_USER, "-p", password, addr()])
}

/// berth as the test user with `input` on stdin (a pipe, not a terminal).
fn berth_with_stdin(env: &TestEnv, args: &[&str], input: &str) -> (bool, String, String) {
    let mut child = env
        .command(Who::User, env!("CARGO_BIN_EXE_berth"), args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn login_saves_credentials_private_and_then_a_private_pull_works() {
    let env = TestEnv::new("login-ok");
    let reference = format!("{}/busybox", addr());
    env.berth(&["pull", "-q", &reference])
        .assert_error("requires authentication");
    login(&env, AUTH_PASSWORD)
        .assert_success()
        .assert_stdout_contains("Login Succeeded!");
    let file = auth_file(&env);
    let meta = fs::metadata(&file).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    use base64::Engine;
    let want =
        base64::engine::general_purpose::STANDARD.encode(format!("{AUTH_USER}:{AUTH_PASSWORD}"));
    assert_eq!(doc["auths"][addr()]["auth"], want.as_str());
    env.berth(&["pull", "-q", &reference]).assert_success();
    env.finish();
}

#[test]
fn login_with_a_wrong_password_fails_and_writes_nothing() {
    let env = TestEnv::new("login-wrong");
    let out = login(&env, "not-the-password").assert_error("invalid username or password");
    assert!(
        out.stderr_str()
            .contains(&format!("logging in to {}", addr())),
        "{}",
        out.stderr_str()
    );
    assert!(
        !out.stderr_str().contains("not-the-password"),
        "the password is never printed"
    );
    assert!(!auth_file(&env).exists());
    env.finish();
}

#[test]
fn login_password_stdin_reads_the_password_without_its_newline() {
    let env = TestEnv::new("login-stdin");
    let (ok, stdout, stderr) = berth_with_stdin(
        &env,
        &["login", "--username", AUTH_USER, "--password-stdin", addr()],
        &format!("{AUTH_PASSWORD}\n"),
    );
    assert!(ok, "{stdout}{stderr}");
    assert!(stdout.contains("Login Succeeded!"), "{stdout}");
    env.berth(&["login", "--get-login", addr()])
        .assert_success()
        .assert_stdout_contains(AUTH_USER);
    env.finish();
}

#[test]
fn login_without_a_terminal_or_password_is_an_error() {
    let env = TestEnv::new("login-noprompt");
    env.berth(&["login", "-u", AUTH_USER, addr()])
        .assert_error("stdin is not a terminal");
    assert!(!auth_file(&env).exists());
    env.finish();
}

#[test]
fn login_keeps_other_entries_and_keys_of_the_file() {
    let env = TestEnv::new("login-keep");
    let file = env.user.home.join("my-auth.json");
    env.write_file(
        Who::User,
        &file,
        r#"{"auths": {"other.example": {"auth": "b3RoZXI6cHc="}}, "credHelpers": {"x.example": "none"}}"#,
    );
    env.berth(&[
        "login",
        "--authfile",
        file.to_str().unwrap(),
        "-u",
        AUTH_USER,
        "-p",
        AUTH_PASSWORD,
        addr(),
    ])
    .assert_success();
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    assert_eq!(doc["auths"]["other.example"]["auth"], "b3RoZXI6cHc=");
    assert_eq!(doc["credHelpers"]["x.example"], "none");
    assert!(doc["auths"][addr()]["auth"].is_string());
    assert!(
        !auth_file(&env).exists(),
        "--authfile is the only file written"
    );
    env.finish();
}

#[test]
fn logout_removes_the_entry_and_a_second_logout_says_not_logged_in() {
    let env = TestEnv::new("logout");
    login(&env, AUTH_PASSWORD).assert_success();
    env.berth(&["logout", addr()])
        .assert_success()
        .assert_stdout_contains(&format!("Removed login credentials for {}", addr()));
    let doc: serde_json::Value =
        serde_json::from_slice(&fs::read(auth_file(&env)).unwrap()).unwrap();
    assert!(doc["auths"].get(addr()).is_none(), "{doc}");
    env.berth(&["logout", addr()])
        .assert_error(&format!("not logged into {}", addr()));
    env.berth(&["login", "--get-login", addr()])
        .assert_error("not logged into");
    env.finish();
}

#[test]
fn logout_all_removes_every_entry() {
    let env = TestEnv::new("logout-all");
    env.write_file(
        Who::User,
        &auth_file(&env),
        r#"{"auths": {"a.example": {"auth": "YTpi"}, "b.example": {"auth": "YTpi"}}}"#,
    );
    env.berth(&["logout", "--all"])
        .assert_success()
        .assert_stdout_contains("Removed login credentials for all registries");
    let doc: serde_json::Value =
        serde_json::from_slice(&fs::read(auth_file(&env)).unwrap()).unwrap();
    assert_eq!(doc["auths"], serde_json::json!({}));
    env.finish();
}

/// docker-registry with `auth: token`, trusting a token server in this process.
fn token_registry() -> &'static crate::registry::TokenRegistry {
    static R: std::sync::OnceLock<crate::registry::TokenRegistry> = std::sync::OnceLock::new();
    R.get_or_init(|| crate::registry::start_token_auth("token-auth"))
}

#[test]
fn login_to_a_token_registry_gets_a_token_then_push_and_pull_use_scoped_tokens() {
    let reg = token_registry();
    let addr = reg.registry.addr.as_str();
    let env = TestEnv::new("login-token");
    env.berth(&["login", "-u", AUTH_USER, "-p", "wrong", addr])
        .assert_error("invalid username or password");
    assert!(!auth_file(&env).exists());
    env.berth(&["login", "-u", AUTH_USER, "-p", AUTH_PASSWORD, addr])
        .assert_success()
        .assert_stdout_contains("Login Succeeded!");

    // The token server grants pull,push on the destination: a push and a pull both work.
    let source = crate::fixtures::image("busybox");
    env.berth(&["pull", "-q", &source]).assert_success();
    let dest = format!("{addr}/tokened/busybox:latest");
    env.berth(&["push", "-q", &source, &dest]).assert_success();
    let fresh = TestEnv::new("login-token-pull");
    fresh
        .berth(&["pull", "-q", &dest])
        .assert_error("requires authentication");
    fresh
        .berth(&["login", "-u", AUTH_USER, "-p", AUTH_PASSWORD, addr])
        .assert_success();
    fresh.berth(&["pull", "-q", &dest]).assert_success();
    assert!(reg.realm.starts_with("http://127.0.0.1:"));
    fresh.finish();
    env.finish();
}

#[test]
fn login_on_a_terminal_prompts_and_does_not_echo_the_password() {
    use std::io::Read;
    let env = TestEnv::new("login-prompt");
    // util-linux `script` gives berth a terminal; each answer is typed only once its prompt
    // is on the screen, so the password is typed after echo is off.
    let berth = env!("CARGO_BIN_EXE_berth");
    let mut child = env
        .command(
            Who::User,
            "script",
            &[
                "-q",
                "-e",
                "-c",
                &format!("{berth} login {}", addr()),
                "/dev/null",
            ],
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut screen = Vec::new();
    let mut wait_for = |what: &str, screen: &mut Vec<u8>| {
        let mut buf = [0u8; 256];
        while !String::from_utf8_lossy(screen).contains(what) {
            let n = stdout.read(&mut buf).unwrap();
            assert!(
                n > 0,
                "no {what:?} prompt: {}",
                String::from_utf8_lossy(screen)
            );
            screen.extend_from_slice(&buf[..n]);
        }
    };
    wait_for("Username: ", &mut screen);
    stdin
        .write_all(format!("{AUTH_USER}\n").as_bytes())
        .unwrap();
    wait_for("Password: ", &mut screen);
    stdin
        .write_all(format!("{AUTH_PASSWORD}\n").as_bytes())
        .unwrap();
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    screen.extend_from_slice(&rest);
    drop(stdin);
    let status = child.wait().unwrap();
    let text = String::from_utf8_lossy(&screen);
    assert!(status.success(), "{text}");
    assert!(text.contains("Login Succeeded!"), "{text}");
    assert!(text.contains(AUTH_USER), "the username is echoed: {text}");
    assert!(!text.contains(AUTH_PASSWORD), "the password is not: {text}");
    assert!(auth_file(&env).is_file());
    env.finish();
}
