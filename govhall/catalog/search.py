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


MAX_ALTERNATIVES = 24


def alternatives(query: str) -> list[str]:
    """The query as typed and as rewritten with the synonym table: each everyday word found in it (社保卡 in
    补办社保卡) replaced by each of its catalog words (社会保障卡), longer words first, combinations included
    (补办 → 补领 and 社保卡 → 社会保障卡 give 补领社会保障卡)."""
    from .models import Synonym

    whole = _PUNCT.sub(" ", query or "").strip().lower()
    if not whole:
        return []
    found = sorted((s for s in Synonym.objects.all() if s.word.lower() in whole), key=lambda s: -len(s.word))
    result = [whole]
    for synonym in found:
        word = synonym.word.lower()
        extra = [alt.replace(word, f" {term} ") for alt in result if word in alt for term in synonym.terms()]
        result += [alt for alt in extra if alt not in result]
        if len(result) >= MAX_ALTERNATIVES:
            break
    return result[:MAX_ALTERNATIVES]


def search_items(queryset: QuerySet[_M], query: str) -> QuerySet[_M]:
    """Filter items to those matching every word of the query, or of one of its synonym rewrites, or having the
    query among their popular names (俗称); items whose name contains the whole query rank first."""
    words = query_tokens(query)
    if not words:
        return queryset
    condition = _all_words(words) | Q(aliases__icontains=query.strip())
    for alternative in alternatives(query)[1:]:
        alt_words = query_tokens(alternative)
        if alt_words:
            condition |= _all_words(alt_words)
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
