"""Hostile text in any slot of a report stays text, in the Markdown as in the HTML."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from sim.report.html import Picture, Section, Table, to_html, to_markdown

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "![x](http://evil.example/pixel.png)",
    "line one\n# Injected heading\n<b>bold</b>",
    "a | b || c",
    "&lt;already&gt; & <iframe>",
]
PNG = b"\x89PNG\r\n\x1a\n"


def _report(text: str) -> tuple[str, list[Section], list[str]]:
    frame = pd.DataFrame({text: [text], "n": ["1"]})
    section = Section(
        title=text,
        paragraphs=[text],
        tables=[Table(text, frame)],
        pictures=[Picture("p.png", text)],
    )
    return text, [section], [text]


def _raw_html_tags(markdown: str) -> list[str]:
    return re.findall(r"<\s*/?\s*[A-Za-z][^>]*>", markdown)


@pytest.mark.parametrize("text", HOSTILE)
def test_no_raw_html_reaches_the_markdown(text: str) -> None:
    title, sections, intro = _report(text)
    markdown = to_markdown(title, intro, sections)
    assert _raw_html_tags(markdown) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_no_link_image_or_heading_can_be_injected_into_the_markdown(text: str) -> None:
    title, sections, intro = _report(text)
    markdown = to_markdown(title, intro, sections)
    link_targets = re.findall(r"(?<!\\)\]\(([^)]*)\)", markdown)
    assert link_targets == ["p.png"]  # only the report's own picture is linked
    headings = [line for line in markdown.splitlines() if line.startswith("#")]
    assert len(headings) == 2  # the report's title and its one section, nothing injected
    table_rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert all(len(re.split(r"(?<!\\)\|", line)) == 4 for line in table_rows)  # 2 cells


@pytest.mark.parametrize("text", HOSTILE)
def test_no_raw_html_reaches_the_html_page_either(text: str) -> None:
    title, sections, intro = _report(text)
    page = to_html(title, intro, sections, {"p.png": PNG})
    assert "<script>alert" not in page and "<img src=x" not in page and "<iframe>" not in page
