//! No command deletes or truncates a file it did not create: `system docs` writes only where it is
//! told and removes only pages it generated, and `save -o` / `export -o` that fail leave the file
//! the user already had exactly as it was.

use crate::fixtures::image;
use crate::util::{TestEnv, Who};

#[test]
fn system_docs_needs_out_and_removes_only_stale_pages_it_generated() {
    let env = TestEnv::new("uf-docs");
    let home = env.home(Who::User).home.clone();
    let notes = home.join("man/notes.txt");
    let mine = home.join("man/berth-mine.1");
    let stale = home.join("man/berth-retired.1");
    env.write_file(Who::User, &notes, "my notes\n");
    env.write_file(Who::User, &mine, ".TH MINE 1\nwritten by hand\n");
    env.write_file(
        Who::User,
        &stale,
        ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n.TH berth-retired 1\n",
    );
    // Without --out nothing is written anywhere, in particular not into the working directory.
    let mut cmd = env.berth_command_of(Who::User, crate::util::berth_bin(), &["system", "docs"]);
    cmd.current_dir(&home);
    let out = env.output_of("system docs without --out", cmd);
    assert_eq!(out.code(), 125, "{}", out.stderr_str());
    assert!(out.stderr_str().contains("--out"), "{}", out.stderr_str());
    assert!(!home.join("completions").exists());

    env.berth(&["system", "docs", "--out", home.to_str().unwrap()])
        .assert_success();
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");
    assert_eq!(
        std::fs::read_to_string(&mine).unwrap(),
        ".TH MINE 1\nwritten by hand\n"
    );
    assert!(!stale.exists(), "a page berth generated earlier is removed");
    assert!(home.join("man/berth-run.1").is_file());
    assert!(home.join("completions/berth.bash").is_file());
    env.finish();
}

#[test]
fn failed_save_and_export_keep_the_file_the_user_already_had() {
    let env = TestEnv::new("uf-output");
    let img = image("busybox");
    env.berth(&["pull", "-q", &img]).assert_success();
    let home = env.home(Who::User).home.clone();
    let kept = home.join("precious.tar");
    env.write_file(Who::User, &kept, "do not lose me\n");
    let kept_s = kept.to_str().unwrap();

    env.berth(&["save", "-o", kept_s, "no-such-image:1"])
        .assert_error("no-such-image");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "do not lose me\n");
    env.berth(&["export", "-o", kept_s, "no-such-container"])
        .assert_error("no-such-container");
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "do not lose me\n");
    assert_eq!(
        crate::util::entries(&home)
            .iter()
            .filter(|n| n.contains(".berth-"))
            .count(),
        0,
        "no temporary file is left beside the target"
    );

    // A successful run replaces the file with a complete archive.
    env.berth(&["create", "--name", "c", &img, "true"])
        .assert_success();
    env.berth(&["export", "-o", kept_s, "c"]).assert_success();
    let listing = std::process::Command::new("tar")
        .args(["-tf", kept_s])
        .output()
        .unwrap();
    assert!(listing.status.success());
    assert!(String::from_utf8_lossy(&listing.stdout).contains("bin/"));
    env.berth(&["save", "-o", kept_s, &img]).assert_success();
    let listing = std::process::Command::new("tar")
        .args(["-tf", kept_s])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&listing.stdout).contains("manifest.json"));
    env.finish();
}
