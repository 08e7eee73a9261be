"""Disclosure control: small cells are suppressed with enough complements that no suppressed
count can be solved for from the report's published totals, margins and other tables.

The property tests check protect() with a solver of their own (not disclosure.audit): the
published relations become a linear system in the suppressed counts, and each suppressed count
must be (a) undetermined by exact linear algebra and (b) free to move over the non-negative
solutions (linear programs), by at least one respondent when it is a small cell."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from feedback.reporting.disclosure import METHOD, CellRef, Relation, audit, protect

MINIMUM = 10


def table(table_id: str, total: CellRef, parts: Mapping[object, int]) -> tuple[dict, Relation]:
    """A row of ``table_id`` whose cells (key -> count) add up to ``total``."""
    counts = {(table_id, (key,)): count for key, count in parts.items()}
    return counts, Relation(total, tuple(counts))


def test_a_small_cell_in_a_row_forces_the_smallest_other_cell():
    total = ("programs", ("A",))
    counts, relation = table("channel", total, {"email": 4, "sms": 0, "phone": 12, "web": 14})
    counts[total] = 30

    suppressed = protect(counts, [relation], MINIMUM)

    # The zero is neither primary nor a useful complement: hiding it would leave 4 derivable.
    assert suppressed == {("channel", ("email",)), ("channel", ("phone",))}
    assert audit(counts, [relation], suppressed) == {
        ("channel", ("email",)): pytest.approx((0, 16)),
        ("channel", ("phone",)): pytest.approx((0, 16)),
    }


def two_way(
    cells: Mapping[tuple[str, str], int],
) -> tuple[dict[CellRef, int], list[Relation]]:
    """A program × channel table with its program totals, channel margins and overall total,
    each program total and the overall total shared with the table "programs"."""
    programs = sorted({p for p, _ in cells})
    channels = sorted({c for _, c in cells})
    counts: dict[CellRef, int] = {("channel", key): n for key, n in cells.items()}
    relations = []
    for p in programs:
        parts = tuple(("channel", (p, c)) for c in channels)
        counts[("programs", (p,))] = sum(counts[cell] for cell in parts)
        relations.append(Relation(("programs", (p,)), parts))
    for c in channels:
        parts = tuple(("channel", (p, c)) for p in programs)
        counts[("channel", (None, c))] = sum(counts[cell] for cell in parts)
        relations.append(Relation(("channel", (None, c)), parts))
    overall = ("programs", (None,))
    counts[overall] = sum(counts[("programs", (p,))] for p in programs)
    relations.append(Relation(overall, tuple(("programs", (p,)) for p in programs)))
    relations.append(Relation(overall, tuple(("channel", (None, c)) for c in channels)))
    return counts, relations


def test_a_cell_in_a_row_and_a_column_is_protected_by_a_rectangle():
    counts, relations = two_way(
        {("A", "email"): 3, ("A", "sms"): 20, ("B", "email"): 15, ("B", "sms"): 40}
    )

    suppressed = protect(counts, relations, MINIMUM)

    # The margins stay published: the four inner cells hide each other.
    assert suppressed == {
        ("channel", ("A", "email")),
        ("channel", ("A", "sms")),
        ("channel", ("B", "email")),
        ("channel", ("B", "sms")),
    }
    # a + b = 23, c + d = 55, a + c = 18, b + d = 60: a can be anything from 0 to 18.
    assert audit(counts, relations, suppressed)[("channel", ("A", "email"))] == pytest.approx(
        (0, 18)
    )


def test_a_small_program_total_forces_another_program_and_one_of_its_cells():
    # A has 6 respondents, all by e-mail: its total and its e-mail cell are small, and the
    # overall total minus B and C would give A, the e-mail margin minus B and C the cell.
    counts, relations = two_way(
        {
            ("A", "email"): 6,
            ("A", "sms"): 0,
            ("B", "email"): 30,
            ("B", "sms"): 20,
            ("C", "email"): 18,
            ("C", "sms"): 12,
        }
    )

    suppressed = protect(counts, relations, MINIMUM)

    assert suppressed == {
        ("programs", ("A",)),
        ("channel", ("A", "email")),
        ("programs", ("C",)),
        ("channel", ("C", "email")),
    }
    ranges = audit(counts, relations, suppressed)
    assert ranges[("programs", ("A",))] == pytest.approx((0, 24))


def test_a_program_total_shared_by_two_tables_is_protected_in_both():
    # P's total is published in the channel table and in the language table; once it is
    # hidden, each table's row for P holds only hidden cells, and the complement is found in
    # the overall relation, not by hiding more of P's rows.
    rows = {
        "P": {"channel": {"email": 5, "sms": 3}, "language": {"en": 6, "fr": 2}},
        "Q": {"channel": {"email": 25, "sms": 15}, "language": {"en": 30, "fr": 10}},
        "R": {"channel": {"email": 20, "sms": 15}, "language": {"en": 17, "fr": 18}},
    }
    counts: dict[CellRef, int] = {}
    relations: list[Relation] = []
    for program, tables in rows.items():
        total = ("programs", (program,))
        for table_id, parts in tables.items():
            cells = {(table_id, (program, key)): n for key, n in parts.items()}
            counts |= cells | {total: sum(cells.values())}
            relations.append(Relation(total, tuple(cells)))
    overall = ("programs", (None,))
    counts[overall] = sum(counts[("programs", (p,))] for p in rows)
    relations.append(Relation(overall, tuple(("programs", (p,)) for p in rows)))

    suppressed = protect(counts, relations, MINIMUM)

    small = {cell for cell, n in counts.items() if 0 < n < MINIMUM}
    assert small == {
        ("programs", ("P",)),
        ("channel", ("P", "email")),
        ("channel", ("P", "sms")),
        ("language", ("P", "en")),
        ("language", ("P", "fr")),
    }
    # One more cell suffices: the overall total (it sits in no other relation).
    assert suppressed == small | {overall}
    assert_undetermined(counts, relations, suppressed, small)


def test_a_small_cell_whose_range_is_under_one_respondent_needs_another_complement():
    # Nested totals of a (1) and b (2). Hiding everything but t4 leaves 3a + 5b = 13: no cell is
    # determined, yet t1 = 13/3 + b/3 can only lie between 4.33 and 5.2, so t4 goes too.
    a, b = ("cell", ("a",)), ("cell", ("b",))
    t0, t1, t2, t3, t4 = (("total", (j,)) for j in range(5))
    counts = {a: 1, b: 2, t0: 3, t1: 5, t2: 11, t3: 1, t4: 13}
    relations = [
        Relation(t0, (a, b)),
        Relation(t1, (b, t0)),
        Relation(t2, (a, b, t0, t1)),
        Relation(t3, (a,)),
        Relation(t4, (b, t2)),
    ]
    all_but_t4 = set(counts) - {t4}
    low, high = audit(counts, relations, all_but_t4)[t1]
    assert (low, high) == (pytest.approx(13 / 3), pytest.approx(5.2))
    cells = sorted(all_but_t4, key=repr)
    matrix, _ = linear_system(counts, relations, cells)
    unit = np.eye(len(cells))[cells.index(t1)]
    rank = np.linalg.matrix_rank(matrix)
    assert np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank + 1  # t1 is not determined

    assert protect(counts, relations, MINIMUM) == set(counts)


def test_audit_of_a_cell_in_no_relation_is_unbounded():
    counts = {("channel", ("A", "email")): 4}
    assert audit(counts, [], counts) == {("channel", ("A", "email")): (0.0, math.inf)}
    assert protect(counts, [], MINIMUM) == set(counts)


def test_audit_sees_what_linear_algebra_misses_non_negative_counts():
    # A zero total with two hidden zero parts: a + b = 0 leaves a free for linear algebra
    # (a = -b), but counts are never negative, so both are exactly 0.
    counts, relation = table("channel", ("programs", ("A",)), {"email": 0, "sms": 0})
    counts[("programs", ("A",))] = 0
    assert audit(counts, [relation], relation.parts) == {
        ("channel", ("email",)): pytest.approx((0, 0)),
        ("channel", ("sms",)): pytest.approx((0, 0)),
    }


def test_relations_that_do_not_add_up_are_refused():
    counts, relation = table("channel", ("programs", ("A",)), {"email": 4, "sms": 12})
    counts[("programs", ("A",))] = 17
    with pytest.raises(ValueError, match="do not add up"):
        protect(counts, [relation], MINIMUM)
    del counts[("programs", ("A",))]
    with pytest.raises(ValueError, match="uncounted"):
        audit(counts, [relation], [])


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_method_names_the_minimum_in_each_language(language):
    text = METHOD[language].format(minimum=15)
    assert "15" in text
    assert "{" not in text
    assert ("complementary suppression" if language == "en" else "suppression complémentaire") in (
        text
    )


# -- generated multi-table reports ------------------------------------------------------------

DIMENSIONS = {
    "channel": ("email", "sms", "phone"),
    "language": ("en", "fr"),
    "group:region": ("east", "west", "north"),
    "period:month": ("2026-01-01", "2026-02-01", "2026-03-01"),
}


@st.composite
def reports(draw: st.DrawFn) -> tuple[dict[CellRef, int], list[Relation]]:
    """Program × channel counts (many small ones), the same programs split by language, region
    and month, each with its margins, the program totals and the overall total."""
    programs = [f"P{i}" for i in range(draw(st.integers(2, 4)))]
    count = st.one_of(st.integers(0, MINIMUM - 1), st.integers(MINIMUM, 60))
    counts: dict[CellRef, int] = {}
    relations: list[Relation] = []
    for program in programs:
        channels = [draw(count) for _ in DIMENSIONS["channel"]]
        total = ("programs", (program,))
        counts[total] = sum(channels)
        for dimension, values in DIMENSIONS.items():
            if dimension == "channel":
                split = channels
            else:  # another breakdown of the same respondents
                cuts = sorted(draw(st.integers(0, counts[total])) for _ in values[1:])
                split = [b - a for a, b in zip([0, *cuts], [*cuts, counts[total]], strict=True)]
            cells = tuple((dimension, (program, value)) for value in values)
            counts |= dict(zip(cells, split, strict=True))
            relations.append(Relation(total, cells))
    overall = ("programs", (None,))
    counts[overall] = sum(counts[("programs", (p,))] for p in programs)
    relations.append(Relation(overall, tuple(("programs", (p,)) for p in programs)))
    for dimension, values in DIMENSIONS.items():
        margins = []
        for value in values:
            margin = (dimension, (None, value))
            cells = tuple((dimension, (p, value)) for p in programs)
            counts[margin] = sum(counts[cell] for cell in cells)
            relations.append(Relation(margin, cells))
            margins.append(margin)
        relations.append(Relation(overall, tuple(margins)))
    return counts, relations


def linear_system(
    counts: Mapping[CellRef, int], relations: Sequence[Relation], suppressed: Sequence[CellRef]
) -> tuple[np.ndarray, np.ndarray]:
    """Every published relation as an equation over the suppressed counts (columns in the
    order of ``suppressed``), the published counts moved to the right-hand side."""
    column = {cell: i for i, cell in enumerate(suppressed)}
    rows, rhs = [], []
    for relation in relations:
        row, constant = np.zeros(len(suppressed)), 0
        for cell, sign in [(relation.total, 1), *((part, -1) for part in relation.parts)]:
            if cell in column:
                row[column[cell]] += sign
            else:
                constant -= sign * counts[cell]
        if row.any():
            rows.append(row)
            rhs.append(constant)
        else:  # a fully published relation adds up
            assert constant == 0
    return np.array(rows).reshape(len(rows), len(suppressed)), np.array(rhs, dtype=float)


def assert_undetermined(
    counts: Mapping[CellRef, int],
    relations: Sequence[Relation],
    suppressed: frozenset[CellRef],
    primary: set[CellRef],
) -> None:
    cells = sorted(suppressed, key=repr)
    matrix, rhs = linear_system(counts, relations, cells)
    truth = np.array([counts[cell] for cell in cells], dtype=float)
    assert np.allclose(matrix @ truth, rhs)
    rank = np.linalg.matrix_rank(matrix)
    for i, cell in enumerate(cells):
        unit = np.eye(len(cells))[i]
        # (a) Not determined: e_i is outside the row space, so adding it raises the rank.
        assert np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank + 1, cell
        # (b) Over the non-negative solutions the count still moves (by >= 1 if small).
        low, high = (
            linprog(sign * unit, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
            for sign in (1, -1)
        )
        assert low.status == 0, cell
        width = math.inf if high.status == 3 else -high.fun - low.fun
        assert width > 1e-6, cell
        if cell in primary:
            assert width >= 1 - 1e-6, cell


@st.composite
def nested_sums(draw: st.DrawFn) -> tuple[dict[CellRef, int], list[Relation]]:
    """Relations of any shape: each total adds up an arbitrary subset of the cells before it,
    so totals overlap and nest (not only rows and columns of tables)."""
    count = st.one_of(st.integers(0, MINIMUM - 1), st.integers(MINIMUM, 40))
    counts: dict[CellRef, int] = {
        ("cell", (i,)): draw(count) for i in range(draw(st.integers(2, 7)))
    }
    relations = []
    for j in range(draw(st.integers(1, 5))):
        parts = tuple(draw(st.sets(st.sampled_from(sorted(counts, key=repr)), min_size=1)))
        total = ("total", (j,))
        counts[total] = sum(counts[part] for part in parts)
        relations.append(Relation(total, tuple(sorted(parts, key=repr))))
    return counts, relations


@settings(max_examples=25, deadline=None)
@given(nested_sums())
def test_no_suppressed_count_can_be_solved_for_under_nested_totals(report):
    counts, relations = report
    suppressed = protect(counts, relations, MINIMUM)
    primary = {cell for cell, n in counts.items() if 0 < n < MINIMUM}
    assert primary <= suppressed
    assert all(counts[cell] > 0 for cell in suppressed)
    assert_undetermined(counts, relations, suppressed, primary)


@settings(max_examples=25, deadline=None)
@given(reports())
def test_no_suppressed_count_of_a_generated_report_can_be_solved_for(report):
    counts, relations = report
    before = dict(counts)

    suppressed = protect(counts, relations, MINIMUM)

    primary = {cell for cell, n in counts.items() if 0 < n < MINIMUM}
    assert primary <= suppressed
    assert suppressed <= counts.keys()
    assert all(counts[cell] > 0 for cell in suppressed)  # zeros are published
    assert counts == before  # the published counts are the counts given
    assert_undetermined(counts, relations, suppressed, primary)
    # The same input gives the same cells, in whatever order it comes.
    reordered = dict(reversed(list(counts.items())))
    assert protect(reordered, list(reversed(relations)), MINIMUM) == suppressed
