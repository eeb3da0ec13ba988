"""Chinese full-text search over the catalog with jieba.

Each item keeps a ``search_text`` of space-separated jieba tokens (search mode) of its name, department,
result name and conditions; a query is cut the same way and every token must appear. Plain substring
tokens keep the matching identical on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any, TypeVar

import jieba
from django.db.models import Case, IntegerField, Model, Q, QuerySet, Value, When

jieba.setLogLevel(logging.WARNING)

_PUNCT = re.compile(r"[\s\u3000，。、；：？！“”‘’（）()《》【】\[\],.;:?!'\"/\\|-]+")


@lru_cache(maxsize=1)
def _ready() -> bool:
    jieba.initialize()
    return True


def tokens(text: str) -> list[str]:
    _ready()
    seen: dict[str, None] = {}
    for part in _PUNCT.split(text or ""):
        if not part:
            continue
        for token in jieba.cut_for_search(part):
            token = token.strip().lower()
            if token:
                seen.setdefault(token, None)
    return list(seen)


def build_search_text(*fields: str) -> str:
    return " ".join(tokens(" ".join(f for f in fields if f)))


def item_search_text(item: Any) -> str:
    return build_search_text(
        item.name,
        item.department.name,
        item.result_name,
        getattr(item, "aliases", ""),
        item.acceptance_conditions[:200],
    )


def query_tokens(query: str) -> list[str]:
    """The words of a query that must all match: jieba's longest cut, so 营业执照 stays one word."""
    _ready()
    words: list[str] = []
    for part in _PUNCT.split(query or ""):
        if part:
            words.extend(w.strip().lower() for w in jieba.cut(part) if w.strip())
    return words


_M = TypeVar("_M", bound=Model)


def _all_words(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(search_text__contains=word) | Q(name__icontains=word)
    return condition


def search_items(queryset: QuerySet[_M], query: str) -> QuerySet[_M]:
    """Filter items to those matching every query word, or a popular name (俗称) or a synonym of the query;
    items whose name contains the whole query rank first.

    A synonym's catalog words replace the word it stands for: 补办社保卡 with 社保卡 → 社会保障卡 searches
    补办 + 社会保障卡 as well as the words typed."""
    words = query_tokens(query)
    if not words:
        return queryset
    condition = _all_words(words) | Q(aliases__icontains=query.strip())
    from .models import Synonym

    whole = _PUNCT.sub("", query).lower()
    by_word = {s.word: s.terms() for s in Synonym.objects.filter(word__in={whole, *words})}
    for term in by_word.get(whole, []):
        condition |= _all_words(query_tokens(term))
    for word, terms in by_word.items():
        if word == whole or word not in words:
            continue
        rest = [w for w in words if w != word]
        for term in terms:
            condition |= _all_words(rest + query_tokens(term))
    ranked: QuerySet[_M] = (
        queryset.filter(condition)
        .annotate(
            _rank=Case(
                When(name__icontains=query.strip(), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("_rank", *(queryset.query.order_by or queryset.model._meta.ordering))
    )
    return ranked
