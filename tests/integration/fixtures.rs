//! Test images, built offline from Debian's busybox-static and pushed over plain HTTP.

use std::io::Write;
use std::sync::OnceLock;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::registry::{self, Registry};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

pub fn digest(b: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(b)))
}

/// A layer under construction: a tar stream built entry by entry.
pub struct Layer {
    b: tar::Builder<Vec<u8>>,
}

impl Layer {
    pub fn new() -> Self {
        Layer {
            b: tar::Builder::new(Vec::new()),
        }
    }

    fn header(kind: tar::EntryType, mode: u32, uid: u64, size: u64) -> tar::Header {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_uid(uid);
        h.set_gid(uid);
        h.set_size(size);
        h.set_mtime(1_700_000_000);
        h
    }

    pub fn dir(mut self, path: &str, mode: u32) -> Self {
        let mut h = Self::header(tar::EntryType::Directory, mode, 0, 0);
        self.b.append_data(&mut h, path, &[][..]).unwrap();
        self
    }

    pub fn file_owned(mut self, path: &str, data: &[u8], mode: u32, uid: u64) -> Self {
        let mut h = Self::header(tar::EntryType::Regular, mode, uid, data.len() as u64);
        self.b.append_data(&mut h, path, data).unwrap();
        self
    }

    pub fn file(self, path: &str, data: &[u8]) -> Self {
        self.file_owned(path, data, 0o644, 0)
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        let mut h = Self::header(tar::EntryType::Symlink, 0o777, 0, 0);
        self.b.append_link(&mut h, path, target).unwrap();
        self
    }

    /// Raw entry with a name the tar builder would refuse (`..`, absolute).
    pub fn raw(mut self, name: &str, kind: tar::EntryType, link: &str, data: &[u8]) -> Self {
        let mut h = Self::header(kind, 0o644, 0, data.len() as u64);
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
        h.set_cksum();
        self.b.get_mut().extend_from_slice(h.as_bytes());
        self.b.get_mut().extend_from_slice(data);
        let len = self.b.get_ref().len();
        self.b.get_mut().resize(len.div_ceil(512) * 512, 0);
        self
    }

    pub fn tar(self) -> Vec<u8> {
        self.b.into_inner().unwrap()
    }
}

pub fn busybox_rootfs() -> Layer {
    let bb = std::fs::read("/bin/busybox")
        .expect("busybox-static is needed: apt-get install busybox-static");
    let mut l = Layer::new()
        .dir("bin", 0o755)
        .dir("etc", 0o755)
        .dir("tmp", 0o1777)
        .file_owned("bin/busybox", &bb, 0o755, 0);
    for app in [
        "sh", "ls", "cat", "echo", "id", "stat", "ps", "date", "sleep", "true", "false", "env",
    ] {
        l = l.symlink(&format!("bin/{app}"), "busybox");
    }
    l.file("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\nuser1000:x:1000:1000::/home/user1000:/bin/sh\n")
        .file("etc/group", b"root:x:0:\nnobody:x:65534:\nuser1000:x:1000:\n")
}

#[derive(Clone, Copy)]
pub enum Comp {
    Gzip,
    Zstd,
    Plain,
}

fn compress(tar: &[u8], c: Comp) -> (Vec<u8>, &'static str) {
    match c {
        Comp::Gzip => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(tar).unwrap();
            (
                e.finish().unwrap(),
                "application/vnd.oci.image.layer.v1.tar+gzip",
            )
        }
        Comp::Zstd => (
            zstd::encode_all(tar, 3).unwrap(),
            "application/vnd.oci.image.layer.v1.tar+zstd",
        ),
        Comp::Plain => (tar.to_vec(), "application/vnd.oci.image.layer.v1.tar"),
    }
}

pub fn put_blob(reg: &str, repo: &str, data: &[u8]) -> String {
    let d = digest(data);
    let resp = ureq::post(&format!("http://{reg}/v2/{repo}/blobs/uploads/"))
        .send_bytes(&[])
        .unwrap();
    let loc = resp.header("Location").unwrap().to_string();
    let url = if loc.starts_with("http") {
        loc
    } else {
        format!("http://{reg}{loc}")
    };
    let sep = if url.contains('?') { '&' } else { '?' };
    ureq::put(&format!("{url}{sep}digest={d}"))
        .set("Content-Type", "application/octet-stream")
        .send_bytes(data)
        .unwrap();
    d
}

pub fn put_manifest(reg: &str, repo: &str, tag: &str, media_type: &str, body: &Value) -> String {
    let bytes = serde_json::to_vec(body).unwrap();
    ureq::put(&format!("http://{reg}/v2/{repo}/manifests/{tag}"))
        .set("Content-Type", media_type)
        .send_bytes(&bytes)
        .unwrap();
    digest(&bytes)
}

pub struct Pushed {
    pub manifest: String,
    pub layers: Vec<String>,
    pub config: String,
}

/// Push an image: layers (tar, compression), config extras; returns the digests.
pub fn push_image(
    reg: &str,
    repo: &str,
    tag: &str,
    layers: Vec<(Vec<u8>, Comp)>,
    arch: &str,
    docker: bool,
) -> Pushed {
    let mut descs = Vec::new();
    let mut diff_ids = Vec::new();
    let mut digests = Vec::new();
    for (tar, c) in &layers {
        let (blob, mt) = compress(tar, *c);
        let d = put_blob(reg, repo, &blob);
        let mt = if docker {
            "application/vnd.docker.image.rootfs.diff.tar.gzip"
        } else {
            mt
        };
        descs.push(json!({"mediaType": mt, "digest": d, "size": blob.len()}));
        diff_ids.push(digest(tar));
        digests.push(d);
    }
    let config = json!({
        "architecture": arch, "os": "linux", "created": "2024-01-02T03:04:05Z",
        "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"], "Labels": {"org.test.image": repo}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "fixtures"}],
    });
    let cbytes = serde_json::to_vec(&config).unwrap();
    let cd = put_blob(reg, repo, &cbytes);
    let (mt, cmt) = if docker {
        (
            DOCKER_MANIFEST,
            "application/vnd.docker.container.image.v1+json",
        )
    } else {
        (OCI_MANIFEST, "application/vnd.oci.image.config.v1+json")
    };
    let manifest = json!({"schemaVersion": 2, "mediaType": mt, "config": {"mediaType": cmt, "digest": cd, "size": cbytes.len()}, "layers": descs});
    let md = put_manifest(reg, repo, tag, mt, &manifest);
    Pushed {
        manifest: md,
        layers: digests,
        config: cd,
    }
}

pub struct Fixtures {
    pub reg: Registry,
    pub busybox: Pushed,
    pub corrupt: Pushed,
}

fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    // xorshift: incompressible enough, reproducible.
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

pub fn get() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(build)
}

fn build() -> Fixtures {
    let reg = registry::start();
    let r = reg.addr.clone();
    let base = busybox_rootfs().tar();
    let busybox = push_image(
        &r,
        "busybox",
        "latest",
        vec![(base.clone(), Comp::Gzip)],
        "amd64",
        false,
    );
    push_image(
        &r,
        "busybox-docker",
        "latest",
        vec![(base.clone(), Comp::Gzip)],
        "amd64",
        true,
    );

    let l2 = Layer::new()
        .dir("data", 0o755)
        .file("data/a", b"a")
        .file("data/b", b"b")
        .file("data/c", b"c")
        .dir("opaque", 0o755)
        .file("opaque/x", b"x")
        .file("opaque/y", b"y")
        .tar();
    let l3 = Layer::new()
        .file("data/.wh.b", b"")
        .file("opaque/.wh..wh..opq", b"")
        .file("opaque/z", b"z")
        .tar();
    let l4 = Layer::new().file("etc/motd", b"hello\n").tar();
    push_image(
        &r,
        "layered",
        "latest",
        vec![
            (base.clone(), Comp::Gzip),
            (l2, Comp::Gzip),
            (l3, Comp::Gzip),
            (l4, Comp::Gzip),
        ],
        "amd64",
        false,
    );

    // Multi-arch: an index with amd64, arm64 and a buildkit-style attestation.
    let mut entries = Vec::new();
    let mut list_entries = Vec::new();
    for (arch, variant) in [("amd64", None), ("arm64", Some("v8"))] {
        let marker = Layer::new().file("arch", arch.as_bytes()).tar();
        let p = push_image(
            &r,
            "multiarch",
            &format!("only-{arch}"),
            vec![(base.clone(), Comp::Gzip), (marker.clone(), Comp::Gzip)],
            arch,
            false,
        );
        let size = ureq::get(&format!("http://{r}/v2/multiarch/manifests/{}", p.manifest))
            .set("Accept", OCI_MANIFEST)
            .call()
            .unwrap()
            .into_string()
            .unwrap()
            .len();
        let mut plat = json!({"os": "linux", "architecture": arch});
        if let Some(v) = variant {
            plat["variant"] = v.into();
        }
        entries.push(json!({"mediaType": OCI_MANIFEST, "digest": p.manifest, "size": size, "platform": plat}));
        let pd = push_image(
            &r,
            "multiarch-docker",
            &format!("only-{arch}"),
            vec![(base.clone(), Comp::Gzip), (marker, Comp::Gzip)],
            arch,
            true,
        );
        let size = ureq::get(&format!(
            "http://{r}/v2/multiarch-docker/manifests/{}",
            pd.manifest
        ))
        .set("Accept", DOCKER_MANIFEST)
        .call()
        .unwrap()
        .into_string()
        .unwrap()
        .len();
        list_entries.push(json!({"mediaType": DOCKER_MANIFEST, "digest": pd.manifest, "size": size, "platform": {"os": "linux", "architecture": arch}}));
    }
    let att = push_image(
        &r,
        "multiarch",
        "attestation",
        vec![(Layer::new().file("att.json", b"{}").tar(), Comp::Gzip)],
        "unknown",
        false,
    );
    entries.push(json!({"mediaType": OCI_MANIFEST, "digest": att.manifest, "size": 1, "platform": {"os": "unknown", "architecture": "unknown"},
                        "annotations": {"vnd.docker.reference.type": "attestation-manifest"}}));
    put_manifest(
        &r,
        "multiarch",
        "latest",
        OCI_INDEX,
        &json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries}),
    );
    put_manifest(
        &r,
        "multiarch-docker",
        "latest",
        DOCKER_LIST,
        &json!({"schemaVersion": 2, "mediaType": DOCKER_LIST, "manifests": list_entries}),
    );

    push_image(
        &r,
        "zstd",
        "latest",
        vec![
            (base.clone(), Comp::Zstd),
            (Layer::new().file("z", b"zstd").tar(), Comp::Zstd),
        ],
        "amd64",
        false,
    );
    push_image(
        &r,
        "plain",
        "latest",
        vec![(base.clone(), Comp::Plain)],
        "amd64",
        false,
    );
    let owned = Layer::new()
        .dir("home", 0o755)
        .dir("home/user1000", 0o755)
        .file_owned("home/user1000/file", b"mine", 0o640, 1000)
        .file_owned("bin/setuid-tool", b"x", 0o4755, 0)
        .tar();
    push_image(
        &r,
        "owned",
        "latest",
        vec![(base.clone(), Comp::Gzip), (owned, Comp::Gzip)],
        "amd64",
        false,
    );
    push_image(
        &r,
        "shared-a",
        "latest",
        vec![
            (base.clone(), Comp::Gzip),
            (Layer::new().file("a", b"a").tar(), Comp::Gzip),
        ],
        "amd64",
        false,
    );
    push_image(
        &r,
        "shared-b",
        "latest",
        vec![
            (base.clone(), Comp::Gzip),
            (Layer::new().file("b", b"b").tar(), Comp::Gzip),
        ],
        "amd64",
        false,
    );
    let big_layers = (0..4)
        .map(|i| {
            (
                Layer::new()
                    .file(&format!("blob{i}"), &random_bytes(12 << 20, i + 7))
                    .tar(),
                Comp::Gzip,
            )
        })
        .collect();
    push_image(&r, "big", "latest", big_layers, "amd64", false);

    let evil = |name: &str, l: Layer| {
        push_image(
            &r,
            name,
            "latest",
            vec![(l.tar(), Comp::Gzip)],
            "amd64",
            false,
        );
    };
    evil(
        "evil-dotdot",
        Layer::new().raw("../escape", tar::EntryType::Regular, "", b"x"),
    );
    evil(
        "evil-abs",
        Layer::new().raw("/abs-escape", tar::EntryType::Regular, "", b"x"),
    );
    evil(
        "evil-symlink",
        Layer::new()
            .symlink("link", "/tmp")
            .file("link/pwned", b"x"),
    );
    evil(
        "evil-hardlink",
        Layer::new().raw("passwd", tar::EntryType::Link, "../../etc/passwd", b""),
    );
    evil(
        "evil-device",
        Layer::new().raw("dev/sda", tar::EntryType::Block, "", b""),
    );

    // A blob the registry serves with bytes that do not match its digest.
    let corrupt = push_image(
        &r,
        "corrupt",
        "latest",
        vec![(
            Layer::new().file("c", &random_bytes(4096, 3)).tar(),
            Comp::Gzip,
        )],
        "amd64",
        false,
    );
    let hex = corrupt.layers[0].trim_start_matches("sha256:");
    let data = reg.storage.join(format!(
        "docker/registry/v2/blobs/sha256/{}/{hex}/data",
        &hex[..2]
    ));
    let mut bytes = std::fs::read(&data).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(&data, bytes).unwrap();

    Fixtures {
        reg,
        busybox,
        corrupt,
    }
}

pub fn image(name: &str) -> String {
    format!("{}/{name}", get().reg.addr)
}
