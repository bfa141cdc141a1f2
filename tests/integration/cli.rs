//! Help, usage errors and exit codes.

use crate::util::TestEnv;

#[test]
fn help_works_for_berth_and_each_verb() {
    let env = TestEnv::new("cli-help");
    assert!(env
        .berth(&["--help"])
        .ok()
        .stdout()
        .contains("Usage: berth"));
    for verb in [
        "pull", "images", "image", "inspect", "tag", "rmi", "info", "version",
    ] {
        let out = env.berth(&[verb, "--help"]).ok();
        assert!(out.stdout().contains("Usage:"), "{verb}: {}", out.stdout());
    }
    env.finish();
}

#[test]
fn unknown_command_and_flag_exit_125_with_one_error_line() {
    let env = TestEnv::new("cli-errors");
    let out = env
        .berth(&["frobnicate"])
        .fails(125, "Error: unrecognized subcommand 'frobnicate'");
    assert_eq!(
        out.stderr()
            .lines()
            .filter(|l| l.starts_with("Error:"))
            .count(),
        1
    );
    env.berth(&["images", "--bogus"])
        .fails(125, "Error: unexpected argument '--bogus'");
    env.berth(&["pull", "Not/Valid"])
        .fails(125, "must be lowercase");
    env.finish();
}
