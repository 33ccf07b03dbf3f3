#!/usr/bin/env python3
"""Convert a published PyTorch checkpoint (.pth state dict) of ESVAE, FSVAE, the ANN VAE or the spiking
autoencoder into a spikevae checkpoint.

Usage: python3 tools/convert_reference_checkpoint.py IN.pth OUT[.safetensors]

Needs only Python 3 and PyTorch (to unpickle the .pth). Writes OUT.safetensors (float32 weights under the
published names) and OUT.json (a small sidecar with the model type and configuration), which
`spikevae eval|encode|decode|sample --checkpoint OUT.safetensors` accept.

The model type is read off the keys (the same rules as each type's ReferenceKeys in spikevae's model registry):
- esvae: encoder.0.weight, before_latent_layer.weight and sample_layer.0.weight;
- fsvae: encoder.0.weight with prior.layers.* and posterior.layers.* and no sample_layer;
- ann-vae: encoder.0.0.weight, fc_mu.weight and fc_var.weight;
- spiking-ae: encoder.0.weight and before_latent_layer.weight with none of the above.

What changes on the way (docs/reference.md §13):
- Conv3d weights (out, in, k, k, 1) and ConvTranspose3d weights (in, out, k, k, 1) lose the time axis of 1;
- membrane_output_layer.coef (1, 1, 1, 1, T) becomes (T,);
- num_batches_tracked (an int64 scalar) becomes float32 (1,);
- ESVAE only: prior.* and posterior.* (FSVAE nets that ESVAE builds but never uses) are dropped; FSVAE keeps them;
- a "module." prefix (DataParallel) is stripped; a dict holding the state dict under "state_dict",
  "model" or "network" is unwrapped.
"""
import json
import os
import struct
import sys

import torch

FORMAT_VERSION = 1


def load_state_dict(path):
    try:
        obj = torch.load(path, map_location="cpu")
    except FileNotFoundError:
        raise SystemExit(f"{path}: no such file")
    except Exception as e:  # a truncated or foreign file: torch raises many kinds of errors
        raise SystemExit(f"{path}: not a readable PyTorch checkpoint ({type(e).__name__}: {e})")
    if isinstance(obj, dict):
        for key in ("state_dict", "model", "network"):
            if key in obj and isinstance(obj[key], dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not all(torch.is_tensor(v) for v in obj.values()):
        raise SystemExit(f"{path}: not a state dict of tensors (got {type(obj).__name__})")
    return obj


def model_type(keys):
    if "encoder.0.0.weight" in keys and "fc_mu.weight" in keys and "fc_var.weight" in keys:
        return "ann-vae"
    if "encoder.0.weight" in keys and "before_latent_layer.weight" in keys:
        if "sample_layer.0.weight" in keys:
            return "esvae"
        if "prior.layers.0.weight" in keys and "posterior.layers.0.weight" in keys:
            return "fsvae"
        return "spiking-ae"
    raise SystemExit("not a state dict of ESVAE, FSVAE, the ANN VAE or the spiking autoencoder: found "
                     + ", ".join(list(keys)[:4]) + (", ..." if len(keys) > 4 else ""))


def convert(state):
    state = {(k[len("module."):] if k.startswith("module.") else k): v for k, v in state.items()}
    kind = model_type(state.keys())
    out = {}
    for name, t in state.items():
        if kind == "esvae" and (name.startswith("prior.") or name.startswith("posterior.")):
            continue
        t = t.detach().to(torch.float32)
        if name.endswith("num_batches_tracked"):
            t = t.reshape(1)
        elif name == "membrane_output_layer.coef":
            t = t.reshape(-1)
        elif t.dim() == 5:
            if t.shape[-1] != 1:
                raise SystemExit(f"{name}: expected a time axis of 1 at the end, got shape {tuple(t.shape)}")
            t = t[..., 0]
        out[name] = t.contiguous()
    if kind != "ann-vae" and "membrane_output_layer.coef" not in out:
        raise SystemExit(f"not a {kind} state dict: 'membrane_output_layer.coef' is missing")
    return kind, out


def model_config(kind, tensors):
    if kind == "ann-vae":
        return {
            "in_channels": int(tensors["encoder.0.0.weight"].shape[1]),
            "image_size": 64 if "encoder.4.0.weight" in tensors else 32,
            "latent": int(tensors["fc_mu.weight"].shape[0]),
        }
    config = {
        "in_channels": int(tensors["encoder.0.weight"].shape[1]),
        "image_size": 64 if "encoder.4.weight" in tensors else 32,
        "latent": int(tensors["before_latent_layer.weight"].shape[0]),
        "timesteps": int(tensors["membrane_output_layer.coef"].numel()),
    }
    if kind == "fsvae":
        config["k"] = int(tensors["posterior.layers.2.weight"].shape[0]) // config["latent"]
    return config


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * (-len(raw) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main(argv):
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) == 2 and argv[1] in ("-h", "--help") else 2
    src, out = argv[1], argv[2]
    if out.endswith(".safetensors"):
        out = out[: -len(".safetensors")]
    kind, tensors = convert(load_state_dict(src))
    config = model_config(kind, tensors)
    meta = {"format": "spikevae", "format_version": str(FORMAT_VERSION), "model": kind,
            "converted_from": os.path.basename(src)}
    write_safetensors(out + ".safetensors", tensors, meta)
    sidecar = {"format_version": FORMAT_VERSION, "model": kind, "model_config": config,
               "weights": os.path.basename(out) + ".safetensors", "converted_from": os.path.basename(src)}
    with open(out + ".json.tmp", "w") as f:
        json.dump(sidecar, f, indent=2)
    os.replace(out + ".json.tmp", out + ".json")
    n = sum(t.numel() for t in tensors.values())
    print(f"wrote {out}.safetensors ({len(tensors)} tensors, {n:,} values) and {out}.json: {config}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
