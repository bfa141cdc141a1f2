//! Help, usage errors and exit codes.

use crate::util::TestEnv;

const VERBS: &[&[&str]] = &[
    &["pull"],
    &["images"],
    &["image"],
    &["image", "inspect"],
    &["image", "ls"],
    &["inspect"],
    &["tag"],
    &["rmi"],
    &["info"],
    &["version"],
];

#[test]
fn help_is_printed_for_berth_and_each_verb() {
    let env = TestEnv::new("cli-help");
    env.berth(&["--help"])
        .assert_success()
        .assert_stdout_contains("Usage: berth");
    for verb in VERBS {
        let mut args = verb.to_vec();
        args.push("--help");
        let out = env.berth(&args).assert_success();
        assert!(
            out.stdout_str()
                .contains(&format!("Usage: berth {}", verb.join(" "))),
            "{verb:?}: {}",
            out.stdout_str()
        );
        assert!(
            out.stderr_str().is_empty(),
            "{verb:?}: {}",
            out.stderr_str()
        );
    }
    env.finish();
}

#[test]
fn unknown_command_exits_125_with_one_error_line() {
    let env = TestEnv::new("cli-unknown-command");
    env.berth(&["frobnicate"]).assert_error("frobnicate");
    env.finish();
}

#[test]
fn unknown_flag_exits_125_with_one_error_line() {
    let env = TestEnv::new("cli-unknown-flag");
    env.berth(&["images", "--bogus"]).assert_error("--bogus");
    env.berth(&["pull", "--bogus", "x"]).assert_error("--bogus");
    env.finish();
}

#[test]
fn invalid_reference_exits_125_saying_why() {
    let env = TestEnv::new("cli-bad-reference");
    env.berth(&["pull", "Not/Valid"]).assert_error("lowercase");
    env.finish();
}
