"""The district's fixed list of food allergens, with the words registers, kitchens and families use for them, so a
senior "对花生米过敏" and a dish "含花生酱" meet on 花生, and "海鲜" blocks a shrimp dish. Used by seniors (import
and record), dishes (catalogue) and ordering's allergy rule alike; matching is by allergen, never by text.

Words not on the list (a 忌口 such as 香菜) are kept as written and still compared as text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

ALLERGENS = ("花生", "坚果", "乳制品", "鸡蛋", "鱼", "甲壳类", "贝类", "大豆", "小麦", "芝麻")
SYNONYMS: dict[str, tuple[str, ...]] = {
    "花生": ("花生米", "花生酱", "花生油", "花生碎", "落花生", "长生果"),
    "坚果": ("核桃", "杏仁", "腰果", "榛子", "开心果", "松子", "夏威夷果", "碧根果", "坚果类", "果仁"),
    "乳制品": ("奶", "牛奶", "乳", "奶制品", "乳品", "乳糖", "奶酪", "芝士", "黄油", "酸奶", "奶粉", "牛乳", "羊奶"),
    "鸡蛋": ("蛋", "蛋类", "禽蛋", "鸭蛋", "鹌鹑蛋", "蛋清", "蛋白", "蛋黄"),
    "鱼": ("鱼类", "鱼肉", "鱼虾", "带鱼", "黄鱼", "鲈鱼", "鲫鱼", "草鱼", "鲳鱼", "鱼露"),
    "甲壳类": ("虾", "蟹", "虾蟹", "螃蟹", "虾仁", "虾皮", "虾米", "龙虾", "大闸蟹", "蟹粉", "蟹肉"),
    "贝类": ("贝", "蛤蜊", "扇贝", "牡蛎", "生蚝", "蛏子", "蚬子", "海螺", "蛤"),
    "大豆": ("黄豆", "豆制品", "豆腐", "豆浆", "豆干", "腐竹", "大豆制品"),
    "小麦": ("麸质", "面筋", "小麦粉", "面粉", "麦麸", "谷蛋白"),
    "芝麻": ("芝麻酱", "芝麻油", "麻油", "香油", "黑芝麻", "白芝麻"),
}
# Words that mean several allergens at once.
GROUPS: dict[str, tuple[str, ...]] = {"海鲜": ("鱼", "甲壳类", "贝类"), "水产": ("鱼", "甲壳类", "贝类"),
                                      "海产品": ("鱼", "甲壳类", "贝类"), "鱼虾": ("鱼", "甲壳类")}
WORD_TO_ALLERGENS: dict[str, tuple[str, ...]] = {
    **{a: (a,) for a in ALLERGENS}, **{w: (a,) for a, words in SYNONYMS.items() for w in words}, **GROUPS}
SEPARATORS = r"[，,、；;/\s]+"


@lru_cache(maxsize=4096)
def _word(text: str) -> str:
    word = unicodedata.normalize("NFKC", text).strip()
    return re.sub(r"^(?:对|含|含有)|(?:过敏|不耐受)$", "", word)


def canonical(words: Iterable[str]) -> list[str]:
    """The allergens of the words, list order first, then unknown words as written: ["海鲜", "花生米", "香菜"]
    -> ["鱼", "甲壳类", "贝类", "花生", "香菜"]."""
    known: set[str] = set()
    other: list[str] = []
    for raw in words:
        word = _word(raw)
        if word in WORD_TO_ALLERGENS:
            known.update(WORD_TO_ALLERGENS[word])
        elif word and word not in other:
            other.append(word)
    return [a for a in ALLERGENS if a in known] + other


def split(text: str) -> list[str]:
    return [w for w in re.split(SEPARATORS, text or "") if w.strip()]


def normalise(text: str) -> tuple[str, list[str]]:
    """("海鲜、花生米") -> ("鱼,甲壳类,贝类,花生", ["“海鲜” → 鱼、甲壳类、贝类", "“花生米” → 花生"]): the stored
    form and, for each word that was not already an allergen's own name, what it became."""
    words = split(text)
    notes = []
    for w in words:
        found = WORD_TO_ALLERGENS.get(_word(w))
        if found is not None and found != (w.strip(),):
            notes.append(f"“{w.strip()}” → {'、'.join(found)}")
    return ",".join(canonical(words)), notes


def conflicts(dish_allergens: Iterable[str], senior_allergies: Iterable[str]) -> tuple[str, ...]:
    """What the senior must not eat in this dish, compared by allergen (and unknown words by text), so data typed
    before the list existed is still safe. Each is named as both wrote it when they agree ("虾"), otherwise by
    the list's name ("花生" for a 花生酱 dish and a 花生米 senior), so the refusal reads true for both.

    A menu page asks this for every item and every alternative (hundreds of times per request, issue 21), with
    few distinct inputs: the answers are kept per (dish allergens, senior allergies)."""
    return _conflicts(tuple(dish_allergens), tuple(senior_allergies))


@lru_cache(maxsize=8192)
def _conflicts(dish_allergens: tuple[str, ...], senior_allergies: tuple[str, ...]) -> tuple[str, ...]:
    said = [_word(w) for w in senior_allergies]
    allergic = set(canonical(said))
    found: list[str] = []
    for word in dish_allergens:
        hit = [a for a in canonical([word]) if a in allergic]
        names = [_word(word)] if _word(word) in said else hit
        found += [n for n in names if n not in found]
    return tuple(found)
