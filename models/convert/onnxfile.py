"""What edge's converters share: reading TFJS weight shards, KEY=VALUE
metadata from the command line, and writing the ONNX file atomically with
its size and SHA-256."""

import hashlib
import os

import numpy as np


class ConvertError(Exception):
    """A model the converters cannot translate faithfully."""


def read_weights(folder, manifest, decode):
    """The weights of a TFJS weightsManifest (shards in folder), by name.

    decode(w) says how weight entry w is stored: (numpy dtype, convert),
    convert mapping the stored array to the one returned (None: as stored),
    or raises ConvertError for a dtype or quantisation the converter does
    not take.
    """
    out = {}
    for group in manifest:
        data = b""
        for p in group["paths"]:
            if os.path.basename(p) != p:
                raise ConvertError(f"weight shard path {p!r} leaves the model folder")
            with open(os.path.join(folder, p), "rb") as f:
                data += f.read()
        off = 0
        for w in group["weights"]:
            shape = [int(d) for d in w["shape"]]
            n = int(np.prod(shape, dtype=np.int64)) if shape else 1
            dt, convert = decode(w)
            size = n * dt.itemsize
            if off + size > len(data):
                raise ConvertError(f"weight {w['name']}: shard ends at {len(data)} bytes, needs {off + size}")
            a = np.frombuffer(data, dtype=dt, count=n, offset=off)
            out[w["name"]] = (convert(a) if convert else a).reshape(shape)
            off += size
        if off != len(data):
            raise ConvertError(f"weight shards hold {len(data)} bytes, the manifest {off}")
    return out


def parse_meta(ap, pairs, meta=None):
    """The KEY=VALUE pairs as a dict (added to meta); a pair without "=" is
    a usage error of ap (an argparse.ArgumentParser)."""
    meta = {} if meta is None else meta
    for kv in pairs:
        k, sep, v = kv.partition("=")
        if not sep:
            ap.error(f"--meta {kv!r} is not KEY=VALUE")
        meta[k] = v
    return meta


def write_model(model, out):
    """Serialise model to out through a temporary file beside it, and say
    its size and SHA-256."""
    data = model.SerializeToString()
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, out)
    print(f"{out}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
