"""Minimal safetensors writer and reader (no `safetensors` package needed).

File layout:
  8 bytes   little-endian u64 N = length of the JSON header in bytes
  N bytes   UTF-8 JSON, padded with spaces so that N is a multiple of 8:
            {"__metadata__": {str: str}, "<name>": {"dtype": "F32"|"I64",
             "shape": [...], "data_offsets": [begin, end]}, ...}
  rest      raw little-endian tensor data; offsets are relative to the
            start of this section, contiguous from 0, in header order.

Keys are written with "__metadata__" first and the tensor names sorted
alphabetically (Python string order = ordinal order of the UTF-8 names).
Floating tensors are rounded to float32 (F32); integer tensors are stored
as int64 (I64).
"""

import array
import json
import os
import struct
import sys

import torch

_DTYPES = {"F32": ("f", 4, torch.float32), "I64": ("q", 8, torch.int64)}


def _dtype_name(tensor):
    if tensor.is_floating_point():
        return "F32"
    if tensor.dtype in (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8):
        return "I64"
    raise TypeError(f"unsupported dtype {tensor.dtype}")


def _to_bytes(tensor, dtype_name):
    code, _, torch_dtype = _DTYPES[dtype_name]
    values = tensor.detach().to(torch_dtype).contiguous().reshape(-1).tolist()
    data = array.array(code, values)
    if sys.byteorder != "little":
        data.byteswap()
    return data.tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Writes `tensors` (dict name -> torch.Tensor) to `path` atomically."""
    names = sorted(tensors)
    if "__metadata__" in names:
        raise ValueError("'__metadata__' is reserved")
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in sorted(metadata.items())}
    chunks = []
    offset = 0
    for name in names:
        tensor = tensors[name]
        dtype_name = _dtype_name(tensor)
        data = _to_bytes(tensor, dtype_name)
        header[name] = {
            "dtype": dtype_name,
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for chunk in chunks:
            f.write(chunk)
    os.replace(tmp, path)


def read_safetensors(path):
    """Returns (tensors, metadata, key_order) and validates the layout."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    if n % 8 != 0:
        raise ValueError(f"{path}: header length {n} is not a multiple of 8")
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    key_order = list(header)
    metadata = header.pop("__metadata__", {})
    data = blob[8 + n :]
    tensors = {}
    expected_begin = 0
    for name, info in header.items():
        code, size, torch_dtype = _DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        if begin != expected_begin or end - begin != count * size:
            raise ValueError(f"{path}: bad data_offsets for {name}")
        expected_begin = end
        values = array.array(code)
        values.frombytes(data[begin:end])
        if sys.byteorder != "little":
            values.byteswap()
        tensors[name] = torch.tensor(values.tolist(), dtype=torch_dtype).reshape(info["shape"])
    if expected_begin != len(data):
        raise ValueError(f"{path}: {len(data) - expected_begin} trailing bytes")
    return tensors, metadata, key_order


def write_and_verify(path, tensors, metadata=None):
    """Writes the file, reads it back and checks names, order, dtypes and bits."""
    write_safetensors(path, tensors, metadata)
    loaded, loaded_meta, key_order = read_safetensors(path)
    names = sorted(tensors)
    expected_order = (["__metadata__"] if metadata else []) + names
    assert key_order == expected_order, f"{path}: key order {key_order}"
    assert loaded_meta == {str(k): str(v) for k, v in (metadata or {}).items()}
    for name in names:
        original = tensors[name].detach()
        stored = loaded[name]
        expected = original.to(stored.dtype)
        assert stored.shape == original.shape, f"{path}: shape of {name}"
        assert torch.equal(stored, expected), f"{path}: data of {name}"
    print(f"wrote {path}: {len(names)} tensors, {os.path.getsize(path)} bytes")
    return loaded
