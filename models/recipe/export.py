"""The ONNX export of the embedding branch, with edge's metadata_props
(models/METADATA.md)."""

import torch


def export(net, name, cfg, path, meta, parity_in):
    """ONNX of the embedding branch alone, with edge.* metadata_props."""
    import onnx
    net.eval()
    with torch.no_grad():
        dummy = torch.zeros(1, 1, cfg["height"], cfg["width"])
        torch.onnx.export(net, dummy, path, opset_version=13, input_names=["input"], output_names=["embedding"],
                          dynamic_axes={"input": {0: "batch"}, "embedding": {0: "batch"}},
                          do_constant_folding=True)
        want = net(parity_in).numpy()
    m = onnx.load(path)
    del m.metadata_props[:]
    for k in sorted(meta):
        p = m.metadata_props.add()
        p.key, p.value = k, str(meta[k])
    m.doc_string = "edge twin network %s: embedding branch, contrastive loss (models/recipe)" % name
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return want


def metadata(name, cfg, net, threshold, version):
    return {
        "edge.name": name,
        "edge.version": version,
        "edge.input_channels": 1,
        "edge.input_height": cfg["height"],
        "edge.input_width": cfg["width"],
        "edge.pixel_mean": cfg["pixel_mean"],
        "edge.pixel_std": cfg["pixel_std"],
        "edge.invert": cfg["invert"],
        "edge.crop": cfg["crop"],
        "edge.crop_margin": cfg["crop_margin"],
        "edge.roi": cfg["roi"],
        "edge.resize": cfg["resize"],
        "edge.embedding_size": net.size,
        "edge.normalized": int(cfg["arch"]["normalize"]),
        "edge.margin": cfg["margin"],
        "edge.threshold": "%.4f" % threshold,
        "edge.threshold_far": cfg["far"],
        "edge.trained_on": cfg["trained_on"],
    }
