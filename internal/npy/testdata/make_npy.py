"""Writes the .npy files the npy package tests read, with numpy's own np.save.

    python3 make_npy.py

The values are small integers and halves so that float32 holds them exactly and the tests can compare
without a tolerance.
"""

import numpy as np

f4 = np.arange(6, dtype="<f4").reshape(2, 3) / 2 - 1  # [[-1, -0.5, 0], [0.5, 1, 1.5]]

files = {
    "f4_2x3.npy": f4,
    "f4_1d.npy": np.array([1.5, -2, 3], dtype="<f4"),
    "f4_scalar.npy": np.float32(7.5),
    "f4_0x3.npy": np.zeros((0, 3), dtype="<f4"),
    "f4_2x3x2.npy": np.arange(12, dtype="<f4").reshape(2, 3, 2),
    "f4_nan.npy": np.array([np.nan, 1, np.inf], dtype="<f4"),
    "f4_big_endian.npy": f4.astype(">f4"),
    "f8_2x3.npy": f4.astype("<f8"),
    "f8_overflow.npy": np.array([1.0, 1e300], dtype="<f8"),
    "i8_2x3.npy": np.arange(6, dtype="<i8").reshape(2, 3),
    "f4_fortran.npy": np.asfortranarray(f4),
}

for name, array in files.items():
    np.save(name, array)

# A float32 file cut in the middle of its data, as an interrupted copy leaves it.
with open("f4_2x3.npy", "rb") as f:
    whole = f.read()
with open("f4_truncated.npy", "wb") as f:
    f.write(whole[:-5])
# The same file with bytes after the data.
with open("f4_trailing.npy", "wb") as f:
    f.write(whole + b"\0\0\0\0")
