//! `berth pull`: formats, platforms, compression, rootless ownership, refusals.

use std::fs;
use std::path::PathBuf;

use crate::fixtures::{self, image};
use crate::util::{host_uid, owner, TestEnv};

/// The diff/ directories of an image's layers, bottom first.
fn layer_dirs(env: &TestEnv, name: &str) -> Vec<PathBuf> {
    let out = env
        .berth(&[
            "image",
            "inspect",
            "--format",
            "{{json .RootFS.Layers}}",
            name,
        ])
        .ok();
    let diff_ids: Vec<String> = serde_json::from_str(out.stdout().trim()).unwrap();
    let mut chain: Option<String> = None;
    diff_ids
        .iter()
        .map(|d| {
            let c = match &chain {
                None => d.clone(),
                Some(p) => fixtures::digest(format!("{p} {d}").as_bytes()),
            };
            chain = Some(c.clone());
            env.store()
                .join("layers")
                .join(c.trim_start_matches("sha256:"))
                .join("diff")
        })
        .collect()
}

#[test]
fn pull_oci_image_prints_progress_lines_and_the_id_last() {
    let env = TestEnv::new("pull-oci");
    let out = env.berth(&["pull", &image("busybox")]).ok();
    let id = out.stdout().trim().to_string();
    assert_eq!(id.len(), 64, "{}", out.stdout());
    assert_eq!(format!("sha256:{id}"), fixtures::get().busybox.config);
    assert!(
        out.stderr().contains("Trying to pull") && out.stderr().contains("Copying blob"),
        "{}",
        out.stderr()
    );
    let dirs = layer_dirs(&env, &image("busybox"));
    assert!(dirs[0].join("bin/busybox").is_file());
    env.finish();
}

#[test]
fn pull_quiet_prints_only_the_id() {
    let env = TestEnv::new("pull-quiet");
    let out = env.berth(&["pull", "-q", &image("busybox")]).ok();
    assert_eq!(out.stdout().lines().count(), 1);
    assert!(out.stderr().is_empty(), "{}", out.stderr());
    env.finish();
}

#[test]
fn pull_docker_v2s2_manifest_and_manifest_list() {
    let env = TestEnv::new("pull-docker");
    env.berth(&["pull", "-q", &image("busybox-docker")]).ok();
    env.berth(&["pull", "-q", &image("multiarch-docker")]).ok();
    let dirs = layer_dirs(&env, &image("multiarch-docker"));
    assert_eq!(fs::read_to_string(dirs[1].join("arch")).unwrap(), "amd64");
    env.finish();
}

#[test]
fn pull_multiarch_selects_host_or_requested_platform() {
    let env = TestEnv::new("pull-platform");
    env.berth(&["pull", "-q", &image("multiarch")]).ok();
    assert_eq!(
        fs::read_to_string(layer_dirs(&env, &image("multiarch"))[1].join("arch")).unwrap(),
        "amd64"
    );
    env.berth(&[
        "pull",
        "-q",
        "--platform",
        "linux/arm64",
        &image("multiarch"),
    ])
    .ok();
    let arch = env
        .berth(&[
            "image",
            "inspect",
            "--format",
            "{{.Architecture}}",
            &image("multiarch"),
        ])
        .ok();
    assert_eq!(arch.stdout().trim(), "arm64");
    env.berth(&["pull", "--platform", "linux/s390x", &image("multiarch")])
        .fails(125, "no image found for platform linux/s390x in manifest list; available: linux/amd64, linux/arm64/v8");
    env.finish();
}

#[test]
fn pull_zstd_and_uncompressed_layers() {
    let env = TestEnv::new("pull-zstd");
    env.berth(&["pull", "-q", &image("zstd")]).ok();
    assert_eq!(
        fs::read(layer_dirs(&env, &image("zstd"))[1].join("z")).unwrap(),
        b"zstd"
    );
    env.berth(&["pull", "-q", &image("plain")]).ok();
    assert!(layer_dirs(&env, &image("plain"))[0]
        .join("bin/busybox")
        .is_file());
    env.finish();
}

#[test]
fn pull_keeps_image_ownership_inside_the_subuid_range() {
    let env = TestEnv::new("pull-owned");
    env.berth(&["pull", "-q", &image("owned")]).ok();
    let top = layer_dirs(&env, &image("owned"))[1].clone();
    assert_eq!(
        owner(&top.join("home/user1000/file")),
        (host_uid(1000), host_uid(1000), 0o640)
    );
    assert_eq!(owner(&top.join("bin/setuid-tool")).2, 0o4755);
    assert_eq!(
        owner(&top.join("bin/setuid-tool")).0,
        env.user.uid,
        "image root is the user"
    );
    env.finish();
}

#[test]
fn pull_turns_whiteouts_into_overlay_markers() {
    let env = TestEnv::new("pull-whiteouts");
    env.berth(&["pull", "-q", &image("layered")]).ok();
    let dirs = layer_dirs(&env, &image("layered"));
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let wh = fs::symlink_metadata(dirs[2].join("data/b")).unwrap();
    assert!(wh.file_type().is_char_device() && wh.rdev() == 0);
    let mut v = [0u8; 4];
    assert_eq!(
        rustix::fs::getxattr(dirs[2].join("opaque"), "user.overlay.opaque", &mut v).unwrap(),
        1
    );
    assert!(dirs[2].join("opaque/z").is_file());
    assert!(!dirs[2].join("data/.wh.b").exists());
    env.finish();
}

#[test]
fn pull_with_vfs_applies_whiteouts_as_deletions() {
    let env = TestEnv::new("pull-vfs");
    env.berth(&["--storage-driver", "vfs", "pull", "-q", &image("layered")])
        .ok();
    let top = layer_dirs(&env, &image("layered"))[3].clone();
    assert!(top.join("data/a").is_file() && !top.join("data/b").exists());
    assert!(top.join("opaque/z").is_file() && !top.join("opaque/x").exists());
    assert!(top.join("etc/motd").is_file() && top.join("bin/busybox").is_file());
    let info = env
        .berth(&["info", "--format", "{{.Store.GraphDriverName}}"])
        .ok();
    assert_eq!(info.stdout().trim(), "vfs");
    env.finish();
}

fn assert_refused(env: &TestEnv, name: &str, needle: &str) {
    let out = env.berth(&["pull", &image(name)]).fails(125, needle);
    assert!(
        out.stderr().contains(name),
        "the error names the image: {}",
        out.stderr()
    );
    let layers: Vec<_> = fs::read_dir(env.store().join("layers")).unwrap().collect();
    assert!(layers.is_empty(), "no layer left behind for {name}");
    assert_eq!(
        fs::read_dir(env.store().join("tmp")).unwrap().count(),
        0,
        "no temp left for {name}"
    );
}

#[test]
fn pull_refuses_layers_that_escape_their_root() {
    let env = TestEnv::new("pull-evil");
    assert_refused(&env, "evil-dotdot", "\"../escape\" is unsafe");
    assert_refused(&env, "evil-abs", "\"/abs-escape\" is unsafe");
    assert_refused(&env, "evil-symlink", "\"link/pwned\" is unsafe");
    assert_refused(&env, "evil-hardlink", "\"passwd\" is unsafe");
    assert_refused(&env, "evil-device", "device node");
    assert!(!PathBuf::from("/tmp/pwned").exists());
    assert!(!env.dir.join("escape").exists() && !PathBuf::from("/abs-escape").exists());
    env.finish();
}

#[test]
fn pull_refuses_a_blob_that_does_not_match_its_digest() {
    let env = TestEnv::new("pull-corrupt");
    env.berth(&["pull", &image("corrupt")])
        .fails(125, "does not match its digest");
    let blob = fixtures::get().corrupt.layers[0]
        .trim_start_matches("sha256:")
        .to_string();
    assert!(!env.store().join("blobs/sha256").join(blob).exists());
    assert!(env.berth(&["images", "-q"]).ok().stdout().is_empty());
    env.finish();
}

#[test]
fn pull_as_user_without_subuid_range_works_with_a_hint() {
    let env = TestEnv::new("pull-norange");
    let out = env.berth_no_range(&["pull", "-q", &image("owned")]).ok();
    assert!(out.stderr().contains("/etc/subuid"), "{}", out.stderr());
    let info = env.berth_no_range(&["info", "--format", "json"]).ok();
    let v: serde_json::Value = serde_json::from_str(&info.stdout()).unwrap();
    assert_eq!(
        v["host"]["idMappings"]["uidmap"].as_array().unwrap().len(),
        1
    );
    env.finish();
}

#[test]
fn pull_as_root_stores_real_ownership() {
    let env = TestEnv::new("pull-root");
    env.berth_as_root(&["pull", "-q", &image("owned")]).ok();
    let layers = env.dir.join("rootstore/layers");
    let found = fs::read_dir(&layers).unwrap().flatten().any(|e| {
        e.path().join("diff/home/user1000/file").exists()
            && owner(&e.path().join("diff/home/user1000/file")).0 == 1000
    });
    assert!(found);
    env.finish();
}

#[test]
fn short_names_resolve_through_registries_conf() {
    let env = TestEnv::new("pull-shortnames");
    let reg = &fixtures::get().reg.addr;
    env.user_config(
        "containers/registries.conf",
        &format!("unqualified-search-registries = [\"{reg}\"]\n"),
    );
    // (busybox would follow the alias podman's shortnames.conf drop-in gives it, to docker.io.)
    env.berth(&["pull", "-q", "layered"]).ok();
    env.berth(&["image", "inspect", "layered"]).ok();
    env.user_config(
        "containers/registries.conf",
        &format!("unqualified-search-registries = [\"{reg}\", \"other.invalid\"]\n[aliases]\n\"myalias\" = \"{reg}/zstd\"\n"),
    );
    env.berth(&["pull", "-q", "myalias"]).ok();
    env.berth(&["image", "inspect", &format!("{reg}/zstd")])
        .ok();
    env.berth(&["pull", "plain"]).fails(125, "is ambiguous");
    env.user_config(
        "containers/registries.conf",
        &format!("[[registry]]\nlocation = \"{reg}\"\nblocked = true\n"),
    );
    env.berth(&["pull", &image("busybox")])
        .fails(125, "blocked");
    env.finish();
}

#[test]
fn registry_prefix_is_rewritten_to_its_location() {
    let env = TestEnv::new("pull-rewrite");
    let addr = &fixtures::get().reg.addr;
    env.user_config(
        "containers/registries.conf",
        &format!("[[registry]]\nprefix = \"berth-it.example/team\"\nlocation = \"{addr}\"\n"),
    );
    env.berth(&["pull", "-q", "berth-it.example/team/busybox"])
        .ok();
    let tags = env
        .berth(&["images", "--format", "{{.Repository}}"])
        .ok()
        .stdout();
    assert_eq!(
        tags.trim(),
        "berth-it.example/team/busybox",
        "the image keeps the name the user asked for"
    );
    env.finish();
}
