"""The rule table the CLI prints."""

from __future__ import annotations

from service.decision import RULES, render_rule_table


def test_rule_table_lists_every_rule() -> None:
    text = render_rule_table()
    lines = text.splitlines()
    assert len(lines) == len(RULES) + 2
    for spec in RULES:
        assert any(line.startswith(spec.id + " ") for line in lines), spec.id
        assert spec.seed and spec.summary
    assert len({r.id for r in RULES}) == len(RULES)
    expected = {f"U{i}" for i in range(1, 6)} | {f"R{i}" for i in range(1, 7)}
    expected |= {f"S{i}" for i in range(1, 10)} | {f"A{i}" for i in range(1, 5)}
    expected |= {f"L{i}" for i in range(1, 5)} | {f"V{i}" for i in range(1, 4)}
    assert expected <= {r.id for r in RULES}
