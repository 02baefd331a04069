"""What edge's converters share: KEY=VALUE metadata from the command line,
and writing the ONNX file atomically with its size and SHA-256."""

import hashlib
import os


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
