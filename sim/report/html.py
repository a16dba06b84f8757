"""Writing a report as Markdown (pictures beside it) and as one self-contained HTML file.

A report is a title, an introduction and `Section`s, each with paragraphs, tables and
pictures. `to_markdown` links the pictures as the PNG files written beside it;
`to_html` embeds them as base64 `data:` URIs, with inline CSS and no external reference, so
the file opens anywhere without a network. A few lines of script record, once the page has
loaded, how many pictures decoded (`data-images-loaded="k/n"` on `<body>`), which is what
the headless-browser test reads.

Every text is plain text in both: the HTML escapes it, and the Markdown writes `<`, `>` and
`&` as entities, escapes `[`, `]` and `\\` (no link or image can be made), folds newlines
into spaces (no heading or block can be started) and escapes a leading block marker.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field

import pandas as pd

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #c8d6e5; padding-bottom: .3em; }
h2 { margin-top: 2em; border-bottom: 1px solid #e5e9ef; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.88em; }
th, td { border: 1px solid #d5dbe3; padding: .25em .6em; text-align: right; }
th { background: #f1f4f8; } td:first-child, th:first-child { text-align: left; }
figure { margin: 1.5em 0; } img { max-width: 100%; border: 1px solid #e5e9ef; }
figcaption { font-size: .9em; color: #555; } .note { color: #555; font-size: .92em; }
"""

LOAD_CHECK = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var loaded = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute("data-images-loaded", loaded.length + "/" + images.length);
});
"""


MD_SPECIAL = re.compile(r"([\\\[\]`])")
MD_BLOCK_START = re.compile(r"^(\s*)([#>*+=-]|\d+[.)])")


@dataclass(frozen=True)
class Picture:
    """A PNG written beside the report, with its caption."""

    file: str
    caption: str


@dataclass(frozen=True)
class Table:
    caption: str
    frame: pd.DataFrame  # already formatted as text


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    pictures: list[Picture] = field(default_factory=list)


def to_markdown(title: str, intro: list[str], sections: list[Section]) -> str:
    lines = [f"# {md_text(title)}", "", *_paragraphs_md(intro)]
    for section in sections:
        lines += [f"## {md_text(section.title)}", "", *_paragraphs_md(section.paragraphs)]
        for picture in section.pictures:
            caption = md_text(picture.caption)
            lines += [f"![{caption}]({picture.file})", "", f"*{caption}*", ""]
        for table in section.tables:
            lines += [f"**{md_text(table.caption)}**", "", _table_md(table.frame), ""]
    return "\n".join(lines).rstrip() + "\n"


def md_text(text: object, *, block: bool = True) -> str:
    """Plain text for Markdown: no raw HTML, link, image, heading or block can come of it
    (`block=False` inside a table cell, where no block can start)."""
    flat = " ".join(str(text).split())  # newlines and tabs fold into spaces
    escaped = MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))
    return MD_BLOCK_START.sub(r"\1\\\2", escaped) if block else escaped


def _paragraphs_md(paragraphs: list[str]) -> list[str]:
    return [line for paragraph in paragraphs for line in (md_text(paragraph), "")]


def _table_md(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(_cell_md(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join(_cell_md(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join([header, rule, *rows])


def _cell_md(value: object) -> str:
    return md_text(value, block=False).replace("|", "\\|")


def to_html(title: str, intro: list[str], sections: list[Section], images: dict[str, bytes]) -> str:
    """The report as one HTML page, pictures embedded from `images` (file name -> PNG)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>",
        f"<script>{LOAD_CHECK}</script></head><body>",
        f"<h1>{html.escape(title)}</h1>",
        *(f"<p>{html.escape(p)}</p>" for p in intro),
    ]
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        parts += [f'<p class="note">{html.escape(p)}</p>' for p in section.paragraphs]
        for picture in section.pictures:
            data = base64.b64encode(images[picture.file]).decode("ascii")
            caption = html.escape(picture.caption)
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
        for table in section.tables:
            parts.append(f"<h3>{html.escape(table.caption)}</h3>{_table_html(table.frame)}")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _table_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
