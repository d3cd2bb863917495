"""What the practice page shows of a practice's facts: its dates, sums of euros and EURA links in the
interface language (template helpers)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from babel import Locale
from babel.numbers import format_currency, format_percent
from flask_babel import format_date, get_locale

from ..content.facts import EURA2014_PERIOD, EURA2021_SERVICE, RESULTS
from .site import bp


def date_text(iso: str | None, style: str = "medium") -> str:
    """An ISO date in the interface language (``2018-07-31`` → ``31.7.2018`` in Finnish); "" for none."""
    if not iso:
        return ""
    try:
        return format_date(dt.date.fromisoformat(iso), style)
    except (ValueError, TypeError):
        return str(iso)


def euros(amount: float | int | None) -> str:
    """A sum of euros in the interface language, cents only when there are any (``2 499 130 €``)."""
    if amount is None:
        return ""
    locale = Locale.parse(str(get_locale() or "fi"))
    pattern = locale.currency_formats["standard"].pattern
    if float(amount).is_integer():
        pattern = pattern.replace(".00", "")
    return format_currency(amount, "EUR", format=pattern, locale=locale, currency_digits=False)


def share(part: float | int | None, whole: float | int | None) -> str:
    """``part`` as a percentage of ``whole`` (``43,8 %``), or "" when it cannot be said."""
    if part is None or not whole:
        return ""
    locale = Locale.parse(str(get_locale() or "fi"))
    pattern = re.sub(r"0(?!.*0)", "0.0", locale.percent_formats[None].pattern)  # one decimal: 43,8 %
    return format_percent(part / whole, pattern, locale=locale)


def results_section(sections: list[dict] | None) -> dict | None:
    """The description's results and evaluation section, if it has one."""
    return next((s for s in sections or () if s.get("key") == RESULTS), None)


@bp.app_context_processor
def fact_helpers() -> dict[str, Any]:
    return {"date_text": date_text, "euros": euros, "share": share, "results_section": results_section,
            "EURA2014_PERIOD": EURA2014_PERIOD, "EURA2021_SERVICE": EURA2021_SERVICE}
