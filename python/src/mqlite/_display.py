"""HTML tables for Jupyter's rich display (``_repr_html_``)."""

from __future__ import annotations

from html import escape
from typing import Iterable, Sequence


def table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """An HTML table with a caption; cells are escaped, numbers right-aligned."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for cell in row:
            align = ' style="text-align:right"' if isinstance(cell, (int, float)) else ""
            text = f"{cell:,}" if isinstance(cell, int) and not isinstance(cell, bool) else cell
            cells.append(f"<td{align}>{escape(str(text))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f"<table><caption style=\"text-align:left\"><b>{escape(caption)}</b></caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )
