"""rensa against datasketch: time per MinHash signature and Jaccard estimation error.

Used by ``benchmarks/dedup_quality.py``; the figures justify ``transforms/dedup/minhash.py``'s
choice of rensa. Both libraries are seeded permutation MinHash, so the question is speed (and
determinism across processes), not quality; the error check confirms that.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from akhbar.transforms.dedup.minhash import MinhashConfig, shingles


def signature_speed(texts: list[str], config: MinhashConfig) -> dict[str, Any]:
    """ms per 128-permutation signature of the same shingle sets, one core, shingling excluded."""
    import numpy as np
    from datasketch import MinHash
    from rensa import RMinHash

    sets = [sorted(shingles(t, config)) for t in texts]
    sets = [s for s in sets if s]
    encoded = [[x.encode("utf-8") for x in s] for s in sets]
    timings: dict[str, float] = {}

    start = time.perf_counter()
    rensa_sigs = []
    for s in sets:
        mh = RMinHash(num_perm=config.num_perm, seed=config.seed)
        mh.update(s)
        rensa_sigs.append(np.array(mh.digest(), dtype=np.uint64))
    timings["rensa RMinHash"] = time.perf_counter() - start

    start = time.perf_counter()
    RMinHash.digest_matrix_from_token_sets(sets, config.num_perm, config.seed)
    timings["rensa digest_matrix (bulk)"] = time.perf_counter() - start

    template = MinHash(num_perm=config.num_perm, seed=config.seed)
    start = time.perf_counter()
    ds_sigs = []
    for e in encoded:
        mh = MinHash(
            num_perm=config.num_perm,
            seed=config.seed,
            permutations=template.permutations,
            scheme=template.scheme,
        )
        mh.update_batch(e)
        ds_sigs.append(mh.hashvalues)
    timings["datasketch MinHash.update_batch (shared permutations)"] = time.perf_counter() - start

    start = time.perf_counter()
    for e in encoded[:1000]:
        mh = MinHash(num_perm=config.num_perm, seed=config.seed)
        mh.update_batch(e)
    naive = (time.perf_counter() - start) / min(1000, len(encoded)) * len(encoded)
    timings["datasketch MinHash.update_batch (new permutations each)"] = naive

    return {
        "documents": len(sets),
        "ms_per_signature": {k: round(v / len(sets) * 1000, 4) for k, v in timings.items()},
    }


def estimator_error(pairs: list[tuple[str, str]], config: MinhashConfig) -> dict[str, float]:
    """Mean |estimated - exact| Jaccard of both libraries on near-duplicate pairs (J 0.3-1)."""
    import numpy as np
    from datasketch import MinHash
    from rensa import RMinHash

    errors: dict[str, list[float]] = {"rensa": [], "datasketch": []}
    for a_text, b_text in pairs:
        a, b = shingles(a_text, config), shingles(b_text, config)
        if not a or not b:
            continue
        exact = len(a & b) / len(a | b)
        r = []
        d = []
        for s in (a, b):
            mh = RMinHash(num_perm=config.num_perm, seed=config.seed)
            mh.update(sorted(s))
            r.append(np.array(mh.digest()))
            ds = MinHash(num_perm=config.num_perm, seed=config.seed)
            ds.update_batch([x.encode("utf-8") for x in s])
            d.append(ds.hashvalues)
        errors["rensa"].append(abs(float(np.mean(r[0] == r[1])) - exact))
        errors["datasketch"].append(abs(float(np.mean(d[0] == d[1])) - exact))
    return {k: round(statistics.mean(v), 4) for k, v in errors.items()}
