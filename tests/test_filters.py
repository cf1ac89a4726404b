"""The Jinja filters of this field and the heading labels of the 出國報告."""

import datetime as dt

from meetdocs.filters import fullwidth, roc_date, zh_date_range, zh_item, zh_numeral
from meetdocs.formats import outline


def test_roc_dates():
    assert roc_date(dt.date(2019, 5, 13)) == "108年5月13日"
    assert roc_date(dt.date(2019, 5, 13), spaced=True) == "108 年 5 月 13 日"
    assert roc_date(dt.date(2026, 2, 10)) == "115年2月10日"


def test_chinese_date_ranges():
    assert zh_date_range(dt.date(2026, 2, 1), dt.date(2026, 2, 10)) == "2月1日至10日"
    assert zh_date_range(dt.date(2026, 8, 31), dt.date(2026, 9, 4)) == "8月31日至9月4日"
    assert zh_date_range(dt.date(2026, 7, 23)) == "7月23日"
    assert zh_date_range(dt.date(2026, 2, 1), dt.date(2026, 2, 10), year=True,
                         roc=True) == "115年2月1日至10日"


def test_numerals_and_list_marks():
    assert [zh_numeral(n) for n in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]
    assert zh_numeral(3, formal=True) == "參"
    assert zh_item(10) == "（十）"
    assert fullwidth("SOM1 2026") == "ＳＯＭ１ ２０２６"


def test_outline_numbers_follow_the_official_hierarchy():
    headings = [(1, False, "摘要"), (1, True, "目的"), (1, True, "會議過程"),
                (2, True, "開幕式"), (3, True, "開放"), (3, True, "創新"),
                (2, True, "年度會議規劃"), (1, True, "附錄")]
    entries = outline([{"level": lv, "numbered": num, "text": t, "id": t}
                       for lv, num, t in headings])
    assert [e["label"] + e["text"] for e in entries] == [
        "摘要", "壹、目的", "貳、會議過程", "一、開幕式", "（一）開放", "（二）創新",
        "二、年度會議規劃", "參、附錄"]
