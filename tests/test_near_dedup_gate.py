"""Quality gate for near-duplicate detection (like trafilatura's evaluation gate).

A reduced but real run of ``benchmarks/dedup_quality.py``: 120 real ANT stories in groups of
same-category, same-week hard negatives, each republished with every perturbation, through the
real prepare step and ``ExactDedupGroups | NearDedup`` on FnApiRunner. The floors are the
issue's targets and are pinned: lower them only with a written reason, never to make a change
pass. The full set's figures are in ``benchmarks/results/dedup_quality.md``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from akhbar.seeds.ant import read_ant_docs
from akhbar.transforms.dedup.minhash import DEFAULT_MINHASH
from benchmarks.dedup_eval import Evaluation, evaluate, prepare, run_beam, run_plain
from benchmarks.syndication import PERTURBATIONS, build_set

PRECISION_FLOOR = 0.98
RECALL_FLOOR = 0.95
# Per perturbation, the share of copies put in their original's story. The reworded lead is the
# hardest (short articles whose first sentence is rewritten, a sixth of its words dropped and
# its clauses swapped): 0.825 on this subset at the default threshold 0.7, 0.91 on the full set.
COPY_RECALL_FLOOR = 0.80
STORIES = 120


@pytest.fixture(scope="module")
def labelled(shared_data: Path):
    items, info = build_set(read_ant_docs(), stories=STORIES, seed=11)
    return items, info


@pytest.fixture(scope="module")
def beam_evaluation(labelled) -> tuple[Evaluation, dict[str, str]]:
    items, _ = labelled
    run = run_beam(prepare(items), DEFAULT_MINHASH)
    return evaluate(items, run.clusters), run.clusters


def test_the_set_is_real_and_hard(labelled) -> None:
    items, info = labelled
    assert info.stories == STORIES
    assert len(items) == STORIES * (1 + len(PERTURBATIONS))
    assert {it.perturbation for it in items} == {"original", *PERTURBATIONS}
    assert info.groups <= STORIES // 2  # stories come in same-week, same-category groups


def test_precision_recall_floors(beam_evaluation) -> None:
    evaluation, _ = beam_evaluation
    assert evaluation.overall.precision >= PRECISION_FLOOR, evaluation.overall
    assert evaluation.overall.recall >= RECALL_FLOOR, evaluation.overall
    for p, share in evaluation.copy_recall.items():
        assert share >= COPY_RECALL_FLOOR, (p, share)


def test_no_hard_negative_is_merged(beam_evaluation) -> None:
    evaluation, _ = beam_evaluation
    assert evaluation.hard_negative_pairs > 2000  # the gate has something to fail on
    assert evaluation.hard_negatives_merged == 0, evaluation.merged_examples


def test_plain_functions_agree_with_the_pipeline(labelled, beam_evaluation) -> None:
    items, _ = labelled
    _, beam_clusters = beam_evaluation
    assert run_plain(prepare(items), DEFAULT_MINHASH).clusters == beam_clusters


def test_normalization_carries_a_large_share_of_recall(labelled, beam_evaluation) -> None:
    """Without Arabic normalization the same set loses most Egyptian-spelling and diacritized
    copies: the benchmark is not one that any shingling would pass."""
    items, _ = labelled
    evaluation, _ = beam_evaluation
    off = evaluate(items, run_plain(prepare(items, normalize=False), DEFAULT_MINHASH).clusters)
    assert off.overall.recall < evaluation.overall.recall - 0.3
    assert off.copy_recall["egyptian"] < 0.5 and off.copy_recall["diacritics"] < 0.5


# --- issue 20: judged real-news pairs, per class (benchmarks/pairs/dedup_pairs.tsv) ------------
# The pairs' items through ExactDedupGroups | NearDedup on FnApiRunner. Floors are pinned: raise
# them as the code improves, never lower them to let a change pass. Where the target is
# met the floor is the target; where it is not (rewrite recall 0.90,
# no follow-up filed as a duplicate), the floor is today's measured level, and the gap is in
# benchmarks/results/dedup_pairs.md. Round 2 (410 pairs, two syndicated pairs relabelled as the
# follow-ups their notes describe) measured syndicated 26 of 28 (0.929), rewrite 3 of 20.
# Round 3 (432 pairs: 22 more from an exhaustive overlap search of ANT) measured syndicated 29 of
# 29 (the target is the floor now), rewrite 4 of 22 (0.18), 2 of 70 follow-ups filed as duplicates.
PAIR_RECALL_FLOORS = {"syndicated": 0.95, "rewrite": 0.18, "cutdown": 0.90}
PAIR_PRECISION_FLOORS = {"syndicated": 0.98, "rewrite": 0.98, "cutdown": 0.98}
PAIR_MAX_MERGES = {"template": 0, "shared_block": 0, "related": 1, "followup": 2}
JUDGED_PAIRS_FLOOR = 432


@pytest.fixture(scope="module")
def pair_report(shared_data: Path):
    from benchmarks.dedup_eval import NOW
    from benchmarks.dedup_pairs import evaluate_pairs

    return evaluate_pairs(DEFAULT_MINHASH, NOW, beam=True).report


@pytest.mark.slow
def test_judged_pairs_per_class_floors(pair_report) -> None:
    for cls, floor in PAIR_RECALL_FLOORS.items():
        assert pair_report.recall(cls) >= floor, (cls, pair_report.per_class[cls])
    for cls, floor in PAIR_PRECISION_FLOORS.items():
        assert pair_report.class_precision[cls] >= floor, (cls, pair_report.class_precision)
    for cls, most in PAIR_MAX_MERGES.items():
        assert pair_report.false_merges(cls) <= most, (cls, pair_report.per_class[cls])
    assert sum(s.pairs for s in pair_report.per_class.values()) >= JUDGED_PAIRS_FLOOR


# --- issue 20, round 3: two outlets' copies of one story (benchmarks/dedup_outlets.py) ---------
# ANT is one outlet; these copies are built from its articles as two outlets edit a wire story.
# The first 200 pairs of each recipe measured 192 (each drops a different sentence) and 199 (one
# opens with its own paragraph, the other drops the last sentence); round 2's rules merged about
# 80% and 71% of such pairs. Pinned at the measured share.
OUTLET_COPY_FLOORS = {"drop": 0.96, "framing": 0.99}


@pytest.mark.parametrize("recipe", sorted(OUTLET_COPY_FLOORS))
def test_two_outlets_copies_of_one_story_floors(shared_data: Path, recipe: str) -> None:
    from benchmarks.dedup_outlets import judge

    found = judge(recipe, 200, 5)["this tree"]
    assert sum(found.values()) == 200
    assert found["duplicate"] / 200 >= OUTLET_COPY_FLOORS[recipe], found
