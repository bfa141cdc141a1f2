//! `berth pull`: manifest formats, platform selection, compressions, rootless ownership,
//! whiteouts, refusals of hostile or corrupt content, short names, auth and plain HTTP.

use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::fixtures::{self, auth_registry, fixtures, host_arch, image, registry, remote_registry};
use crate::registry::{AUTH_PASSWORD, AUTH_USER};
use crate::util::{accounts, entries, owner, TestEnv, Who};

/// Chain IDs of a stack of diff IDs (OCI image spec: chain(n) = sha256(chain(n-1) + " " + diff(n))).
pub fn chain_ids(diff_ids: &[String]) -> Vec<String> {
    let mut chain: Option<String> = None;
    diff_ids
        .iter()
        .map(|d| {
            let c = match &chain {
                None => d.clone(),
                Some(p) => fixtures::digest(format!("{p} {d}").as_bytes()),
            };
            chain = Some(c.clone());
            c
        })
        .collect()
}

/// The unpacked directories of an image's layers in `store`, bottom first, as its RootFS says.
pub fn layer_dirs(env: &TestEnv, who: Who, name: &str) -> Vec<PathBuf> {
    let store = env.store_of(who);
    let out = env
        .berth_as(
            who,
            &[
                "image",
                "inspect",
                "--format",
                "{{json .RootFS.Layers}}",
                name,
            ],
        )
        .assert_success();
    let diff_ids: Vec<String> = serde_json::from_str(out.stdout_str().trim()).unwrap_or_else(|e| {
        panic!(
            "RootFS.Layers of {name} is not a JSON list ({e}): {}",
            out.stdout_str()
        )
    });
    chain_ids(&diff_ids)
        .iter()
        .map(|c| {
            store
                .join("layers")
                .join(c.trim_start_matches("sha256:"))
                .join("diff")
        })
        .collect()
}

fn user_layers(env: &TestEnv, name: &str) -> Vec<PathBuf> {
    layer_dirs(env, Who::User, name)
}

#[test]
fn pull_prints_progress_and_the_full_image_id_last() {
    let env = TestEnv::new("pull-progress");
    let out = env.berth(&["pull", &image("busybox")]).assert_success();
    let stdout = out.stdout_str();
    let last = stdout.lines().last().unwrap_or_default();
    assert_eq!(
        format!("sha256:{last}"),
        fixtures().busybox.config,
        "last stdout line is the image ID: {stdout}"
    );
    let all = format!("{stdout}{}", out.stderr_str());
    assert!(
        all.contains("Trying to pull") && all.contains("Copying blob"),
        "plain progress lines: {all}"
    );
    assert!(
        !all.contains('\r') && !all.contains('\x1b'),
        "no terminal control codes without a tty: {all:?}"
    );
    assert!(user_layers(&env, &image("busybox"))[0]
        .join("bin/busybox")
        .is_file());
    env.finish();
}

#[test]
fn pull_quiet_prints_only_the_image_id() {
    let env = TestEnv::new("pull-quiet");
    let out = env
        .berth(&["pull", "-q", &image("busybox")])
        .assert_success();
    assert_eq!(
        out.stdout_str(),
        format!(
            "{}\n",
            fixtures().busybox.config.trim_start_matches("sha256:")
        )
    );
    assert!(out.stderr_str().is_empty(), "{}", out.stderr_str());
    env.finish();
}

#[test]
fn pull_unpacks_a_docker_v2s2_image() {
    let env = TestEnv::new("pull-docker");
    env.berth(&["pull", "-q", &image("busybox-docker")])
        .assert_success();
    let layers = user_layers(&env, &image("busybox-docker"));
    assert_eq!(
        fs::read_link(layers[0].join("bin/sh")).unwrap(),
        Path::new("busybox")
    );
    env.finish();
}

#[test]
fn pull_of_a_docker_manifest_list_picks_the_host_platform() {
    let env = TestEnv::new("pull-docker-list");
    env.berth(&["pull", "-q", &image("multiarch-docker")])
        .assert_success();
    let layers = user_layers(&env, &image("multiarch-docker"));
    assert_eq!(
        fs::read_to_string(layers[1].join("arch")).unwrap(),
        host_arch()
    );
    env.finish();
}

#[test]
fn pull_of_an_oci_index_picks_the_host_platform_and_skips_attestations() {
    let env = TestEnv::new("pull-index");
    let out = env
        .berth(&["pull", "-q", &image("multiarch")])
        .assert_success();
    let (_, want) = fixtures()
        .multiarch
        .iter()
        .find(|(p, _)| p.starts_with(&format!("linux/{}", host_arch())))
        .expect("the fixtures have an image for this host's architecture");
    assert_eq!(format!("sha256:{}", out.stdout_str().trim()), want.config);
    let layers = user_layers(&env, &image("multiarch"));
    assert_eq!(
        fs::read_to_string(layers[1].join("arch")).unwrap(),
        host_arch()
    );
    env.finish();
}

#[test]
fn pull_platform_flag_selects_the_arm64_image() {
    let env = TestEnv::new("pull-arm64");
    env.berth(&[
        "pull",
        "-q",
        "--platform",
        "linux/arm64",
        &image("multiarch"),
    ])
    .assert_success();
    let out = env
        .berth(&[
            "image",
            "inspect",
            "--format",
            "{{.Architecture}} {{.Variant}}",
            &image("multiarch"),
        ])
        .assert_success();
    assert_eq!(out.stdout_str().trim(), "arm64 v8");
    let layers = user_layers(&env, &image("multiarch"));
    assert_eq!(fs::read_to_string(layers[1].join("arch")).unwrap(), "arm64");
    env.finish();
}

#[test]
fn pull_for_a_missing_platform_fails_listing_the_available_ones() {
    let env = TestEnv::new("pull-s390x");
    let out = env
        .berth(&["pull", "--platform", "linux/s390x", &image("multiarch")])
        .assert_error("linux/s390x");
    let err = out.stderr_str();
    assert!(
        err.contains("linux/amd64") && err.contains("linux/arm64/v8"),
        "lists the platforms: {err}"
    );
    assert!(
        !err.contains("unknown/unknown"),
        "an attestation is not a platform: {err}"
    );
    assert!(env
        .berth(&["images", "-q"])
        .assert_success()
        .stdout_str()
        .is_empty());
    env.finish();
}

#[test]
fn pull_unpacks_zstd_layers() {
    let env = TestEnv::new("pull-zstd");
    env.berth(&["pull", "-q", &image("zstd")]).assert_success();
    let layers = user_layers(&env, &image("zstd"));
    assert!(layers[0].join("bin/busybox").is_file());
    assert_eq!(fs::read(layers[1].join("z")).unwrap(), b"zstd");
    env.finish();
}

#[test]
fn pull_unpacks_uncompressed_layers() {
    let env = TestEnv::new("pull-plain");
    env.berth(&["pull", "-q", &image("plain")]).assert_success();
    let layers = user_layers(&env, &image("plain"));
    assert!(layers[0].join("bin/busybox").is_file());
    assert_eq!(fs::read(layers[1].join("p")).unwrap(), b"plain");
    env.finish();
}

#[test]
fn pull_maps_image_owners_into_the_subuid_range() {
    let env = TestEnv::new("pull-owned");
    env.berth(&["pull", "-q", &image("owned")]).assert_success();
    let user = &accounts().user;
    let top = &user_layers(&env, &image("owned"))[1];
    assert_eq!(
        owner(&top.join("home/user1000/file")),
        (user.host_uid(1000), user.host_gid(1000), 0o640)
    );
    assert_eq!(
        owner(&top.join("bin/setuid-tool")),
        (user.uid, user.gid, 0o4755),
        "image root is the user"
    );
    env.finish();
}

#[test]
fn pull_with_overlay_stores_whiteouts_as_overlay_markers() {
    let env = TestEnv::new("pull-whiteouts");
    env.berth(&[
        "--storage-driver",
        "overlay",
        "pull",
        "-q",
        &image("layered"),
    ])
    .assert_success();
    let layers = user_layers(&env, &image("layered"));
    let wh = fs::symlink_metadata(layers[2].join("data/b")).unwrap();
    assert!(
        wh.file_type().is_char_device() && wh.rdev() == 0,
        "data/b is a 0/0 whiteout"
    );
    assert!(!layers[2].join("data/.wh.b").exists());
    let mut v = [0u8; 8];
    let n = rustix::fs::getxattr(layers[2].join("opaque"), "user.overlay.opaque", &mut v)
        .expect("opaque/ carries user.overlay.opaque");
    assert_eq!(&v[..n], b"y");
    assert!(!layers[2].join("opaque/.wh..wh..opq").exists());
    assert!(layers[2].join("opaque/z").is_file());
    assert!(
        layers[1].join("data/b").is_file(),
        "the lower layer is untouched"
    );
    env.finish();
}

#[test]
fn pull_with_vfs_applies_whiteouts_as_deletions() {
    let env = TestEnv::new("pull-vfs");
    env.berth(&["--storage-driver", "vfs", "pull", "-q", &image("layered")])
        .assert_success();
    let top = &user_layers(&env, &image("layered"))[3];
    assert!(top.join("data/a").is_file() && top.join("data/c").is_file());
    assert!(!top.join("data/b").exists() && !top.join("data/.wh.b").exists());
    assert_eq!(entries(&top.join("opaque")), ["z"]);
    assert!(top.join("etc/motd").is_file() && top.join("bin/busybox").is_file());
    let info = env
        .berth(&["info", "--format", "{{.Store.GraphDriverName}}"])
        .assert_success();
    assert_eq!(info.stdout_str().trim(), "vfs");
    env.finish();
}

/// Files with these names anywhere under `dir`.
fn find_named(dir: &Path, names: &[&str], found: &mut Vec<PathBuf>) {
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if names.iter().any(|n| e.file_name() == *n) {
            found.push(p.clone());
        }
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            find_named(&p, names, found);
        }
    }
}

/// The pull of `name` fails naming `needle`, and leaves no layer, image, temp or stray file.
fn assert_pull_refused(name: &str, needle: &str) {
    let outside = ["/tmp/pwned", "/abs-escape", "/tmp/berth-it/escape"];
    for p in outside {
        assert!(
            !Path::new(p).exists(),
            "{p} exists before the test: remove it"
        );
    }
    let env = TestEnv::new(name);
    env.berth(&["pull", &image(name)]).assert_error(needle);
    let store = env.store();
    assert_eq!(
        entries(&store.join("layers")),
        Vec::<String>::new(),
        "no layer left behind"
    );
    assert_eq!(
        entries(&store.join("tmp")),
        Vec::<String>::new(),
        "no work left in tmp/"
    );
    assert!(env
        .berth(&["images", "-q"])
        .assert_success()
        .stdout_str()
        .is_empty());
    for p in outside {
        assert!(!Path::new(p).exists(), "{name} wrote {p}");
    }
    let mut stray = Vec::new();
    find_named(&env.dir, &["escape", "abs-escape", "pwned"], &mut stray);
    assert!(stray.is_empty(), "{name} wrote {stray:?}");
    env.finish();
}

#[test]
fn pull_rejects_layer_entry_climbing_out_with_dotdot() {
    assert_pull_refused("evil-dotdot", "\"../escape\"");
}

#[test]
fn pull_rejects_layer_entry_with_absolute_path() {
    assert_pull_refused("evil-abs", "\"/abs-escape\"");
}

#[test]
fn pull_rejects_layer_entry_written_through_a_symlink_leaving_the_root() {
    assert_pull_refused("evil-symlink", "\"link/pwned\"");
}

#[test]
fn pull_rejects_hardlink_to_a_file_outside_the_layer() {
    assert_pull_refused("evil-hardlink", "\"passwd\"");
}

#[test]
fn pull_rejects_a_blob_that_does_not_match_its_digest() {
    let env = TestEnv::new("pull-corrupt");
    let blob = &fixtures().corrupt.layers[0];
    env.berth(&["pull", &image("corrupt")])
        .assert_error("does not match its digest")
        .assert_stderr_contains(blob);
    assert!(!env
        .store()
        .join("blobs/sha256")
        .join(blob.trim_start_matches("sha256:"))
        .exists());
    assert_eq!(entries(&env.store().join("layers")), Vec::<String>::new());
    assert_eq!(entries(&env.store().join("tmp")), Vec::<String>::new());
    assert!(env
        .berth(&["images", "-q"])
        .assert_success()
        .stdout_str()
        .is_empty());
    env.finish();
}

#[test]
fn pull_without_subuid_range_hints_at_etc_subuid_and_files_belong_to_the_user() {
    let env = TestEnv::new("pull-norange");
    let out = env
        .berth_no_range(&["pull", "-q", &image("owned")])
        .assert_success();
    let stderr = out.stderr_str();
    assert_eq!(
        stderr.lines().filter(|l| l.contains("/etc/subuid")).count(),
        1,
        "one hint line: {stderr}"
    );
    let who = &accounts().no_range;
    let top = &layer_dirs(&env, Who::NoRange, &image("owned"))[1];
    assert_eq!(
        owner(&top.join("home/user1000/file")),
        (who.uid, who.gid, 0o640)
    );
    env.finish();
}

#[test]
fn pull_as_root_keeps_the_image_owners() {
    let env = TestEnv::new("pull-root");
    env.berth_as_root(&["pull", "-q", &image("owned")])
        .assert_success();
    let top = &layer_dirs(&env, Who::Root, &image("owned"))[1];
    assert_eq!(owner(&top.join("home/user1000/file")), (1000, 1000, 0o640));
    assert_eq!(owner(&top.join("bin/setuid-tool")), (0, 0, 0o4755));
    env.finish();
}

// Short names: "busybox" itself would follow the alias that podman's system drop-in
// (/etc/containers/registries.conf.d/shortnames.conf) gives it, to docker.io, so these tests
// use names no drop-in knows.

#[test]
fn short_name_is_resolved_through_the_unqualified_search_registry() {
    let env = TestEnv::new("short-search");
    let reg = &registry().addr;
    env.user_config(
        "containers/registries.conf",
        &format!("unqualified-search-registries = [\"{reg}\"]\n"),
    );
    let out = env.berth(&["pull", "-q", "layered"]).assert_success();
    assert_eq!(
        format!("sha256:{}", out.stdout_str().trim()),
        fixtures().layered.config
    );
    let tags = env
        .berth(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .assert_success();
    assert_eq!(tags.stdout_str().trim(), format!("{reg}/layered:latest"));
    env.finish();
}

#[test]
fn short_name_alias_points_at_its_target() {
    let env = TestEnv::new("short-alias");
    let reg = &registry().addr;
    env.user_config(
        "containers/registries.conf",
        &format!("unqualified-search-registries = []\n[aliases]\n\"myalias\" = \"{reg}/zstd\"\n"),
    );
    env.berth(&["pull", "-q", "myalias"]).assert_success();
    env.berth(&["image", "inspect", &format!("{reg}/zstd:latest")])
        .assert_success();
    env.finish();
}

#[test]
fn short_name_with_two_search_registries_and_no_tty_is_refused_listing_candidates() {
    let env = TestEnv::new("short-ambiguous");
    let reg = &registry().addr;
    env.user_config(
        "containers/registries.conf",
        &format!("unqualified-search-registries = [\"{reg}\", \"other.invalid\"]\nshort-name-mode = \"enforcing\"\n"),
    );
    env.berth(&["pull", "plain"])
        .assert_error("ambiguous")
        .assert_stderr_contains(&format!("{reg}/plain"))
        .assert_stderr_contains("other.invalid/plain");
    assert!(env
        .berth(&["images", "-q"])
        .assert_success()
        .stdout_str()
        .is_empty());
    env.finish();
}

#[test]
fn blocked_registry_is_refused() {
    let env = TestEnv::new("blocked");
    let reg = &registry().addr;
    env.user_config(
        "containers/registries.conf",
        &format!("[[registry]]\nlocation = \"{reg}\"\nblocked = true\n"),
    );
    env.berth(&["pull", &image("busybox")])
        .assert_error("blocked")
        .assert_stderr_contains(reg);
    env.finish();
}

#[test]
fn registry_prefix_is_pulled_from_its_location_but_keeps_the_name() {
    let env = TestEnv::new("prefix-rewrite");
    let reg = &registry().addr;
    env.user_config(
        "containers/registries.conf",
        &format!("[[registry]]\nprefix = \"berth-it.example/team\"\nlocation = \"{reg}\"\n"),
    );
    env.berth(&["pull", "-q", "berth-it.example/team/busybox"])
        .assert_success();
    let names = env
        .berth(&["images", "--format", "{{.Repository}}"])
        .assert_success();
    assert_eq!(names.stdout_str().trim(), "berth-it.example/team/busybox");
    env.finish();
}

fn auth_json(user: &str, password: &str) -> String {
    use base64::Engine;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!(
        "{{\"auths\": {{\"{}\": {{\"auth\": \"{token}\"}}}}}}\n",
        auth_registry().addr
    )
}

#[test]
fn pull_from_htpasswd_registry_needs_credentials() {
    let env = TestEnv::new("auth-missing");
    let reference = format!("{}/busybox", auth_registry().addr);
    env.berth(&["pull", &reference])
        .assert_error("requires authentication")
        .assert_stderr_contains("berth login");
    env.write_file(
        Who::User,
        &env.user.runtime.join("containers/auth.json"),
        &auth_json(AUTH_USER, "wrong"),
    );
    env.berth(&["pull", &reference]).assert_error("rejected");
    env.finish();
}

#[test]
fn pull_from_htpasswd_registry_uses_auth_json() {
    let env = TestEnv::new("auth-json");
    let reference = format!("{}/busybox", auth_registry().addr);
    env.write_file(
        Who::User,
        &env.user.runtime.join("containers/auth.json"),
        &auth_json(AUTH_USER, AUTH_PASSWORD),
    );
    env.berth(&["pull", "-q", &reference]).assert_success();
    env.berth(&["image", "inspect", &reference])
        .assert_success();
    env.finish();
}

#[test]
fn pull_with_authfile_flag_reads_that_file() {
    let env = TestEnv::new("auth-file");
    let reference = format!("{}/busybox", auth_registry().addr);
    let file = env.user.home.join("creds.json");
    env.write_file(Who::User, &file, &auth_json(AUTH_USER, AUTH_PASSWORD));
    env.berth(&[
        "pull",
        "-q",
        "--authfile",
        file.to_str().unwrap(),
        &reference,
    ])
    .assert_success();
    env.finish();
}

#[test]
fn pull_over_plain_http_from_a_non_loopback_registry_needs_tls_verify_false() {
    let env = TestEnv::new("insecure-flag");
    let reference = format!("{}/busybox", remote_registry().addr);
    env.berth(&["pull", &reference])
        .assert_error("--tls-verify=false");
    env.berth(&["pull", "-q", "--tls-verify=false", &reference])
        .assert_success();
    env.finish();
}

#[test]
fn pull_over_plain_http_from_a_registry_marked_insecure_in_registries_conf() {
    let env = TestEnv::new("insecure-conf");
    let addr = &remote_registry().addr;
    env.user_config(
        "containers/registries.conf",
        &format!("[[registry]]\nlocation = \"{addr}\"\ninsecure = true\n"),
    );
    env.berth(&["pull", "-q", &format!("{addr}/busybox")])
        .assert_success();
    env.finish();
}

#[test]
fn short_name_with_two_search_registries_on_a_terminal_prompts_for_one() {
    let env = TestEnv::new("short-prompt");
    let reg = &registry().addr;
    env.user_config(
        "containers/registries.conf",
        &format!("unqualified-search-registries = [\"other.invalid\", \"{reg}\"]\nshort-name-mode = \"enforcing\"\n"),
    );
    // util-linux `script` gives berth a terminal; the answer "2" picks the loopback registry.
    let berth = env!("CARGO_BIN_EXE_berth");
    let mut child = env
        .command(
            Who::User,
            "script",
            &[
                "-q",
                "-e",
                "-c",
                &format!("{berth} pull -q plain"),
                "/dev/null",
            ],
        )
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"2\n").unwrap();
        std::thread::sleep(std::time::Duration::from_secs(5));
    }
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("Please select an image") && text.contains(&format!("{reg}/plain")),
        "{text}"
    );
    env.berth(&["image", "inspect", &format!("{reg}/plain:latest")])
        .assert_success();
    env.finish();
}
