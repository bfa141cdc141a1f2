#!/usr/bin/env python3
"""Push an OCI image made of already-compressed layer tarballs to a registry over plain HTTP.

usage: push_image.py REGISTRY REPO:TAG CONFIG_JSON_OUT LAYER.tar.gz [LAYER.tar.gz ...]

The config's diff_ids are the sha256 of each layer's uncompressed stream. Used by the
benchmarks to publish debootstrap-built images to a loopback docker-registry without any
container tool involved.
"""
import gzip
import hashlib
import http.client
import json
import sys
import time


def sha256_file(path, opener=open):
    h = hashlib.sha256()
    with opener(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def request(conn, method, url, body=None, headers=None):
    conn.request(method, url, body=body, headers=headers or {})
    resp = conn.getresponse()
    data = resp.read()
    if resp.status >= 300:
        raise SystemExit(f"{method} {url}: {resp.status} {data[:200]!r}")
    return resp


def upload(conn, repo, data, digest):
    head = conn.request("HEAD", f"/v2/{repo}/blobs/{digest}")
    r = conn.getresponse()
    r.read()
    if r.status == 200:
        return
    loc = request(conn, "POST", f"/v2/{repo}/blobs/uploads/").getheader("Location")
    path = loc.split("://", 1)[-1]
    path = path[path.index("/"):] if "://" in loc else loc
    sep = "&" if "?" in path else "?"
    request(conn, "PUT", f"{path}{sep}digest={digest}", body=data,
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(len(data))})


def main():
    registry, ref, config_out, *layers = sys.argv[1:]
    repo, tag = ref.rsplit(":", 1)
    conn = http.client.HTTPConnection(registry, timeout=600)
    descs, diff_ids = [], []
    for layer in layers:
        data = open(layer, "rb").read()
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        diff_ids.append(sha256_file(layer, gzip.open))
        upload(conn, repo, data, digest)
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                      "digest": digest, "size": len(data)})
    config = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "architecture": "amd64", "os": "linux",
        "config": {"Cmd": ["/bin/bash"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": f"benches: layer {i}"} for i in range(len(layers))],
    }
    cbytes = json.dumps(config).encode()
    cdigest = "sha256:" + hashlib.sha256(cbytes).hexdigest()
    upload(conn, repo, cbytes, cdigest)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cdigest,
                           "size": len(cbytes)},
                "layers": descs}
    request(conn, "PUT", f"/v2/{repo}/manifests/{tag}", body=json.dumps(manifest).encode(),
            headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    with open(config_out, "w") as f:
        json.dump({"layers": [d["digest"] for d in descs]}, f)


if __name__ == "__main__":
    main()
