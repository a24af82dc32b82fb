#!/usr/bin/env python3
"""Regenerates the .npy fixtures of NPYTests.swift (run from anywhere: python3 make_fixtures.py).

Good files hold values v(i) = i * 0.25 - 1.5 for the C-order flat index i, so the tests can
compute them; every good file is checked here to load with numpy.load. Bad files are
handcrafted and each must make NPY.decode throw a specific NPYError.
"""
import io
import os
import struct

import numpy as np
from numpy.lib import format as npf

HERE = os.path.dirname(os.path.abspath(__file__))


def values(shape, dtype):
    n = int(np.prod(shape, dtype=np.int64))
    return (np.arange(n, dtype=np.float64) * 0.25 - 1.5).astype(dtype).reshape(shape)


def save_bytes(array, version=None):
    buf = io.BytesIO()
    npf.write_array(buf, array, version=version, allow_pickle=True)
    return buf.getvalue()


def raw(header, data=b"", version=(1, 0), pad=True, length=None):
    """A file with `header` (str) as given; padded like numpy unless pad=False."""
    h = header.encode("utf-8" if version == (3, 0) else "latin-1") if isinstance(header, str) else header
    pre = 10 if version == (1, 0) else 12
    if pad:
        h = h + b"\n"
        h = h[:-1] + b" " * ((-(pre + len(h))) % 64) + b"\n"
    n = len(h) if length is None else length
    fmt = "<H" if version == (1, 0) else "<I"
    return b"\x93NUMPY" + bytes(version) + struct.pack(fmt, n) + h + data


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def good(name, data, expect_shape, expect_dtype):
    write(name, data)
    a = np.load(os.path.join(HERE, name))
    assert a.shape == expect_shape, (name, a.shape)
    assert a.dtype == np.dtype(expect_dtype), (name, a.dtype)
    assert np.array_equal(a, values(expect_shape, np.float64)), name


# --- accepted variants --------------------------------------------------------------
good("v1_le_f8_2x3.npy", save_bytes(values((2, 3), "<f8")), (2, 3), "<f8")
good("v1_le_f4_5.npy", save_bytes(values((5,), "<f4")), (5,), "<f4")
good("v1_be_f4_3x4.npy", save_bytes(values((3, 4), ">f4")), (3, 4), ">f4")
good("v1_be_f8_2x2.npy", save_bytes(values((2, 2), ">f8")), (2, 2), ">f8")
good("v1_fortran_f8_2x3x4.npy", save_bytes(np.asfortranarray(values((2, 3, 4), "<f8"))), (2, 3, 4), "<f8")
good("v1_fortran_be_f4_2x3x1x2.npy", save_bytes(np.asfortranarray(values((2, 3, 1, 2), ">f4"))), (2, 3, 1, 2), ">f4")
good("v1_0d_f8.npy", save_bytes(values((), "<f8")), (), "<f8")
good("v1_1elem_f4.npy", save_bytes(values((1,), "<f4")), (1,), "<f4")
good("v1_empty_f8_2x0.npy", save_bytes(values((2, 0), "<f8")), (2, 0), "<f8")
good("v2_le_f8_3.npy", save_bytes(values((3,), "<f8"), version=(2, 0)), (3,), "<f8")
good("v3_le_f4_2x2.npy", save_bytes(values((2, 2), "<f4"), version=(3, 0)), (2, 2), "<f4")
# A version 3.0 (utf-8) header with the keys reordered, double quotes, tabs, no trailing comma.
good("v3_handmade_f8_2x3.npy",
     raw('{"shape": (2,3),\t"fortran_order": False, "descr": "<f8"}', values((2, 3), "<f8").tobytes(), (3, 0)),
     (2, 3), "<f8")
# A 1.0 header with a 1-tuple written without spaces and a trailing comma in the dict.
good("v1_handmade_f4_4.npy",
     raw("{'descr':'<f4','fortran_order':False,'shape':(4,),}", values((4,), "<f4").tobytes()),
     (4,), "<f4")

# Byte-identical targets for NPY.encode (np.save itself).
np.save(os.path.join(HERE, "save_f8_2x3x4x5.npy"), values((2, 3, 4, 5), "<f8"))
np.save(os.path.join(HERE, "save_f4_1x2x1x3.npy"), values((1, 2, 1, 3), "<f4"))
np.save(os.path.join(HERE, "save_f8_0d.npy"), values((), "<f8"))
np.save(os.path.join(HERE, "save_f4_7.npy"), values((7,), "<f4"))
# 1234567890123 has 13 digits: checks the growth-axis spare space.
np.save(os.path.join(HERE, "save_f8_0x1234567890123.npy"), np.zeros((0, 1234567890123), "<f8"))

# --- integer and boolean arrays (int/): read exactly (SPEC §6) ------------------------------
# int/<kind><size>_<order>.npy holds 2x3 values w(i) = (-1)^i * 3i (unsigned: 3i; bool: i % 3 == 0).
INT = os.path.join(HERE, "int")
os.makedirs(INT, exist_ok=True)
for kind in "iu":
    for size in (1, 2, 4, 8):
        for order in ("<", ">") if size > 1 else ("|",):
            descr = f"{order}{kind}{size}"
            w = np.arange(6) * 3 * (np.array([1, -1] * 3) if kind == "i" else 1)
            name = f"{kind}{size}_{'le' if order == '<' else 'be' if order == '>' else 'na'}.npy"
            with open(os.path.join(INT, name), "wb") as f:
                f.write(save_bytes(w.astype(descr).reshape(2, 3)))
with open(os.path.join(INT, "b1_na.npy"), "wb") as f:
    f.write(save_bytes((np.arange(6) % 3 == 0).reshape(2, 3)))
# Past 2^24 at index [1, 0] (2^24 + 2 is a float32 and is refused all the same); in Fortran
# order too, so the index given is the C-order one.
big = np.array([[0, 1, 2], [2**24 + 2, 4, 5]])
for name, array in [("i4_past_2p24.npy", big.astype("<i4")), ("i8_be_past_2p24_fortran.npy", np.asfortranarray(big.astype(">i8"))),
                    ("i8_past_2p53.npy", np.array([2**53, -(2**53) - 1], "<i8")), ("u8_max.npy", np.array([2**64 - 1], "<u8")),
                    ("i4_labels_5.npy", np.array([0, 2, 1, 1, 0], "<i4"))]:
    with open(os.path.join(INT, name), "wb") as f:
        f.write(save_bytes(array))

# --- refused files --------------------------------------------------------------------
ok = save_bytes(values((2, 3), "<f8"))
hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }"
write("bad_empty.npy", b"")
write("bad_magic.npy", b"\x93NUMPZ" + ok[6:])
write("bad_text.npy", b"descr,shape\n<f8,2\n")
write("bad_version.npy", b"\x93NUMPY\x04\x00" + ok[8:])
write("bad_short_preamble.npy", ok[:7])
write("bad_truncated_header.npy", ok[:40])
write("bad_header_length_absurd.npy", raw(hdr, b"", (2, 0), length=0xFFFFFFFF))
write("bad_truncated_data.npy", ok[:-3])
write("bad_extra_data.npy", ok + b"\0" * 8)
write("bad_dtype_c16.npy", save_bytes(np.arange(3, dtype="<c16")))
write("bad_dtype_f2.npy", save_bytes(np.arange(3, dtype="<f2")))
write("bad_dtype_object.npy", save_bytes(np.array([1, "a"], dtype=object)))
write("bad_dtype_structured.npy", save_bytes(np.zeros(2, dtype=[("a", "<f4"), ("b", "<f8")])))
write("bad_dtype_long.npy", raw("{'descr': '<f8 and a very long descriptor', 'fortran_order': False, 'shape': (), }", b"\0" * 8))
write("bad_shape_negative.npy", raw("{'descr': '<f8', 'fortran_order': False, 'shape': (-1, 3), }"))
write("bad_shape_overflow.npy", raw("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }" % (2**62, 2**62)))
write("bad_shape_huge.npy", raw("{'descr': '<f8', 'fortran_order': False, 'shape': (%d,), }" % 2**40))
write("bad_shape_bigint.npy", raw("{'descr': '<f8', 'fortran_order': False, 'shape': (%d,), }" % 2**70))
write("bad_shape_float.npy", raw("{'descr': '<f8', 'fortran_order': False, 'shape': (2.0, 3), }"))
write("bad_shape_list.npy", raw("{'descr': '<f8', 'fortran_order': False, 'shape': [2, 3], }"))
write("bad_shape_int.npy", raw("{'descr': '<f8', 'fortran_order': False, 'shape': (6), }"))
write("bad_missing_key.npy", raw("{'descr': '<f8', 'shape': (2, 3), }", ok[64:]))
write("bad_extra_key.npy", raw("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), 'x': 1, }", ok[64:]))
write("bad_duplicate_key.npy", raw("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", ok[64:]))
write("bad_fortran_int.npy", raw("{'descr': '<f8', 'fortran_order': 0, 'shape': (2, 3), }", ok[64:]))
write("bad_syntax.npy", raw("{'descr': '<f8' 'fortran_order': False, 'shape': (2, 3), }", ok[64:]))
write("bad_not_dict.npy", raw("('<f8', False, (2, 3))", ok[64:]))
write("bad_trailing.npy", raw("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), } x", ok[64:]))
write("bad_v3_not_utf8.npy", raw(b"{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }\xff", ok[64:], (3, 0)))
write("bad_empty_header.npy", raw("", b"", pad=False))

# Every bad file is refused by numpy too, except the valid numpy files ConvGraph does not
# accept (other dtypes) and two that ConvGraph is stricter about than numpy: a repeated key
# (Python's dict literal lets the last win) and bytes after the data (np.load ignores them).
STRICTER = {"bad_duplicate_key.npy", "bad_extra_data.npy"}
for name in sorted(os.listdir(HERE)):
    if name.startswith("bad_") and os.path.isfile(os.path.join(HERE, name)) and not name.startswith("bad_dtype_") and name not in STRICTER:
        try:
            np.load(os.path.join(HERE, name), allow_pickle=False)
        except Exception:
            pass
        else:
            raise AssertionError(f"numpy loads {name}")
print("fixtures written to", HERE)
