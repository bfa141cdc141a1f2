//! What layers `pull`, `import` and `load` accept rootless (issue 15, items 5 and 6): device
//! nodes a user namespace cannot create are left out, as rootless podman does, while entries
//! that escape stay refused; and a stored layer is reused only for a blob known to hold it.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::json;

use crate::fixtures::{
    busybox_rootfs, digest, push_image, put_blob, put_manifest, ImageSpec, Layer, Pushed,
    OCI_CONFIG, OCI_MANIFEST,
};
use crate::registry::{self, Registry};
use crate::util::{berth_bin, TestEnv, Who};

/// A `/dev` as debootstrap leaves it in a rootfs tarball.
fn dev_layer() -> Layer {
    Layer::new()
        .dir("dev", 0o755)
        .raw("dev/null", tar::EntryType::Char, "", b"")
        .raw("dev/sda", tar::EntryType::Block, "", b"")
        .raw("dev/null-link", tar::EntryType::Link, "dev/null", b"")
        .raw("etc/initctl", tar::EntryType::Fifo, "", b"")
        .file("etc/debian_version", b"12.0\n")
}

struct Images {
    reg: Registry,
    debootstrap: Pushed,
    small: Pushed,
    other: Pushed,
}

fn images() -> &'static Images {
    static I: OnceLock<Images> = OnceLock::new();
    I.get_or_init(|| {
        let reg = registry::start("layerinput", registry::loopback(), false);
        let debootstrap = push_image(
            &reg,
            "debootstrap",
            "latest",
            ImageSpec::gzip(vec![busybox_rootfs().tar(), dev_layer().tar()]),
        );
        push_image(
            &reg,
            "dev-escape",
            "latest",
            ImageSpec::gzip(vec![Layer::new()
                .symlink("dev", "/tmp")
                .raw("dev/null", tar::EntryType::Char, "", b"")
                .tar()]),
        );
        let small = push_image(
            &reg,
            "small",
            "latest",
            ImageSpec::gzip(vec![Layer::new().file("small", b"small\n").tar()]),
        );
        let other = push_image(
            &reg,
            "other",
            "latest",
            ImageSpec::gzip(vec![Layer::new().file("other", b"other\n").tar()]),
        );
        Images {
            reg,
            debootstrap,
            small,
            other,
        }
    })
}

fn name(repo: &str) -> String {
    format!("{}/{repo}", images().reg.addr)
}

fn readable_file(env: &TestEnv, file: &str, data: &[u8]) -> PathBuf {
    let p = env.dir.join(file);
    fs::write(&p, data).unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
    p
}

/// A manifest on `repo` (of the images' registry) whose config is `of`'s and whose only
/// layer is `layer` (digest, size); the config blob is uploaded there, the layer is not.
fn lying_manifest(repo: &str, of: &Pushed, config: &[u8], layer: (&str, usize)) {
    let reg = &images().reg;
    assert_eq!(put_blob(reg, repo, config), of.config);
    let manifest = json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": of.config, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": layer.0, "size": layer.1}],
    });
    put_manifest(reg, repo, "latest", OCI_MANIFEST, &manifest);
}

fn store_blob(env: &TestEnv, digest: &str) -> PathBuf {
    env.store()
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"))
}

#[test]
fn rootless_pull_of_a_debootstrap_image_skips_its_device_nodes_and_the_image_runs() {
    let env = TestEnv::new("layerinput-devices");
    let img = name("debootstrap");
    let log = env.user.home.join("debug.log");
    let mut pull = env.berth_command_of(Who::User, berth_bin(), &["pull", "-q", &img]);
    pull.env("BERTH_DEBUG", &log);
    env.output_of("berth pull (BERTH_DEBUG)", pull)
        .assert_success();
    let notes = fs::read_to_string(&log).unwrap_or_default();
    for skipped in ["\"dev/null\"", "\"dev/sda\"", "\"dev/null-link\""] {
        assert!(
            notes
                .lines()
                .any(|l| l.contains("skipped") && l.contains(skipped)),
            "no debug note for {skipped}: {notes}"
        );
    }
    // /dev in the container is berth's own; the image's files and its fifo are there.
    let out = env
        .berth(&[
            "run",
            "--rm",
            "--network",
            "none",
            &img,
            "sh",
            "-c",
            "cat /etc/debian_version; echo x > /dev/null && echo null-ok; ls -l /etc/initctl",
        ])
        .assert_success()
        .stdout_str();
    assert!(out.contains("12.0") && out.contains("null-ok"), "{out}");
    assert!(
        out.trim_end().lines().last().unwrap().starts_with('p'),
        "{out}"
    );
    assert_eq!(images().debootstrap.layers.len(), 2);
    env.finish();
}

#[test]
fn rootless_import_of_a_rootfs_tarball_with_device_nodes_succeeds_without_them() {
    let env = TestEnv::new("layerinput-import");
    let tarball = readable_file(&env, "rootfs.tar", &dev_layer().tar());
    env.berth(&[
        "import",
        tarball.to_str().unwrap(),
        "localhost/debian-import",
    ])
    .assert_success();
    let out = env
        .berth(&[
            "image",
            "inspect",
            "-f",
            "{{len .RootFS.Layers}}",
            "localhost/debian-import",
        ])
        .assert_success()
        .stdout_str();
    assert_eq!(out.trim(), "1");
    env.finish();
}

#[test]
fn rootless_load_of_a_docker_archive_with_device_nodes_succeeds_without_them() {
    let env = TestEnv::new("layerinput-load-devices");
    let layer = dev_layer().tar();
    let config = serde_json::to_vec(&json!({
        "architecture": crate::fixtures::host_arch(), "os": "linux",
        "config": {"Cmd": ["/bin/sh"]},
        "rootfs": {"type": "layers", "diff_ids": [digest(&layer)]},
    }))
    .unwrap();
    let manifest = serde_json::to_vec(&json!([{
        "Config": "config.json", "RepoTags": ["localhost/devload:latest"], "Layers": ["layer.tar"],
    }]))
    .unwrap();
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in [
        ("manifest.json", &manifest),
        ("config.json", &config),
        ("layer.tar", &layer),
    ] {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, path, &data[..]).unwrap();
    }
    let archive = readable_file(&env, "devload.tar", &b.into_inner().unwrap());
    env.berth(&["load", "-i", archive.to_str().unwrap()])
        .assert_success();
    env.berth(&["image", "inspect", "localhost/devload:latest"])
        .assert_success();
    env.finish();
}

#[test]
fn device_node_written_through_a_symlink_leaving_the_root_is_still_refused() {
    let env = TestEnv::new("layerinput-dev-escape");
    env.berth(&["pull", "-q", &name("dev-escape")])
        .assert_error("outside");
    assert!(env
        .berth(&["images", "-q"])
        .assert_success()
        .stdout_str()
        .is_empty());
    env.finish();
}

#[test]
fn pull_of_a_manifest_naming_a_blob_that_does_not_exist_fails_though_the_layer_is_local() {
    let env = TestEnv::new("layerinput-liar");
    let small = &images().small;
    env.berth(&["pull", "-q", &name("small")]).assert_success();
    let config = fs::read(store_blob(&env, &small.config)).unwrap();
    // The registry checks a manifest's blobs when it is pushed, so the blob exists then and is
    // deleted from the registry's storage afterwards: no one can serve it any more.
    let gone = crate::fixtures::random_bytes(1234, 15);
    let missing = put_blob(&images().reg, "liar", &gone);
    lying_manifest("liar", small, &config, (&missing, gone.len()));
    let data = images().reg.blob_data_path(&missing);
    fs::remove_dir_all(data.parent().unwrap()).unwrap();
    let out = env.berth(&["pull", "-q", &name("liar")]);
    assert_eq!(out.code(), 125, "the lying manifest was accepted");
    out.assert_error(&missing);
    let names = env
        .berth(&["images", "--format", "{{.Repository}}"])
        .assert_success()
        .stdout_str();
    assert!(!names.contains("liar"), "{names}");
    env.finish();
}

#[test]
fn pull_of_another_compression_of_a_local_layer_fetches_and_keeps_that_blob() {
    let env = TestEnv::new("layerinput-recompressed");
    let small = &images().small;
    env.berth(&["pull", "-q", &name("small")]).assert_success();
    let config = fs::read(store_blob(&env, &small.config)).unwrap();
    // The same tar, uncompressed: another digest for the same diff_id.
    let tar = Layer::new().file("small", b"small\n").tar();
    assert_eq!(digest(&tar), small.diff_ids[0]);
    let plain = put_blob(&images().reg, "plain", &tar);
    lying_manifest("plain", small, &config, (&plain, tar.len()));
    env.berth(&["pull", "-q", &name("plain")]).assert_success();
    assert_eq!(fs::read(store_blob(&env, &plain)).unwrap(), tar);
    let saved = env.user.home.join("plain.tar");
    env.berth(&[
        "save",
        "--format",
        "oci-archive",
        "-o",
        saved.to_str().unwrap(),
        &name("plain"),
    ])
    .assert_success();
    env.finish();
}

#[test]
fn pull_of_a_manifest_pairing_a_local_layer_with_another_images_blob_fails() {
    let env = TestEnv::new("layerinput-swapped");
    let (small, other) = (&images().small, &images().other);
    env.berth(&["pull", "-q", &name("small")]).assert_success();
    env.berth(&["pull", "-q", &name("other")]).assert_success();
    let config = fs::read(store_blob(&env, &small.config)).unwrap();
    let other_blob = fs::read(store_blob(&env, &other.layers[0])).unwrap();
    // The registry has that blob in this repository too, so only the diff_id can tell.
    assert_eq!(
        put_blob(&images().reg, "swapped", &other_blob),
        other.layers[0]
    );
    lying_manifest(
        "swapped",
        small,
        &config,
        (&other.layers[0], other_blob.len()),
    );
    env.berth(&["pull", "-q", &name("swapped")])
        .assert_error(&small.diff_ids[0]);
    env.finish();
}

/// An oci-archive with `config` and a manifest naming `layer`, whose blob is not in the archive.
fn oci_archive(config: &[u8], config_digest: &str, layer: (&str, usize)) -> Vec<u8> {
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": layer.0, "size": layer.1}],
    }))
    .unwrap();
    let index = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": OCI_MANIFEST, "digest": digest(&manifest),
                       "size": manifest.len(),
                       "annotations": {"org.opencontainers.image.ref.name": "localhost/liar:latest"}}],
    }))
    .unwrap();
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |path: String, data: &[u8]| {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, path, data).unwrap();
    };
    add("oci-layout".into(), br#"{"imageLayoutVersion":"1.0.0"}"#);
    add("index.json".into(), &index);
    let blob = |d: &str| format!("blobs/sha256/{}", d.trim_start_matches("sha256:"));
    add(blob(&digest(&manifest)), &manifest);
    add(blob(config_digest), config);
    b.into_inner().unwrap()
}

#[test]
fn load_of_an_oci_archive_pairing_a_local_layer_with_another_images_blob_fails() {
    let env = TestEnv::new("layerinput-load-liar");
    let (small, other) = (&images().small, &images().other);
    env.berth(&["pull", "-q", &name("small")]).assert_success();
    env.berth(&["pull", "-q", &name("other")]).assert_success();
    let config = fs::read(store_blob(&env, &small.config)).unwrap();
    let other_size = fs::metadata(store_blob(&env, &other.layers[0]))
        .unwrap()
        .len() as usize;
    let archive = readable_file(
        &env,
        "liar.tar",
        &oci_archive(&config, &small.config, (&other.layers[0], other_size)),
    );
    env.berth(&["load", "-i", archive.to_str().unwrap()])
        .assert_error(&small.diff_ids[0]);
    let names = env
        .berth(&["images", "--format", "{{.Repository}}"])
        .assert_success()
        .stdout_str();
    assert!(!names.contains("liar"), "{names}");
    env.finish();
}

#[test]
fn load_of_an_oci_archive_naming_the_blob_the_layer_came_from_reuses_it() {
    let env = TestEnv::new("layerinput-load-reuse");
    let small = &images().small;
    env.berth(&["pull", "-q", &name("small")]).assert_success();
    let config = fs::read(store_blob(&env, &small.config)).unwrap();
    let size = fs::metadata(store_blob(&env, &small.layers[0]))
        .unwrap()
        .len() as usize;
    let archive = readable_file(
        &env,
        "honest.tar",
        &oci_archive(&config, &small.config, (&small.layers[0], size)),
    );
    env.berth(&["load", "-i", archive.to_str().unwrap()])
        .assert_success();
    env.finish();
}
