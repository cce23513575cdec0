"""Compares the pixels of DICOM files as pydicom decodes them (the reference decoder of the tests).

stdin: a JSON list of {"ref": path, "ours": path}; stdout: a JSON list, per pair, of
{"ok": bool, "max": largest absolute difference, "shape": [...], "error": text}. A YBR_FULL /
YBR_FULL_422 reference compared with an RGB file is converted to RGB with pydicom first.
"""
import json
import sys
import warnings

warnings.simplefilter('ignore')
import numpy as np  # noqa: E402
import pydicom  # noqa: E402
from pydicom.pixel_data_handlers.util import convert_color_space  # noqa: E402


def pixels(path):
    ds = pydicom.dcmread(path)
    return ds, ds.pixel_array


def compare(pair):
    try:
        ref_ds, ref = pixels(pair['ref'])
        our_ds, ours = pixels(pair['ours'])
        ref_pi = str(ref_ds.get('PhotometricInterpretation', '')).strip()
        our_pi = str(our_ds.get('PhotometricInterpretation', '')).strip()
        if ref_pi in ('YBR_FULL', 'YBR_FULL_422') and our_pi == 'RGB':
            ref = convert_color_space(ref, 'YBR_FULL', 'RGB')
        if ref.shape != ours.shape:
            return {'ok': False, 'error': 'shape %s differs from %s' % (list(ours.shape), list(ref.shape))}
        diff = np.abs(ref.astype(np.int64) - ours.astype(np.int64))
        return {'ok': True, 'max': int(diff.max()) if diff.size else 0, 'shape': list(ref.shape)}
    except Exception as e:  # noqa: BLE001 - reported to the test
        return {'ok': False, 'error': '%s: %s' % (type(e).__name__, str(e).splitlines()[0] if str(e) else '')}


print(json.dumps([compare(p) for p in json.load(sys.stdin)]))
