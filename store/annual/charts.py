"""Charts for the annual report: matplotlib (Agg, no display) rendered to PNG bytes.

Labels are text: mathtext is off (`text.parse_math`), so a label with `$…$` is drawn as
typed. matplotlib is imported here only, on the annual report's code path.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from store.annual.figures import AckLine
from store.counts.query import CountResult
from store.counts.words import value_label, word

_RC: dict[str, Any] = {
    "text.parse_math": False,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_COLOURS = ("#1f4e79", "#8fb8de", "#c55a11", "#f4b183", "#548235", "#a9d18e", "#7f6000")


def _png(draw: Any, height: float, *, horizontal: bool) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        fig, ax = plt.subplots(figsize=(6.3, height), dpi=110)
        try:
            draw(ax)
            from matplotlib.ticker import MaxNLocator

            # Counts: whole numbers from 0, also when there is nothing to count.
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_major_locator(MaxNLocator(integer=True))
            if horizontal:
                ax.set_xlim(left=0)
            else:
                ax.set_ylim(bottom=0)
            fig.tight_layout()
            buf = io.BytesIO()
            # No timestamp in the PNG: the same figures give the same bytes.
            fig.savefig(buf, format="png", metadata={"Software": None})
        finally:
            plt.close(fig)
    return buf.getvalue()


def _short(label: str, n: int = 40) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def table_chart(res: CountResult, lang: str) -> bytes:
    """Horizontal bars, one per row; stacked by column when the table has columns."""
    q = res.query
    rows = list(res.row_labels)
    names = [_short(value_label(q.rows, r, lang)) for r in rows]
    cols = list(res.col_labels)

    def draw(ax: Any) -> None:
        y = list(range(len(rows)))[::-1]
        if cols:
            left = [0] * len(rows)
            for i, c in enumerate(cols):
                vals = [res.get(r, c) for r in rows]
                ax.barh(
                    y,
                    vals,
                    left=left,
                    color=_COLOURS[i % len(_COLOURS)],
                    label=_short(value_label(q.cols or "", c, lang), 30),
                )
                left = [a + b for a, b in zip(left, vals, strict=True)]
            ax.legend(loc="lower right", frameon=False)
        else:
            ax.barh(y, [res.row_totals.get(r, 0) for r in rows], color=_COLOURS[0])
        ax.set_yticks(y, names)
        ax.set_xlabel(word(f"unit.{q.unit}", lang).split(" (")[0])

    return _png(draw, 1.2 + 0.3 * max(len(rows), 1), horizontal=True)


def ack_chart(lines: Sequence[AckLine], lang: str) -> bytes:
    """Acknowledgements per month: in time, late, still open, stacked."""
    from store.annual.blocks import t

    def draw(ax: Any) -> None:
        x = list(range(len(lines)))
        bottom = [0] * len(lines)
        for key, attr, colour in (
            ("ack.in_time", "in_time", _COLOURS[4]),
            ("ack.late", "late", _COLOURS[2]),
            ("ack.open", "still_open", _COLOURS[1]),
        ):
            vals = [getattr(a, attr) for a in lines]
            ax.bar(x, vals, bottom=bottom, color=colour, label=t(key, lang))
            bottom = [a + b for a, b in zip(bottom, vals, strict=True)]
        ax.set_xticks(x, [a.label for a in lines], rotation=45, ha="right")
        ax.legend(frameon=False)

    return _png(draw, 2.8, horizontal=False)
