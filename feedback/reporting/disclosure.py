"""Disclosure control: primary and complementary cell suppression over a whole report.

A report publishes counts in several tables that are tied together by additive relations (a
program's total is the sum of its channels, of its contact types, of its languages, of the values
of each reportable group; the overall total is the sum of the programs; a period's total is the sum
of its months ...). Suppressing the small cells is not enough: a hidden cell whose table row, or
another table, still adds up to a published total can be solved for. So:

1. **Primary suppression**: every cell with ``0 < count < minimum``. Zeros are not sensitive.
2. **Complementary suppression**: while some suppressed cell can still be recovered, one more
   published cell is suppressed, the cheapest one that breaks the relation giving it away.
3. **Guarantee**: for every suppressed cell, the smallest and the largest value it can take
   over all non-negative real solutions of the published relations must differ, by at least 1
   for a primary cell. ``protect`` proves it per cell by a segment of solutions through the true
   counts (from the null space of the relations), or else by the two linear programs (HiGHS)
   that ``audit`` solves for every cell.

The bounds are over real solutions. Where the relations are those of one table with its margins
(or of two breakdowns of the same totals: a flow network), the extreme solutions are whole
numbers, so a cell also has at least two possible whole values; other shapes of relations can
leave fewer whole solutions than real ones.

The module is pure (no database, no Flask): compose hands it counts and relations and hides the
returned cells, with every figure computed on them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from scipy.optimize import linprog
from threadpoolctl import threadpool_limits

CellRef = tuple[str, tuple]
"""(table id, cell key): the same CellRef in two tables' relations is the same published count."""

Range = tuple[float, float]
T = TypeVar("T")

_TOLERANCE = 1e-6  # LP optima are floating point: a range narrower than this is a single value
_NULL_TOLERANCE = 1e-9  # a null-space row this small means the cell is fixed by the relations

METHOD = {
    "en": (
        "To protect the confidentiality of clients, any count of fewer than {minimum} respondents "
        "(other than zero) is suppressed, together with every figure computed from it; such "
        "cells are shown as “x”. Because the report also publishes totals and the same results "
        "broken down in several ways, a suppressed count could sometimes be worked out by "
        "subtraction from a total, a margin or another table. Additional cells are therefore "
        "suppressed (complementary suppression), each time choosing the smallest cell that "
        "prevents the calculation. Before publication, every suppressed cell is checked by "
        "solving all the published totals as a system of equations: none can be determined, and "
        "each count under {minimum} could lie anywhere in a range at least one respondent wide. "
        "Counts of zero are published."
    ),
    "fr": (
        "Afin de protéger la confidentialité des clients, tout nombre de répondants inférieur à "
        "{minimum} (autre que zéro) est supprimé, de même que tous les résultats calculés à "
        "partir de celui-ci; ces cellules sont indiquées par «\u00a0x\u00a0». Comme le rapport "
        "publie aussi des totaux et les mêmes résultats ventilés de plusieurs façons, un nombre "
        "supprimé pourrait parfois être retrouvé par soustraction à partir d’un total, d’une "
        "marge ou d’un autre tableau. D’autres cellules sont donc supprimées (suppression "
        "complémentaire), en choisissant chaque fois la plus petite cellule qui empêche ce "
        "calcul. Avant la publication, chaque cellule supprimée est vérifiée en résolvant "
        "l’ensemble des totaux publiés comme un système d’équations\u00a0: aucune ne peut être "
        "déterminée, et chaque nombre inférieur à {minimum} pourrait se situer n’importe où dans "
        "un intervalle d’au moins un répondant. Les nombres nuls sont publiés."
    ),
}
"""The method as the report's methodology section states it:
``METHOD[language].format(minimum=10)``."""


@dataclass(frozen=True)
class Relation:
    """``total == sum(parts)``, as published in the same report."""

    total: CellRef
    parts: tuple[CellRef, ...]


def protect(
    counts: Mapping[CellRef, int], relations: Sequence[Relation], minimum: int
) -> frozenset[CellRef]:
    """The cells to suppress: the primary ones (``0 < count < minimum``) and their complements.

    Each round judges the suppressed cells, group by group of cells linked through relations
    (only the group that received the last cell is judged again):

    - a cell is **fixed** when its unit vector lies in the row space of the relations (exact
      linear algebra: its row is zero in a basis of their null space);
    - otherwise each basis vector of the null space is a direction in which the true counts can
      move while every relation still holds; moving until some count reaches 0 gives an interval
      of values the cell can really take. When that interval is wide enough (any width, or 1 for
      a primary cell) the cell is proven protected without solving anything;
    - only when it is not are the audit's two linear programs solved for the cell.

    One more published cell is suppressed for an exposed cell (see ``_Problem.complement``) and
    the round repeats.

    Why it terminates: every round suppresses a cell that was published, so there are at most
    ``len(counts)`` rounds. A candidate always exists: an exposed cell is linked, through the
    relations, to some published non-zero cell. Otherwise every relation of its group would read
    ``total - sum(parts) = 0`` over suppressed cells only, and since every suppressed cell is
    positive (primaries are, and complements are chosen among non-zero cells), scaling the true
    values by any ``t >= 0`` stays a solution, so each cell could be anything from 0 upwards.
    """
    if minimum < 1:
        raise ValueError("the minimum cell size must be at least 1")
    problem = _Problem(counts, relations)
    primary = {cell for cell, count in counts.items() if 0 < count < minimum}
    suppressed = set(primary)
    # The matrices are small: BLAS threads only fight over the cores (10× slower when busy).
    with threadpool_limits(limits=1, user_api="blas"):
        while exposed := problem.exposed(suppressed, primary):
            suppressed.add(problem.complement(exposed, suppressed))
    return frozenset(suppressed)


def audit(
    counts: Mapping[CellRef, int], relations: Sequence[Relation], suppressed: Iterable[CellRef]
) -> dict[CellRef, Range]:
    """The feasible range (min, max) of every suppressed cell: over all non-negative real values
    of the suppressed cells that satisfy every relation given the published cells. ``max`` is
    ``math.inf`` when nothing bounds the cell."""
    return _Problem(counts, relations).ranges(set(suppressed))


class _Problem:
    """The relations of one report indexed by cell, with what was solved so far per group of
    linked suppressed cells (a group's verdicts and ranges depend only on its own cells)."""

    def __init__(self, counts: Mapping[CellRef, int], relations: Sequence[Relation]) -> None:
        self.counts = counts
        self.terms: list[tuple[tuple[CellRef, int], ...]] = []
        self.by_cell: dict[CellRef, list[int]] = {}
        self.totals = {relation.total for relation in relations}
        self.solved: dict[frozenset[CellRef], dict[CellRef, Range]] = {}
        self.verdicts: dict[frozenset[CellRef], dict[CellRef, bool]] = {}
        for relation in relations:
            terms = ((relation.total, 1), *((part, -1) for part in relation.parts))
            missing = [cell for cell, _ in terms if cell not in counts]
            if missing:
                raise ValueError(
                    f"relation of {relation.total!r} refers to uncounted {missing[0]!r}"
                )
            if sum(sign * counts[cell] for cell, sign in terms):
                raise ValueError(f"the parts of {relation.total!r} do not add up to it")
            for cell in {cell for cell, _ in terms}:
                self.by_cell.setdefault(cell, []).append(len(self.terms))
            self.terms.append(terms)
        negative = [cell for cell, count in counts.items() if count < 0]
        if negative:
            raise ValueError(f"negative count for {negative[0]!r}")

    def order(self, cell: CellRef) -> tuple[int, str]:
        """Smallest count first; the cell's repr breaks ties, so the result never depends on the
        order of the input."""
        return self.counts[cell], repr(cell)

    def exposed(self, suppressed: set[CellRef], primary: set[CellRef]) -> list[CellRef]:
        """The suppressed cells that are not protected yet (see ``protect``)."""
        verdicts = self._per_group(suppressed, self.verdicts, lambda g: self._judge(g, primary))
        return [cell for cell, is_exposed in verdicts.items() if is_exposed]

    def complement(self, exposed: Sequence[CellRef], suppressed: set[CellRef]) -> CellRef:
        """The published cell to suppress next, for one of the ``exposed`` cells.

        The exposed cell treated is one that is the only unknown of a relation if there is one
        (that relation is what gives it away; another cell may be fixed only through it), then
        the smallest. Among its relations, those with the fewest suppressed cells come first; in
        them, the non-zero published cell that costs least: a part rather than a total, then one
        that opens the fewest new exposures (relations where it would be the only suppressed
        cell: without this, each complement starts a chain through the tables), then the smallest
        count, then the repr. When those relations hold no such cell, the same choice is made
        over every relation of its group of linked suppressed cells (see ``protect``)."""

        def load(r: int) -> int:
            return sum(c in suppressed for c, _ in self.terms[r])

        cell = min(
            exposed,
            key=lambda c: (min(map(load, self.by_cell.get(c, [])), default=0), *self.order(c)),
        )
        load_of = {r: load(r) for r in self.by_cell.get(cell, [])}
        for level in sorted(set(load_of.values())):
            chosen = self._cheapest([r for r, n in load_of.items() if n == level], suppressed)
            if chosen is not None:
                return chosen
        group_cells = next(cells for cells in self.groups(suppressed) if cell in cells)
        chosen = self._cheapest(self._relations_of(group_cells), suppressed)
        if chosen is None:  # impossible, see protect's docstring
            raise RuntimeError(f"no published cell can protect {cell!r}")
        return chosen

    def _cheapest(self, relations: Iterable[int], suppressed: set[CellRef]) -> CellRef | None:
        candidates = {
            c
            for r in relations
            for c, _ in self.terms[r]
            if c not in suppressed and self.counts[c] > 0
        }
        return min(
            candidates,
            key=lambda c: (c in self.totals, self._opened(c, suppressed), *self.order(c)),
            default=None,
        )

    def _opened(self, cell: CellRef, suppressed: set[CellRef]) -> int:
        """How many relations of ``cell`` hold no suppressed cell yet."""
        return sum(
            not any(c in suppressed for c, _ in self.terms[r]) for r in self.by_cell.get(cell, [])
        )

    def _relations_of(self, cells: Iterable[CellRef]) -> list[int]:
        return sorted({r for cell in cells for r in self.by_cell.get(cell, [])})

    def _system(self, cells: Sequence[CellRef]) -> tuple[np.ndarray, np.ndarray]:
        """``A x = b`` over ``cells`` (every suppressed cell of the relations they appear in):
        one row per relation, the published cells moved to the right-hand side."""
        column = {cell: i for i, cell in enumerate(cells)}
        rows = self._relations_of(cells)
        matrix = np.zeros((len(rows), len(cells)))
        rhs = np.zeros(len(rows))
        for i, r in enumerate(rows):
            for cell, sign in self.terms[r]:
                if cell in column:
                    matrix[i, column[cell]] += sign
                else:
                    rhs[i] -= sign * self.counts[cell]
        return matrix, rhs

    def _judge(self, cells: Sequence[CellRef], primary: set[CellRef]) -> dict[CellRef, bool]:
        """Whether each cell of one group is exposed. When some cells are fixed, only they are
        reported: the group must then change before ``protect`` can stop, so the other cells
        are judged again anyway."""
        matrix, rhs = self._system(cells)
        if not matrix.size:  # lone cells in no relation
            return dict.fromkeys(cells, False)
        _, singular, rows = np.linalg.svd(matrix)
        rank = int((singular > singular.max() * max(matrix.shape) * np.finfo(float).eps).sum())
        basis = rows[rank:].T  # columns span the null space
        free = np.abs(basis).max(axis=1, initial=0.0) > _NULL_TOLERANCE
        if not free.all():
            return {cell: not is_free for cell, is_free in zip(cells, free, strict=True)}
        values = np.array([self.counts[cell] for cell in cells], dtype=float)
        verdicts = {}
        for i, cell in enumerate(cells):
            needed = 1 - _TOLERANCE if cell in primary else _TOLERANCE
            if _certified_width(values, basis, i) >= needed:
                verdicts[cell] = False
            else:
                low, high = _range(i, matrix, rhs)
                verdicts[cell] = high - low < needed
        return verdicts

    def groups(self, suppressed: set[CellRef]) -> list[frozenset[CellRef]]:
        """The suppressed cells split into groups linked by relations (connected components)."""
        seen: set[CellRef] = set()
        found = []
        for start in sorted(suppressed, key=self.order):
            if start in seen:
                continue
            group, stack = {start}, [start]
            while stack:
                for r in self.by_cell.get(stack.pop(), []):
                    for cell, _ in self.terms[r]:
                        if cell in suppressed and cell not in group:
                            group.add(cell)
                            stack.append(cell)
            seen |= group
            found.append(frozenset(group))
        return found

    def ranges(self, suppressed: set[CellRef]) -> dict[CellRef, Range]:
        unknown = [cell for cell in suppressed if cell not in self.counts]
        if unknown:
            raise ValueError(f"suppressed cell {unknown[0]!r} is not counted")
        return self._per_group(suppressed, self.solved, self._solve)

    def _per_group(
        self,
        suppressed: set[CellRef],
        cache: dict[frozenset[CellRef], dict[CellRef, T]],
        solve: Callable[[Sequence[CellRef]], dict[CellRef, T]],
    ) -> dict[CellRef, T]:
        """``solve`` over each group of linked suppressed cells, once per group: between two
        rounds of ``protect`` only the group that received the new cell changes."""
        result: dict[CellRef, T] = {}
        for group in self.groups(suppressed):
            if group not in cache:
                cache[group] = solve(sorted(group, key=self.order))
            result.update(cache[group])
        return result

    def _solve(self, cells: Sequence[CellRef]) -> dict[CellRef, Range]:
        matrix, rhs = self._system(cells)
        if not matrix.size:  # lone cells in no relation
            return dict.fromkeys(cells, (0.0, math.inf))
        return {cell: _range(i, matrix, rhs) for i, cell in enumerate(cells)}


def _certified_width(values: np.ndarray, basis: np.ndarray, i: int) -> float:
    """A lower bound on the width of cell ``i``'s feasible range: the widest segment through
    the true ``values`` along one null-space direction that keeps every count non-negative."""
    directions = basis[:, np.abs(basis[i]) > _NULL_TOLERANCE]
    if not directions.size:
        return 0.0
    steps = directions / directions[i]  # cell i moves by exactly t along each direction
    with np.errstate(divide="ignore"):
        room = np.where(steps != 0, values[:, None] / np.abs(steps), np.inf)
    up = np.where(steps < 0, room, np.inf).min(axis=0)
    down = np.where(steps > 0, room, np.inf).min(axis=0)
    return float((up + down).max())


def _range(i: int, matrix: np.ndarray, rhs: np.ndarray) -> Range:
    """(min, max) of unknown ``i`` subject to ``matrix · x = rhs``, ``x >= 0``."""
    objective = np.zeros(matrix.shape[1])
    objective[i] = 1.0
    return _optimum(objective, matrix, rhs), -_optimum(-objective, matrix, rhs)


def _optimum(objective: np.ndarray, matrix: np.ndarray, rhs: np.ndarray) -> float:
    """min objective·x subject to matrix·x = rhs, x >= 0; -inf when unbounded."""
    result = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=(0, None), method="highs")
    if result.status == 3:
        return -math.inf
    if result.status != 0:  # the true counts are a solution, so this is a solver failure
        raise RuntimeError(f"disclosure audit: {result.message}")
    return float(result.fun)
