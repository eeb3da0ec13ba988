from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from govhall.catalog.choices import HandlingKind, ItemType, OnlineDepth, Visits
from govhall.org.models import Department

PAGE_SIZE = 20


def _choices(choices: list[tuple[Any, str]]) -> list[tuple[Any, str]]:
    return [("", gettext("不限")), *((value, gettext(label)) for value, label in choices)]


class ItemFilterForm(forms.Form):
    """The public search form. Every field is optional; an invalid value is dropped instead of failing the page."""

    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("输入事项名称，如：营业执照"),
                "autocomplete": "off",
                "enterkeyhint": "search",
            }
        ),
    )
    department = forms.TypedChoiceField(label=_("实施部门"), required=False, coerce=int, empty_value=None)
    item_type = forms.ChoiceField(label=_("事项类型"), required=False)
    visits = forms.TypedChoiceField(label=_("到现场次数"), required=False, coerce=int, empty_value=None)
    online_depth = forms.ChoiceField(label=_("网上办理深度"), required=False)
    handling_kind = forms.ChoiceField(label=_("办件类型"), required=False)

    def __init__(self, *args: Any, departments: list[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["department"].choices = [("", gettext("全部部门")), *((d.pk, d.name) for d in departments)]
        fields["item_type"].choices = _choices(ItemType.choices)
        fields["visits"].choices = _choices(Visits.choices)
        fields["online_depth"].choices = _choices(OnlineDepth.choices)
        fields["handling_kind"].choices = _choices(HandlingKind.choices)

    def filters(self) -> dict[str, Any]:
        """The valid, non-empty filters; bad values (old bookmarks, hand-edited URLs) are ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        return any(k != "q" for k in self.filters())
