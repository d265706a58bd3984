"""Jupyter's rich display: logs, topics and consumers render as HTML tables."""

from __future__ import annotations

import mqlite


def test_logs_topics_and_consumers_render_as_tables(orders: mqlite.Log) -> None:
    orders.producer().send_many("orders", [(b"k", b"v")] * 3)
    html = orders._repr_html_()
    assert "<table>" in html and "orders" in html and "<td style=\"text-align:right\">3</td>" in html
    topic_html = orders.describe("orders")._repr_html_()
    assert topic_html.count("<tr>") == 1 + 4, "a header row and one row per partition"
    consumer = orders.consumer(["orders"], auto_offset_reset="earliest")
    assert "lag" in consumer._repr_html_()
    assert ">3</td></tr>" in consumer._repr_html_(), "a partition with 3 unread records"
    with mqlite.open() as memory:
        assert repr(memory) == "<mqlite.Log in memory, 0 topic(s)>"
