use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};

use super::*;

fn opts(whiteouts: WhiteoutFormat) -> UnpackOptions {
    UnpackOptions {
        whiteouts,
        allow_devices: false,
        ignore_chown_errors: false,
    }
}

/// A tar stream built by hand so malicious names can be written (the builder refuses them).
struct Tar(Vec<u8>);

impl Tar {
    fn new() -> Self {
        Tar(Vec::new())
    }

    fn raw(
        mut self,
        name: &[u8],
        kind: tar::EntryType,
        mode: u32,
        link: &[u8],
        data: &[u8],
        uid: u64,
    ) -> Self {
        let mut h = tar::Header::new_gnu();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_uid(uid);
        h.set_gid(uid);
        h.set_size(data.len() as u64);
        h.set_mtime(1_600_000_000);
        h.set_cksum();
        self.0.extend_from_slice(h.as_bytes());
        self.0.extend_from_slice(data);
        self.0.resize(self.0.len().div_ceil(512) * 512, 0);
        self
    }

    fn file(self, name: &str, data: &[u8]) -> Self {
        self.raw(
            name.as_bytes(),
            tar::EntryType::Regular,
            0o644,
            b"",
            data,
            0,
        )
    }

    fn dir(self, name: &str) -> Self {
        self.raw(
            name.as_bytes(),
            tar::EntryType::Directory,
            0o755,
            b"",
            b"",
            0,
        )
    }

    fn symlink(self, name: &str, target: &str) -> Self {
        self.raw(
            name.as_bytes(),
            tar::EntryType::Symlink,
            0o777,
            target.as_bytes(),
            b"",
            0,
        )
    }

    fn hardlink(self, name: &str, target: &str) -> Self {
        self.raw(
            name.as_bytes(),
            tar::EntryType::Link,
            0o644,
            target.as_bytes(),
            b"",
            0,
        )
    }

    fn bytes(mut self) -> Vec<u8> {
        self.0.extend_from_slice(&[0u8; 1024]);
        self.0
    }
}

fn unpack_into(root: &Path, tar: Vec<u8>, o: &UnpackOptions) -> Result<UnpackSummary, LayerError> {
    unpack(io::Cursor::new(tar), root, o)
}

#[test]
fn files_dirs_modes_and_mtimes_are_restored_and_diff_id_hashes_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .dir("./etc/")
        .raw(
            b"etc/secret",
            tar::EntryType::Regular,
            0o640,
            b"",
            b"s3cret",
            0,
        )
        .file("bin/tool", b"#!/bin/sh\n")
        .bytes();
    let want = crate::image::manifest::sha256_digest(&bytes);
    let s = unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    assert_eq!(s.diff_id, want);
    assert_eq!(s.size, 6 + 10);
    let m = fs::metadata(dir.path().join("etc/secret")).unwrap();
    assert_eq!(m.mode() & 0o7777, 0o640);
    assert_eq!(m.mtime(), 1_600_000_000);
    assert_eq!(
        fs::metadata(dir.path().join("etc")).unwrap().mtime(),
        1_600_000_000,
        "dir mtime set after children"
    );
    assert!(dir.path().join("bin").is_dir(), "missing parent created");
}

#[test]
fn ownership_and_setuid_survive_when_run_as_root() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .raw(
            b"home/u/file",
            tar::EntryType::Regular,
            0o640,
            b"",
            b"x",
            1000,
        )
        .raw(b"bin/su", tar::EntryType::Regular, 0o4755, b"", b"x", 0)
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    let m = fs::metadata(dir.path().join("home/u/file")).unwrap();
    assert_eq!((m.uid(), m.gid()), (1000, 1000));
    assert_eq!(
        fs::metadata(dir.path().join("bin/su")).unwrap().mode() & 0o7777,
        0o4755
    );
}

#[test]
fn symlinks_and_hardlinks_are_created_without_following() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .file("a", b"data")
        .hardlink("b", "a")
        .symlink("c", "/etc/passwd")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    assert_eq!(
        fs::metadata(dir.path().join("a")).unwrap().ino(),
        fs::metadata(dir.path().join("b")).unwrap().ino()
    );
    assert_eq!(
        fs::read_link(dir.path().join("c")).unwrap(),
        Path::new("/etc/passwd")
    );
}

#[test]
fn existing_file_replaced_by_symlink_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    fs::write(&victim, b"safe").unwrap();
    let bytes = Tar::new()
        .symlink("x", victim.to_str().unwrap())
        .file("x", b"pwned")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    assert_eq!(fs::read(&victim).unwrap(), b"safe");
    assert_eq!(fs::read(dir.path().join("x")).unwrap(), b"pwned");
}

#[test]
fn xattrs_from_pax_headers_are_applied() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = tar::Builder::new(Vec::new());
    b.append_pax_extensions([("SCHILY.xattr.user.test", b"v".as_slice())])
        .unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_size(1);
    h.set_mode(0o644);
    h.set_uid(0);
    h.set_gid(0);
    h.set_mtime(0);
    h.set_cksum();
    b.append_data(&mut h, "f", &b"x"[..]).unwrap();
    unpack_into(
        dir.path(),
        b.into_inner().unwrap(),
        &opts(WhiteoutFormat::Overlay),
    )
    .unwrap();
    let mut v = [0u8; 8];
    let n = rustix::fs::getxattr(dir.path().join("f"), "user.test", &mut v).unwrap();
    assert_eq!(&v[..n], b"v");
}

#[test]
fn overlay_whiteout_becomes_a_0_0_char_device_and_opaque_dirs_get_xattrs() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .file("d/.wh.gone", b"")
        .file("o/.wh..wh..opq", b"")
        .file("o/new", b"n")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    let m = fs::symlink_metadata(dir.path().join("d/gone")).unwrap();
    assert!(m.file_type().is_char_device());
    assert_eq!(m.rdev(), 0);
    assert!(!dir.path().join("d/.wh.gone").exists());
    let mut v = [0u8; 4];
    for key in OPAQUE_XATTRS {
        let n = rustix::fs::getxattr(dir.path().join("o"), *key, &mut v).unwrap();
        assert_eq!(&v[..n], b"y");
    }
    assert!(!dir.path().join("o/.wh..wh..opq").exists());
}

#[test]
fn vfs_whiteout_deletes_and_opaque_keeps_only_this_layers_entries() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("d/sub")).unwrap();
    fs::write(dir.path().join("d/sub/f"), b"x").unwrap();
    fs::write(dir.path().join("d/keep"), b"x").unwrap();
    fs::create_dir_all(dir.path().join("o")).unwrap();
    fs::write(dir.path().join("o/lower"), b"x").unwrap();
    let bytes = Tar::new()
        .file("d/.wh.sub", b"")
        .file("o/early", b"e")
        .file("o/.wh..wh..opq", b"")
        .file("o/late", b"l")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Vfs)).unwrap();
    assert!(!dir.path().join("d/sub").exists());
    assert!(dir.path().join("d/keep").exists());
    assert!(!dir.path().join("o/lower").exists());
    assert!(
        dir.path().join("o/early").exists(),
        "same-layer entry before the marker stays"
    );
    assert!(dir.path().join("o/late").exists());
}

fn refused(bytes: Vec<u8>) -> String {
    let dir = tempfile::tempdir().unwrap();
    let e = unpack_into(
        &dir.path().join("root"),
        bytes.clone(),
        &opts(WhiteoutFormat::Overlay),
    );
    assert!(e.is_err(), "root dir missing must fail too");
    let root = dir.path().join("root");
    fs::create_dir(&root).unwrap();
    let err = unpack_into(&root, bytes, &opts(WhiteoutFormat::Overlay)).unwrap_err();
    // Nothing was written next to the root.
    let siblings: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings, vec![std::ffi::OsString::from("root")]);
    err.to_string()
}

#[test]
fn dotdot_and_absolute_names_are_refused() {
    assert!(refused(Tar::new().file("../escape", b"x").bytes()).contains("climbs out"));
    assert!(refused(Tar::new().file("a/../../x", b"x").bytes()).contains("climbs out"));
    assert!(refused(
        Tar::new()
            .raw(b"/abs", tar::EntryType::Regular, 0o644, b"", b"x", 0)
            .bytes()
    )
    .contains("absolute"));
}

#[test]
fn writing_through_a_symlink_pointing_outside_is_refused() {
    let e = refused(
        Tar::new()
            .symlink("evil", "/tmp")
            .file("evil/pwned", b"x")
            .bytes(),
    );
    assert!(e.contains("\"evil/pwned\"") && e.contains("outside"), "{e}");
    let e = refused(
        Tar::new()
            .symlink("up", "../..")
            .file("up/pwned", b"x")
            .bytes(),
    );
    assert!(e.contains("outside"), "{e}");
}

#[test]
fn symlink_inside_the_layer_may_be_traversed() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = Tar::new()
        .dir("usr/lib")
        .symlink("lib", "usr/lib")
        .file("lib/x.so", b"x")
        .bytes();
    unpack_into(dir.path(), bytes, &opts(WhiteoutFormat::Overlay)).unwrap();
    assert!(dir.path().join("usr/lib/x.so").is_file());
}

#[test]
fn hardlink_to_a_target_outside_is_refused() {
    assert!(refused(Tar::new().hardlink("p", "../../etc/passwd").bytes()).contains("climbs out"));
    assert!(refused(Tar::new().hardlink("p", "/etc/passwd").bytes()).contains("absolute"));
    let e = refused(
        Tar::new()
            .symlink("l", "/etc")
            .hardlink("p", "l/passwd")
            .bytes(),
    );
    assert!(e.contains("outside"), "{e}");
}

#[test]
fn device_nodes_are_refused_when_rootless_but_fifos_are_fine() {
    let e = refused(
        Tar::new()
            .raw(b"dev/sda", tar::EntryType::Block, 0o600, b"", b"", 0)
            .bytes(),
    );
    assert!(e.contains("device node"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    unpack_into(
        dir.path(),
        Tar::new()
            .raw(b"p", tar::EntryType::Fifo, 0o600, b"", b"", 0)
            .bytes(),
        &opts(WhiteoutFormat::Overlay),
    )
    .unwrap();
    assert!(fs::symlink_metadata(dir.path().join("p"))
        .unwrap()
        .file_type()
        .is_fifo());
}

#[test]
fn copy_tree_preserves_hardlinks_symlinks_modes_and_xattrs() {
    let src = tempfile::tempdir().unwrap();
    fs::create_dir(src.path().join("d")).unwrap();
    fs::write(src.path().join("d/a"), b"a").unwrap();
    fs::hard_link(src.path().join("d/a"), src.path().join("b")).unwrap();
    std::os::unix::fs::symlink("d/a", src.path().join("s")).unwrap();
    fs::set_permissions(src.path().join("d/a"), fs::Permissions::from_mode(0o4711)).unwrap();
    rustix::fs::setxattr(
        src.path().join("d"),
        "user.overlay.opaque",
        b"y",
        rustix::fs::XattrFlags::empty(),
    )
    .unwrap();
    let dst_parent = tempfile::tempdir().unwrap();
    let dst = dst_parent.path().join("copy");
    copy_tree(src.path(), &dst).unwrap();
    assert_eq!(
        fs::metadata(dst.join("d/a")).unwrap().ino(),
        fs::metadata(dst.join("b")).unwrap().ino()
    );
    assert_eq!(fs::read_link(dst.join("s")).unwrap(), Path::new("d/a"));
    assert_eq!(
        fs::metadata(dst.join("d/a")).unwrap().mode() & 0o7777,
        0o4711
    );
    let mut v = [0u8; 4];
    assert_eq!(
        rustix::fs::getxattr(dst.join("d"), "user.overlay.opaque", &mut v).unwrap(),
        1
    );
}
