"""Datasets for the torch runtime: CSV with a header row, or a NumPy .npy array.

spec.runtime.data names the file (relative to /artha/in/data), the feature columns and the label
column: column names for CSV and for structured .npy arrays, column indices for 2-D .npy arrays.
Rows keep their file order; that order (and the seed) fixes the batches.
"""

import csv
import math
import os

import numpy as np
from artha_job import DATA_DIR, JobError, field, input_path, spec_error

FORMATS = ("csv", "npy")


class Table:
    """Feature matrix (float32, rows x features) and optional label column (float64)."""

    def __init__(self, name, features, labels):
        self.name = name
        self.features = features
        self.labels = labels

    def __len__(self):
        return self.features.shape[0]


def data_section(spec, label_required):
    runtime = field(spec, "runtime", "", "object")
    data = field(runtime, "data", "runtime", "object")
    where = "runtime.data"
    file = field(data, "file", where, "string", expected="a file name under /artha/in/data")
    fmt = field(data, "format", where, "string", default=None, check=lambda v: v in FORMATS, expected="csv or npy")
    if fmt is None:
        fmt = os.path.splitext(file)[1].lstrip(".").lower()
        if fmt not in FORMATS:
            raise spec_error(f"{where}.format", "csv or npy (the file extension does not say which)", file)
    column = (lambda v: isinstance(v, str) and v != "") if fmt == "csv" else _npy_column
    expected = "a column name" if fmt == "csv" else "a column name or index"
    features = field(
        data,
        "features",
        where,
        "list",
        check=lambda v: len(v) > 0 and all(column(c) for c in v),
        expected=f"a non-empty list, each {expected}",
    )
    if len(set(map(str, features))) != len(features):
        raise spec_error(f"{where}.features", "distinct columns", features)
    if "label" in data:
        label = data["label"]
        if not column(label):
            raise spec_error(f"{where}.label", expected, label)
    elif label_required:
        raise JobError("invalid-spec", f"spec.json: {where}.label: missing; expected {expected}")
    else:
        label = None
    return {"file": file, "format": fmt, "features": features, "label": label, "where": where}


def _npy_column(v):
    return (isinstance(v, int) and not isinstance(v, bool) and v >= 0) or (isinstance(v, str) and v != "")


def load_table(section, file_key="file"):
    rel = section[file_key]
    path = input_path(DATA_DIR, rel, f"{section['where']}.{file_key}")
    shown = f"data/{rel}"
    if not os.path.isfile(path):
        raise JobError("missing-dataset", f"dataset {shown} does not exist under /artha/in/data")
    columns = list(section["features"]) + ([section["label"]] if section["label"] is not None else [])
    if section["format"] == "csv":
        matrix = _read_csv(path, shown, columns)
    else:
        matrix = _read_npy(path, shown, columns)
    if matrix.shape[0] == 0:
        raise JobError("empty-dataset", f"dataset {shown} has no rows")
    n = len(section["features"])
    features = matrix[:, :n].astype(np.float32)
    labels = matrix[:, n] if section["label"] is not None else None
    return Table(shown, features, labels)


def _read_csv(path, shown, columns):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            raise JobError("empty-dataset", f"dataset {shown} is empty (expected a header row)")
        except (UnicodeDecodeError, csv.Error) as e:
            raise JobError("invalid-dataset", f"dataset {shown}: cannot read the header row: {e}")
        header = [h.strip() for h in header]
        index = {}
        for c in columns:
            if c not in header:
                raise JobError(
                    "unknown-column", f'dataset {shown} has no column "{c}" (its columns: {", ".join(header)})'
                )
            index[c] = header.index(c)
        rows = []
        try:
            for line, row in enumerate(reader, start=2):
                if not row:
                    continue
                if len(row) != len(header):
                    raise JobError(
                        "invalid-dataset", f"dataset {shown} line {line}: {len(row)} cells, the header has {len(header)}"
                    )
                values = []
                for c in columns:
                    cell = row[index[c]].strip()
                    try:
                        v = float(cell)
                    except ValueError:
                        v = math.nan
                    if not math.isfinite(v):
                        raise JobError(
                            "invalid-dataset", f'dataset {shown} line {line} column "{c}": "{cell}" is not a finite number'
                        )
                    values.append(v)
                rows.append(values)
        except (UnicodeDecodeError, csv.Error) as e:
            raise JobError("invalid-dataset", f"dataset {shown} line {reader.line_num}: {e}")
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(columns))


def _read_npy(path, shown, columns):
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as e:
        raise JobError("invalid-dataset", f"dataset {shown} is not a readable .npy array: {e}")
    names = array.dtype.names
    if names:  # structured array: columns by name
        for c in columns:
            if c not in names:
                raise JobError(
                    "unknown-column", f'dataset {shown} has no column "{c}" (its columns: {", ".join(names)})'
                )
        try:
            matrix = np.stack([array[c].astype(np.float64) for c in columns], axis=1)
        except (TypeError, ValueError) as e:
            raise JobError("invalid-dataset", f"dataset {shown}: columns are not numeric: {e}")
    else:
        if array.ndim != 2:
            raise JobError("invalid-dataset", f"dataset {shown}: expected a 2-D array, got shape {list(array.shape)}")
        if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
            raise JobError("invalid-dataset", f"dataset {shown}: expected a real numeric array, got dtype {array.dtype}")
        for c in columns:
            if not isinstance(c, int) or c >= array.shape[1]:
                raise JobError(
                    "unknown-column",
                    f"dataset {shown} has no column {json_name(c)} (a 2-D array is indexed by column number, "
                    f"0 to {array.shape[1] - 1})",
                )
        matrix = array[:, columns].astype(np.float64)
    bad = np.argwhere(~np.isfinite(matrix))
    if bad.size:
        row, col = bad[0]
        raise JobError(
            "invalid-dataset", f"dataset {shown} row {row} column {json_name(columns[col])}: value is not a finite number"
        )
    return matrix


def json_name(c):
    return f'"{c}"' if isinstance(c, str) else str(c)


def class_labels(table, classes):
    """Labels as class indices in [0, classes), or a JobError naming the first bad row."""
    labels = table.labels
    bad = np.argwhere((labels != np.round(labels)) | (labels < 0) | (labels >= classes))
    if bad.size:
        row = int(bad[0][0])
        raise JobError(
            "invalid-dataset",
            f"dataset {table.name} row {row}: label {labels[row]:g} is not a class index in [0, {classes})",
        )
    return labels.astype(np.int64)
