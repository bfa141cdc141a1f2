//! `berth push`: round trips, skipped and mounted blobs, format and compression changes,
//! pushes that need a login, and other tools reading what berth pushed.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::sync::OnceLock;

use crate::fixtures::{
    auth_registry, fixtures, image, push_image, random_bytes, registry, Comp, ImageSpec, Layer,
};
use crate::registry::{self, Registry, AUTH_PASSWORD, AUTH_USER};
use crate::util::TestEnv;

/// An empty loopback registry that only pushes write to.
fn target() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| registry::start("push-target", registry::loopback(), false))
}

/// A fresh env with `name` pulled from the fixtures registry.
fn pulled(test: &str, name: &str) -> TestEnv {
    let env = TestEnv::new(test);
    env.berth(&["pull", "-q", &image(name)]).assert_success();
    env
}

fn image_id(env: &TestEnv, name: &str) -> String {
    env.berth(&["image", "inspect", "--format", "{{.Id}}", name])
        .assert_success()
        .stdout_str()
        .trim()
        .to_string()
}

fn blob_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("Copying blob") || l.starts_with("Copying config"))
        .collect()
}

#[test]
fn push_round_trip_keeps_the_manifest_digest_and_image_id() {
    let env = pulled("push-roundtrip", "busybox");
    let dest = format!("{}/roundtrip/busybox:v1", target().addr);
    let digestfile = env.user.home.join("digest");
    let out = env
        .berth(&[
            "push",
            "--digestfile",
            digestfile.to_str().unwrap(),
            &image("busybox"),
            &format!("docker://{dest}"),
        ])
        .assert_success();
    let stderr = out.stderr_str();
    assert!(
        stderr.contains("Writing manifest to image destination"),
        "{stderr}"
    );
    assert!(
        blob_lines(&stderr).iter().all(|l| l.ends_with(" done")),
        "{stderr}"
    );
    let want = &fixtures().busybox.manifest;
    assert_eq!(fs::read_to_string(&digestfile).unwrap(), *want);
    let (served, _, _) = target().manifest("roundtrip/busybox", "v1");
    assert_eq!(served, *want);

    let fresh = TestEnv::new("push-roundtrip-pull");
    fresh.berth(&["pull", "-q", &dest]).assert_success();
    assert_eq!(
        image_id(&fresh, &dest),
        image_id(&env, &image("busybox")),
        "same config, same image ID"
    );
    let digest = fresh
        .berth(&["image", "inspect", "--format", "{{.Digest}}", &dest])
        .assert_success()
        .stdout_str();
    assert_eq!(digest.trim(), want);
    fresh.finish();
    env.finish();
}

#[test]
fn push_with_the_images_own_name_after_tag() {
    let env = pulled("push-tagged", "layered");
    let dest = format!("{}/tagged/layered:1", target().addr);
    env.berth(&["tag", &image("layered"), &dest])
        .assert_success();
    env.berth(&["push", "-q", &dest]).assert_success();
    let (served, _, _) = target().manifest("tagged/layered", "1");
    assert_eq!(served, fixtures().layered.manifest);
    env.finish();
}

#[test]
fn second_push_skips_every_blob() {
    let env = pulled("push-twice", "layered");
    let dest = format!("{}/twice/layered:latest", target().addr);
    env.berth(&["push", &image("layered"), &dest])
        .assert_success();
    let out = env
        .berth(&["push", &image("layered"), &dest])
        .assert_success();
    let stderr = out.stderr_str();
    let lines = blob_lines(&stderr);
    assert_eq!(lines.len(), 5, "four layers and the config: {stderr}");
    assert!(
        lines.iter().all(|l| l.ends_with("skipped: already exists")),
        "{stderr}"
    );
    env.finish();
}

#[test]
fn push_to_another_repository_of_the_same_registry_mounts_the_blobs() {
    let env = pulled("push-mount", "layered");
    let repo = format!("mounted-{:08x}", rand::random::<u32>());
    let dest = format!("{}/{repo}:latest", registry().addr);
    let out = env
        .berth(&["push", &image("layered"), &dest])
        .assert_success();
    let stderr = out.stderr_str();
    let lines = blob_lines(&stderr);
    assert_eq!(lines.len(), 5, "{stderr}");
    assert!(
        lines
            .iter()
            .all(|l| l.ends_with("skipped: mounted from layered")),
        "{stderr}"
    );
    let (served, _, _) = registry().manifest(&repo, "latest");
    assert_eq!(served, fixtures().layered.manifest);
    env.finish();
}

#[test]
fn push_format_v2s2_converts_media_types_and_keeps_the_image_id() {
    let env = pulled("push-v2s2", "busybox");
    let dest = format!("{}/converted/v2s2:latest", target().addr);
    env.berth(&["push", "-q", "--format", "v2s2", &image("busybox"), &dest])
        .assert_success();
    let (digest, content_type, m) = target().manifest("converted/v2s2", "latest");
    assert_eq!(
        content_type,
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    assert_eq!(
        m["mediaType"],
        "application/vnd.docker.distribution.manifest.v2+json"
    );
    assert_eq!(
        m["config"]["mediaType"],
        "application/vnd.docker.container.image.v1+json"
    );
    assert_eq!(
        m["layers"][0]["mediaType"],
        "application/vnd.docker.image.rootfs.diff.tar.gzip"
    );
    assert_eq!(
        m["layers"][0]["digest"],
        fixtures().busybox.layers[0].as_str(),
        "same blob"
    );
    assert_ne!(digest, fixtures().busybox.manifest, "a new manifest");

    let fresh = TestEnv::new("push-v2s2-pull");
    fresh.berth(&["pull", "-q", &dest]).assert_success();
    assert_eq!(image_id(&fresh, &dest), image_id(&env, &image("busybox")));
    // And back: the docker image pushed as OCI.
    let back = format!("{}/converted/oci:latest", target().addr);
    fresh
        .berth(&["push", "-q", "--format", "oci", &dest, &back])
        .assert_success();
    let (_, content_type, m) = target().manifest("converted/oci", "latest");
    assert_eq!(content_type, "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(
        m["layers"][0]["mediaType"],
        "application/vnd.oci.image.layer.v1.tar+gzip"
    );
    assert_eq!(
        m["config"]["mediaType"],
        "application/vnd.oci.image.config.v1+json"
    );
    fresh.finish();
    env.finish();
}

#[test]
fn push_compression_format_zstd_recompresses_the_layers() {
    let env = pulled("push-zstd", "layered");
    let dest = format!("{}/recompressed/zstd:latest", target().addr);
    env.berth(&[
        "push",
        "-q",
        "--compression-format",
        "zstd",
        &image("layered"),
        &dest,
    ])
    .assert_success();
    let (_, _, m) = target().manifest("recompressed/zstd", "latest");
    let layers = m["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 4);
    for (l, original) in layers.iter().zip(&fixtures().layered.layers) {
        assert_eq!(
            l["mediaType"],
            "application/vnd.oci.image.layer.v1.tar+zstd"
        );
        assert_ne!(l["digest"], original.as_str());
        let blob = target().blob_data_path(l["digest"].as_str().unwrap());
        let magic = fs::read(&blob).unwrap();
        assert_eq!(&magic[..4], &[0x28, 0xb5, 0x2f, 0xfd], "zstd frame");
    }
    // Same format again is a no-op: nothing is recompressed, so the layers are the stored ones.
    let again = format!("{}/recompressed/gzip:latest", target().addr);
    env.berth(&[
        "push",
        "-q",
        "--compression-format",
        "gzip",
        &image("layered"),
        &again,
    ])
    .assert_success();
    let (digest, _, _) = target().manifest("recompressed/gzip", "latest");
    assert_eq!(digest, fixtures().layered.manifest);

    let fresh = TestEnv::new("push-zstd-pull");
    fresh.berth(&["pull", "-q", &dest]).assert_success();
    assert_eq!(image_id(&fresh, &dest), image_id(&env, &image("layered")));
    fresh.finish();
    env.finish();
}

#[test]
fn push_to_the_htpasswd_registry_needs_a_login() {
    let env = pulled("push-auth", "busybox");
    let dest = format!("{}/pushed/busybox:latest", auth_registry().addr);
    env.berth(&["push", &image("busybox"), &dest])
        .assert_error("requires authentication")
        .assert_stderr_contains(&format!("berth login {}", auth_registry().addr));
    env.berth(&[
        "login",
        "-u",
        AUTH_USER,
        "-p",
        AUTH_PASSWORD,
        &auth_registry().addr,
    ])
    .assert_success();
    env.berth(&["push", "-q", &image("busybox"), &dest])
        .assert_success();
    let (served, _, _) = auth_registry().manifest("pushed/busybox", "latest");
    assert_eq!(served, fixtures().busybox.manifest);
    env.finish();
}

#[test]
fn skopeo_and_podman_read_what_berth_pushed() {
    let env = pulled("push-interop", "layered");
    let dest = format!("{}/interop/layered:latest", target().addr);
    env.berth(&["push", "-q", "--format", "v2s2", &image("layered"), &dest])
        .assert_success();
    let (digest, _, _) = target().manifest("interop/layered", "latest");

    let run = |cmd: &mut Command| {
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{cmd:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let inspect = run(Command::new("skopeo").args([
        "inspect",
        "--tls-verify=false",
        &format!("docker://{dest}"),
    ]));
    let v: serde_json::Value = serde_json::from_str(&inspect).unwrap();
    assert_eq!(v["Digest"], digest.as_str());
    assert_eq!(v["Layers"].as_array().unwrap().len(), 4);

    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("dir");
    run(Command::new("skopeo").args([
        "copy",
        "--src-tls-verify=false",
        &format!("docker://{dest}"),
        &format!("dir:{}", dir.display()),
    ]));
    assert!(dir.join("manifest.json").is_file());

    let (root, runroot) = (work.path().join("root"), work.path().join("runroot"));
    fs::create_dir(&runroot).unwrap();
    fs::set_permissions(&runroot, fs::Permissions::from_mode(0o700)).unwrap();
    let podman = |args: &[&str]| {
        let mut c = Command::new("podman");
        c.args(["--root", root.to_str().unwrap()])
            .args(["--runroot", runroot.to_str().unwrap()])
            .args(["--storage-driver", "vfs"])
            .args(args);
        c
    };
    run(&mut podman(&["pull", "-q", "--tls-verify=false", &dest]));
    let id = run(&mut podman(&[
        "image", "inspect", "--format", "{{.Id}}", &dest,
    ]));
    assert_eq!(
        format!("sha256:{}", id.trim()),
        image_id(&env, &image("layered"))
    );
    env.finish();
}

#[test]
fn push_of_an_unknown_image_fails_and_sends_nothing() {
    let env = TestEnv::new("push-unknown");
    let dest = format!("{}/nothing/here:latest", target().addr);
    env.berth(&["push", "localhost/no-such-image", &dest])
        .assert_error("image not known");
    let status = ureq::get(&target().url("/v2/nothing/here/tags/list")).call();
    assert!(
        matches!(status, Err(ureq::Error::Status(404, _))),
        "{status:?}"
    );
    env.finish();
}

#[test]
fn push_without_a_registry_in_the_name_asks_for_a_destination() {
    let env = pulled("push-short", "busybox");
    env.berth(&["tag", &image("busybox"), "mybox"])
        .assert_success();
    env.berth(&["push", "mybox"])
        .assert_error("fully-qualified destination");
    env.berth(&["push", "mybox", "oci:/tmp/x"])
        .assert_error("registries only");
    env.finish();
}

#[test]
fn push_to_an_unreachable_registry_is_one_clean_error() {
    let env = pulled("push-unreachable", "busybox");
    // A port nothing listens on (bound and released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    env.berth(&["push", &image("busybox"), &format!("127.0.0.1:{port}/x:1")])
        .assert_error("cannot reach registry");
    env.finish();
}

#[test]
fn push_of_a_layer_larger_than_a_chunk_uploads_it_in_chunks() {
    // 20 MiB of incompressible data: more than one 16 MiB chunk.
    let source = registry::start_logged("push-big-source", registry::loopback());
    let tar = Layer::new().file("big", &random_bytes(20 << 20, 99)).tar();
    let pushed = push_image(
        &source,
        "big20",
        "latest",
        ImageSpec::oci(vec![(tar, Comp::GzipStored)]),
    );
    let env = TestEnv::new("push-chunked");
    let from = format!("{}/big20:latest", source.addr);
    env.berth(&["pull", "-q", &from]).assert_success();
    // Back to the same registry, under another name and recompressed (so nothing is mounted):
    // its access log shows how the bytes arrived.
    let dest = format!("{}/chunked/big20:latest", source.addr);
    env.berth(&["push", "-q", "--compression-format", "zstd", &from, &dest])
        .assert_success();
    let log = fs::read_to_string(&source.log).unwrap();
    let patches = log
        .lines()
        .filter(|l| l.contains("\"PATCH /v2/chunked/big20/blobs/uploads/"))
        .count();
    assert_eq!(patches, 2, "20 MiB in 16 MiB chunks: {log}");
    let (_, _, m) = source.manifest("chunked/big20", "latest");
    let digest = m["layers"][0]["digest"].as_str().unwrap();
    let layer = fs::read(source.blob_data_path(digest)).unwrap();
    assert_eq!(crate::fixtures::digest(&layer), digest);
    assert_eq!(m["config"]["digest"], pushed.config.as_str());
    env.finish();
}
