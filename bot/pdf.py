"""Letters as PDF: what people print, sign and mail.

A letter is set like a letter: a proportional face, its title and clause headings in bold, and
at the foot of every page the account it is about and "Page 1 of 2", so a page that comes loose
still says where it belongs. The letter itself is plain text (the same words go to the `.txt`
file and the export), and its shape is read from its lines:

- the first line, in capitals ("SETTLEMENT AGREEMENT"), is the title; so is a first line the
  letter's title starts with (和解協議書, of 和解協議書：國泰世華銀行: Chinese has no capitals);
- a numbered line with no full stop, . or 。 ("3. Payment method", "1. 和解金額"), is a clause
  heading, and a line starting "Re:" or "主旨：" is the subject; both in bold;
- an indented line (a payment of the schedule) keeps its indentation; a blank line is a gap;
- a line to write on by hand ("Signature: ______") has room above it.

A line with Chinese in it wraps at any character, as Chinese is set (it has no spaces to wrap
at); a line without wraps between words.

A letter Latin-1 can write uses the PDF core font Helvetica; one with other scripts in it (a
creditor's name in Greek) uses DejaVu Sans when it is installed, and otherwise Helvetica with
those characters replaced rather than breaking the letter. Chinese, Japanese and Korean need a
CJK font besides: the one `cjk_font` names (DEBTCOACH_CJK_FONT), or else the first of CJK_FONTS
installed. It writes what DejaVu Sans has no glyph for (fpdf2's fallback fonts), or the whole
letter where DejaVu Sans is missing, and where it has no bold face its regular one is drawn
thicker. With no CJK font the letter is not made (`NoFontError`): a creditor's name left blank
would be posted as it is, so the caller sends the plain text instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.logs import quiet_libraries

if TYPE_CHECKING:
    from fpdf import FPDF

LINE_HEIGHT = 5.2  # mm, for the 10.5 pt body
BODY_SIZE = 10.5
TITLE_SIZE = 15
FOOT_SIZE = 8
GAP = 2.6  # mm for a blank line
INDENT = 8  # mm for an indented line
WRITE_ON = 3.5  # mm more above a line to write on ("Signature: ____")
FAKE_BOLD = 0.012  # the outline drawn round a face with no bold, in mm per point of its size
UNICODE_FONTS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
SUBJECTS = ("Re:", "主旨：")
_HEADING = re.compile(r"\d{1,2}\. [^\s.。][^.。]{0,60}")
_TITLE = re.compile(r"[A-Z][A-Z0-9 ,'&-]{2,60}")
# Han (with its radicals, strokes and compatibility forms), CJK punctuation and full-width forms,
# kana, bopomofo and hangul: the characters that only a CJK font has.
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7ff"
    "\uf900-\ufaff\ufe10-\ufe1f\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)


@dataclass(frozen=True, slots=True)
class CjkFont:
    """A font with Chinese characters: its file, the face to take from it when it is a collection
    (.ttc: several faces, one per region), and the file of its bold face if it has one."""

    path: Path
    face: str
    bold: Path | None = None


_NOTO = Path("/usr/share/fonts/opentype/noto")
# Best first. Each is a Debian and Ubuntu package; each has Latin letters too.
CJK_FONTS = (
    # fonts-arphic-uming: a Ming face, as Taiwan's letters and forms are printed, and TrueType.
    CjkFont(Path("/usr/share/fonts/truetype/arphic/uming.ttc"), "AR PL UMing TW"),
    # fonts-noto-cjk: OpenType with CFF outlines, which fpdf2 embeds as they are; with bold faces.
    CjkFont(_NOTO / "NotoSansCJK-Regular.ttc", "Noto Sans CJK TC", _NOTO / "NotoSansCJK-Bold.ttc"),
    CjkFont(_NOTO / "NotoSerifCJK-Regular.ttc", "Noto Serif CJK TC", _NOTO / "NotoSerifCJK-Bold.ttc"),
    # fonts-wqy-zenhei: simplified and traditional characters alike.
    CjkFont(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), "WenQuanYi Zen Hei"),
)
CJK_PACKAGE = "fonts-arphic-uming"


class NoFontError(Exception):
    """The letter has Chinese (Japanese, Korean) characters and no font here can write them.
    Its message names what to install, never the letter's words."""


@dataclass(frozen=True, slots=True)
class Faces:
    """What a letter is set in: the family to select, whether it has a bold face, and whether the
    CJK characters in it have one (the family's own or its fallback's)."""

    family: str
    bold: bool = True
    cjk_bold: bool = True


def letter_pdf(title: str, text: str, footer: str = "", *, cjk_font: Path | None = None) -> bytes:
    """`footer`: what the foot of each page says, `{page}` and `{pages}` filled in ("Account
    1234 \u00b7 Page {page} of {pages}"); a letter drafted without one shows the numbers alone.
    `cjk_font`: the font file for Chinese characters (DEBTCOACH_CJK_FONT), in place of CJK_FONTS.
    Raises NoFontError for a letter with Chinese characters when there is no font for them."""
    # Imported here: fpdf2 (with fontTools and Pillow) is most of a waiting bot's memory, and most
    # processes draft no letter for hours.
    from fpdf import FPDF

    # fpdf2 spells out each glyph a font lacks, and fontTools names the glyphs it subsets: a
    # creditor's name, character by character. Quiet in every process that makes a letter, not
    # only those that set up logging (bot/logs.py).
    quiet_libraries("fpdf", "fontTools")

    class Letter(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font(faces.family, size=FOOT_SIZE)
            self.set_text_color(90)
            # The template's words, with this page's number and the count fpdf2 puts in at the end.
            words = foot or "{page} / {pages}"
            self.cell(0, 5, words.replace("{page}", str(self.page_no())).replace("{pages}", "{nb}"), align="C")
            self.set_text_color(0)

    pdf = Letter(format="Letter" if _is_us(text) else "A4")
    pdf.set_title(title)
    pdf.set_creator("DebtCoach")
    pdf.set_margins(25, 22, 25)
    pdf.set_auto_page_break(auto=True, margin=22)
    if _fits_latin1(text + footer):
        faces = Faces("Helvetica")
        text, footer = _latin1(text), _latin1(footer)
    else:
        faces = _add_fonts(pdf, text + footer, cjk_font)
        if faces.family == "Helvetica":
            text, footer = _latin1(text), _latin1(footer)
    foot = footer.strip()
    pdf.add_page()
    _set(pdf, faces, title, text)
    return bytes(pdf.output())


def needs_cjk_font(text: str) -> bool:
    """A letter with Chinese characters: its font takes the best part of a second to load."""
    return bool(_CJK.search(text))


def _add_fonts(pdf: FPDF, text: str, cjk_font: Path | None) -> Faces:
    """Helvetica, built into every PDF reader, is embedded by nobody and costs a few ms; loading
    and subsetting DejaVu costs some 40 ms and a CJK font half a second, so each is added only
    for what the fonts before it cannot show."""
    latin = _unicode_font()
    if latin is not None:
        pdf.add_font("Letter", fname=str(latin / "DejaVuSans.ttf"))
        pdf.add_font("Letter", style="B", fname=str(latin / "DejaVuSans-Bold.ttf"))
    if not _CJK.search(text):
        return Faces("Letter") if latin is not None else Faces("Helvetica")
    font = _cjk_font(cjk_font)
    try:
        pdf.add_font("CJK", fname=str(font.path), collection_font_number=_face_number(font.path, font.face))
        if font.bold is not None:
            pdf.add_font("CJK", "B", fname=str(font.bold), collection_font_number=_face_number(font.bold, font.face))
    except NoFontError:
        raise
    except Exception as exc:  # a file that is no font, or one fpdf2 cannot read
        raise NoFontError(f"the CJK font {font.path} cannot be read ({type(exc).__name__})") from exc
    if latin is None:
        return Faces("CJK", bold=font.bold is not None, cjk_bold=font.bold is not None)
    # DejaVu Sans writes the Latin letters and digits, the CJK font everything it lacks; a bold
    # line takes the CJK font's regular face where it has no bold (then drawn thicker, in `_set`).
    pdf.set_fallback_fonts(["CJK"], exact_match=False)
    return Faces("Letter", cjk_bold=font.bold is not None)


def _cjk_font(named: Path | None) -> CjkFont:
    if named is not None:
        if not named.is_file():
            raise NoFontError(f"DEBTCOACH_CJK_FONT names no file: {named}")
        return CjkFont(named, "")
    found = next((font for font in CJK_FONTS if font.path.is_file()), None)
    if found is None:
        raise NoFontError(f"no font for Chinese characters is installed (the package {CJK_PACKAGE})")
    return found if found.bold is None or found.bold.is_file() else CjkFont(found.path, found.face)


@cache
def _face_number(path: Path, face: str) -> int:
    """Which face of a collection is `face` (by its family name); for "", the first Traditional
    Chinese one (TC, TW), else the first. 0 for a file that holds one face."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

    with path.open("rb") as file:  # closed even when fontTools finds it is no collection
        names = [str(font["name"].getDebugName(1) or "") for font in TTCollection(file, lazy=True).fonts]
    if face:
        if face not in names:
            raise NoFontError(f"{path} has no face {face}")
        return names.index(face)
    return next((i for i, name in enumerate(names) if re.search(r"\b(TC|TW)\b", name)), 0)


def _set(pdf: FPDF, faces: Faces, title: str, text: str) -> None:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    for number, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            pdf.ln(GAP)
            continue
        cjk = bool(_CJK.search(stripped))
        if number == first and _is_title(stripped, title):
            with _font(pdf, faces, TITLE_SIZE, bold=True, cjk=cjk):
                _write(pdf, pdf.epw, 8, stripped, cjk, align="C")
            pdf.ln(GAP)
            continue
        indent = INDENT if line.startswith(" ") else 0
        heading = not indent and bool(_HEADING.fullmatch(stripped))
        if heading and pdf.will_page_break(LINE_HEIGHT * 4):
            pdf.add_page()  # a heading goes with the start of its clause
        if "___" in stripped:
            pdf.ln(WRITE_ON)  # room above a line to sign or write on by hand
        pdf.set_x(pdf.l_margin + indent)
        width = pdf.epw - indent
        with _font(pdf, faces, BODY_SIZE, bold=heading or stripped.startswith(SUBJECTS), cjk=cjk):
            _write(pdf, width, LINE_HEIGHT, stripped, cjk)


def _write(pdf: FPDF, width: float, height: float, text: str, cjk: bool, align: str = "L") -> None:
    """One line of the letter, wrapped to `width` from where it starts. A line with Chinese in it
    is cut at the breaks `_cjk_lines` finds, and each part is a cell of its own, in a local
    context: fpdf2 2.8.9 loses the font between two lines of one cell when the first ends in the
    fallback font and the next opens in the main one (NT$80,000 left blank on the next line)."""
    from fpdf.enums import WrapMode

    if not cjk:
        pdf.multi_cell(width, height, text, align=align, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.WORD)
        return
    x = pdf.get_x()
    for line in _cjk_lines(pdf, width, height, text):
        pdf.set_x(x)
        with pdf.local_context():
            pdf.multi_cell(width, height, line, align=align, new_x="LMARGIN", new_y="NEXT", wrapmode=WrapMode.CHAR)


def _cjk_lines(pdf: FPDF, width: float, height: float, text: str) -> list[str]:
    """A line with Chinese in it as the lines it is set in. Chinese may break between any two
    characters, but fpdf2's WrapMode.CHAR breaks anywhere at all: inside NT$80,000 (NT$80,0 on
    one line, 00 on the next), or before a full stop. So each line is cut where fpdf2 would cut
    it (it knows the widths, the fallback font's included), then moved back to the nearest
    break `_may_break` allows."""
    from fpdf.enums import MethodReturnValue, WrapMode

    lines: list[str] = []
    rest = text
    while rest:
        fitted = pdf.multi_cell(
            width, height, rest, dry_run=True, output=MethodReturnValue.LINES, wrapmode=WrapMode.CHAR
        )
        fits = str(fitted[0]) if isinstance(fitted, list) and fitted else rest
        cut = len(fits)
        if cut >= len(rest) or cut == 0 or not rest.startswith(fits):
            lines.append(rest)
            break
        # A line with nowhere to break (a long figure) is cut where it is full.
        better = next((i for i in range(cut, 0, -1) if _may_break(rest[i - 1], rest[i])), cut)
        lines.append(rest[:better].rstrip())
        rest = rest[better:].lstrip()
    return lines


# Kept off the start of a line (closing marks) and off its end (opening marks), as Chinese is set.
_NO_LINE_START = frozenset("，。、；：！？）」』》〉】〕…,.;:!?)%")
_NO_LINE_END = frozenset("「『（《〈【〔(")


def _may_break(before: str, after: str) -> bool:
    """Whether a line may end between these two characters: not inside a word or a figure of
    Latin letters and digits (NT$120,000), not before a closing mark, not after an opening one."""
    if after in _NO_LINE_START or before in _NO_LINE_END:
        return False
    latin = not (before.isspace() or after.isspace() or _CJK.match(before) or _CJK.match(after))
    return not latin


@contextmanager
def _font(pdf: FPDF, faces: Faces, size: float, *, bold: bool, cjk: bool) -> Iterator[None]:
    """Set a line in its face. A bold the fonts lack (a CJK font with no bold face) is the
    regular face drawn with an outline round each glyph: fpdf2 has no bold it was not given."""
    from fpdf.enums import TextMode

    fake = bold and not (faces.bold and (faces.cjk_bold or not cjk))
    pdf.set_font(faces.family, "B" if bold and not fake else "", size)
    outline = {"text_mode": TextMode.FILL_STROKE, "line_width": FAKE_BOLD * size} if fake else {}
    # Each line in a local context, which puts fpdf2's state back after it, and the PDF's: the
    # outline ends with its line, and a line that opens in the fallback font and ends in it (a
    # line of Chinese) no longer leaves the next line with no font selected in the PDF (fpdf2
    # 2.8.9 then takes the font selected inside the line's own q/Q as selected on the page).
    with pdf.local_context(**outline):
        yield


def _is_title(line: str, title: str) -> bool:
    """Capitals, or what the letter's title says before its colon ("和解協議書：國泰世華銀行")."""
    return bool(_TITLE.fullmatch(line)) or title == line or title.startswith((f"{line}:", f"{line}："))


def _is_us(text: str) -> bool:
    """US paper for a letter in dollars."""
    return "$" in text and "NT$" not in text


def _unicode_font() -> Path | None:
    faces = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
    return next((d for d in UNICODE_FONTS if all((d / face).is_file() for face in faces)), None)


def _fits_latin1(text: str) -> bool:
    try:
        _typographic(text).encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _latin1(text: str) -> str:
    return _typographic(text).encode("latin-1", "replace").decode("latin-1")


def _typographic(text: str) -> str:
    """Quotes, dashes and ellipses as Latin-1 has them."""
    replacements = {
        "\u2019": "'",
        "\u2018": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
    for bad, good in replacements.items():
        text = text.replace(bad, good)
    return text
