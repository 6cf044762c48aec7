"""The search key of a person's name: what the people pickers match (teams.people_picker), so that
"zs", "zhangsan" or "zhang san" finds 张三 as well as "张", "三" or part of the e-mail address.

The key is the name and the e-mail in lower case, then, for a name with Chinese characters, its full
pinyin and its initials (pypinyin). A surname read differently from the common reading (曾 zeng, 单
shan) adds each of its readings. It lives on ``User.search_key`` and is kept by ``User.save`` and
``UserManager.bulk_create``; a pg_trgm index serves ``LIKE '%…%'`` on it."""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin, pinyin

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[^a-z0-9]+")
SURNAME_READINGS = 4


def _letters(syllables: list[str]) -> str:
    return LATIN.sub("", "".join(syllables).lower())


def name_search_key(display_name: str, email: str = "") -> str:
    """The lower-case text a people search matches for a person called `display_name`."""
    name = (display_name or "").strip()
    parts = [name.lower(), (email or "").strip().lower()]
    han = [char for char in name if HAN.match(char)]
    if han:
        syllables = [lazy_pinyin(char)[0] for char in han]
        readings = [syllables[0]]
        if HAN.match(name[0]):  # a surname: each of its readings (曾 zeng, 单 shan)
            readings += pinyin(name[0], style=Style.NORMAL, heteronym=True)[0][:SURNAME_READINGS]
        for reading in dict.fromkeys(readings):
            spelled = [reading, *syllables[1:]] if HAN.match(name[0]) else syllables
            parts.append(_letters(spelled))
            parts.append(_letters([syllable[:1] for syllable in spelled]))
    return " ".join(dict.fromkeys(p for p in parts if p))
