"""What the PDF writer adds to the HTML before rendering (meetdocs/writers/pagefit.py)."""

from __future__ import annotations

from meetdocs.writers.pagefit import BREAK, prepare
from meetdocs.writers.pagefit import breakable_address as breakable

KEEP = '<span class="keep-end" style="white-space: nowrap">'


def body(html: str, lang: str = "zh-TW") -> str:
    out = prepare(f'<html lang="{lang}"><body>{html}</body></html>')
    return out.split("<body>")[1].split("</body>")[0]


def test_the_last_two_characters_and_their_punctuation_stay_together():
    assert body("<p>方面的準備工作。</p>") == f"<p>方面的準備{KEEP}工作。</span></p>"
    assert body("<ul><li>一二三四</li></ul>") == f"<ul><li>一二{KEEP}三四</span></li></ul>"


def test_a_note_call_or_page_footnote_is_kept_but_not_counted_nor_cut():
    assert body('<p>合作<sup class="note-call">注1</sup>。</p>') == \
        f'<p>{KEEP}合作<sup class="note-call">注1</sup>。</span></p>'
    footnote = '<span class="footnote">同一則註解。</span>'
    assert body(f"<p>第一次引用{footnote}。</p>") == \
        f"<p>第一次{KEEP}引用{footnote}。</span></p>"


def test_an_element_the_end_starts_in_is_cut_in_two():
    assert body("<p><strong>專業部長會議(Sectoral Meetings, SMM)</strong></p>") == \
        f'<p><strong>專業部長會議<span lang="en">(Sectoral Meetings,</span> </strong>{KEEP}<strong>SMM)</strong></span></p>'


def test_a_long_latin_string_is_never_kept_from_breaking():
    address = "very.long.mailbox@apec-secretariat-example.org.tw"
    assert body(f"<p>見 {address} 。</p>") == \
        f'<p>見<span class="latin-space"> <span class="long-token">{breakable(address)}' \
        f'</span></span>{KEEP} 。</span></p>'
    # The same address as a link (a bare address in Markdown becomes one).
    link = f'<a href="mailto:{address}">{address}</a>'
    marked = link.replace(f">{address}<",
                          f'><span class="long-token">{breakable(address)}</span><')
    assert body(f"<p>見 {link} 。</p>") == \
        f'<p>見<span class="latin-space"> </span>{marked}{KEEP} 。</span></p>'
    assert body(f"<p>見 {link}</p>") == f'<p>見<span class="latin-space"> </span>{marked}</p>'


def test_english_documents_and_blocks_without_text_ends_are_left_alone():
    assert body("<p>the APEC SOM.</p>", lang="en-US") == "<p>the APEC SOM.</p>"
    assert body('<p>圖<img src="a.png"></p>') == '<p>圖<img src="a.png"></p>'


def test_wide_tables_are_put_in_a_div_and_short_cells_kept_whole():
    row = "".join(f"<td>{n}</td>" for n in "一二三四")
    html = body(f"<table><tr>{row}</tr></table>")
    assert html.startswith('<div class="wide"><table>')
    assert '<td style="white-space: nowrap">一</td>' in html
    narrow = body("<table><tr><td>一</td><td>二</td></tr></table>")
    assert not narrow.startswith("<div")


def test_english_words_in_chinese_text_are_marked_for_hyphenation():
    assert body("<p>亞太經濟合作(Asia-Pacific Economic Cooperation, APEC)於今年舉辦會議</p>") == \
        '<p>亞太經濟合作<span lang="en">(Asia-Pacific Economic Cooperation, APEC)</span>' \
        f"於今年舉辦{KEEP}會議</span></p>"
    # Words too short to hyphenate are left alone.
    assert body("<p>由APEC與WTO共同舉辦之會議</p>") == f"<p>由APEC與WTO共同舉辦之{KEEP}會議</span></p>"


def test_urls_addresses_code_and_links_are_not_hyphenated():
    for kept in ("見 https://www.apec.org/meeting-papers 網站", "寄 secretariat@apec.org 信箱",
                 "檔案 report_final.docx 內", "<code>Something long</code>",
                 '<a href="https://apec.org">Website address</a>'):
        assert 'lang="en"' not in body(f"<p>請參考{kept}以及其他資料</p>"), kept


def test_an_english_document_is_not_changed():
    assert body("<p>Senior Officials' Meeting</p>", lang="en") == "<p>Senior Officials' Meeting</p>"


SPACE = '<span class="latin-space">'


def test_a_space_after_a_chinese_character_begins_a_text_box():
    """Pango gives a space the face of the text before it in its box (TW-Kai's space
    is twice the Latin face's); one that begins a box takes the Latin face."""
    assert body("<p>我國於 2019 年加入 APEC，至今已三十餘年</p>") == \
        f"<p>我國於{SPACE} 2019 </span>年加入{SPACE} APEC</span>，至今已三十" \
        f"{KEEP}餘年</span></p>"
    # Before an English run, the space moves into it; before other inline elements
    # it goes alone; spaces in code and after Latin letters are left as they are.
    assert body("<p>推動 Sustainable Urbanization 與 <strong>SMART</strong> 及 "
                "<code>a 字 b</code> 住宅發展的政策</p>") == \
        f'<p>推動<span lang="en"> Sustainable Urbanization</span> 與{SPACE} </span>' \
        f"<strong>SMART</strong> 及{SPACE} </span><code>a 字 b</code> 住宅發展的" \
        f"{KEEP}政策</span></p>"
    # A dash or an ellipsis is the CJK face's too: the space after it as well.
    assert body("<p>APEC — 2019 年的會議與會者眾多</p>").startswith(
        f"<p>APEC —{SPACE} 2019 </span>年的")
    assert body("<p>the APEC SOM.</p>", lang="en") == "<p>the APEC SOM.</p>"


def test_only_a_closing_box_is_made_to_start_a_column():
    from meetdocs.writers.pagefit import start_column

    html = ('<html><body><div class="body"><aside class="box">中</aside><p>文</p>'
            '<aside class="box" style="color: red">甲</aside>\n<aside>乙</aside>'
            '</div></body></html>')
    assert start_column(html, 0) is None  # text follows it: not a closing box
    closing = start_column(html, 1)
    assert '<aside class="box" style="color: red; break-before: column">甲' in closing
    assert closing.count("break-before") == 1
    assert start_column(html, 5) is None


def test_every_pdf_format_imports_the_rules_for_content_of_any_shape():
    """Long strings, tables and pictures of any size are handled by one shared
    stylesheet (templates/shared/any-content.css); a format, or the starter that
    `build.py new-format` copies, that drops the import loses those guarantees."""
    import re

    from conftest import PROJECT
    from meetdocs import scaffold

    sheets = [PROJECT / "templates" / f.parent.name / "style.css"
              for f in (PROJECT / "templates").glob("*/format.yaml")
              if re.search(r"^outputs:.*\bpdf\b", f.read_text(), re.M)]
    assert len(sheets) >= 4
    for sheet in [*sheets, scaffold.STARTER / "style.css"]:
        assert '@import "../shared/any-content.css";' in sheet.read_text(), sheet


def test_a_line_may_break_after_a_gloss_that_a_latin_word_or_number_follows():
    # UAX 14 keeps ")2026" together; in Chinese text the bracket ends a gloss.
    assert "議程》(SEAASR)\u200b2026-2030年" in body("<p>議程》(SEAASR)2026-2030年之落實</p>")
    assert "(A)\u200bB" in body("<p>文字(A)B文字之後</p>")
    # Not inside code, links, English documents, nor before a space or CJK text.
    for kept in ("<code>f(x)2</code>", '<a href="https://a.org">(s)he</a>', "(SOM)會議"):
        assert "\u200b" not in body(f"<p>請參考{kept}以及其他資料</p>"), kept
    assert "\u200b" not in body("<p>(s)he said</p>", lang="en-US")


def test_only_strings_longer_than_any_word_may_break_anywhere():
    """A URL's piece, an address, a 60-letter word or a long code token is put in
    span.long-token (overflow-wrap: anywhere); an English word, a hyphenated name
    and a URL whose pieces are words are not, in any language."""
    from meetdocs.writers.pagefit import LONG_TOKEN

    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    html = body(f"<table><tr><td>Representative Telecommunications {word}</td>"
                "<td><code>a_very_long_identifier_in_code</code></td></tr></table>",
                lang="en")
    assert f'Representative Telecommunications <span class="long-token">{word}</span>' \
        in html
    assert '<code><span class="long-token">a_very_long_identifier_in_code</span></code>' \
        in html
    assert "long-token" not in body("<p>Bio-Circular-Green Economy</p>", lang="en")
    # An address longer than a word breaks anywhere, though its pieces are short,
    # so that the line it starts on is filled; a short one is a word.
    for address in ("https://www.apec.org/meeting-papers/2026", "www.apec.org/about-us",
                    "apec.secretariat@mofa.gov.tw"):
        assert f'<span class="long-token">{breakable(address)}</span>' in \
            body(f"<p>見 {address}。</p>", lang="en"), address
    assert "long-token" not in body("<p>www.apec.org and a@b.org</p>", lang="en")
    # A break after each character but inside its first and last three.
    assert breakable("https://apec.org/a-b") == "htt" + "".join(
        BREAK + c for c in "ps://apec.org/") + BREAK + "a-b"
    assert "long-token" not in body(f"<p>{'x' * LONG_TOKEN}</p>", lang="en")
    assert "long-token" in body(f"<p>{'x' * (LONG_TOKEN + 1)}</p>", lang="en")
    assert "long-token" not in body(f"<pre>{word}</pre>", lang="en")


def test_a_table_whose_words_cannot_fit_a_column_is_wide():
    """Words no longer break anywhere, so a table of three short columns whose
    longest words together pass a briefing column goes wide too."""
    names = "<tr><td>Representatives</td><td>Telecommunications</td><td>Implementation</td></tr>"
    assert body(f"<table>{names}</table>", lang="en").startswith('<div class="wide">')
    short = "<tr><td>Economy</td><td>Representative</td></tr>"
    assert not body(f"<table>{short}</table>", lang="en").startswith("<div")
