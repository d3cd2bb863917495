"""Who publishes the service and under which terms: the publisher, contact and feedback settings,
the content licence, and the addresses a visitor uses to report an error.

Framework-free, so that templates, views and exports read one definition. The settings are
``PUBLISHER``, ``CONTACT_EMAIL`` and ``FEEDBACK_URL`` (``FLASK_PUBLISHER`` … in the environment,
README "Settings"). An installation without a publisher and a contact address is a demonstration
installation: every page says so, and nothing invents a contact in its place.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

# The content licence of the service's own texts; facts from public sources are credited per
# practice (its ``source``). The program itself is GPL-3.0-or-later (LICENSE).
LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_LINK_HEADER = f'<{LICENCE_URL}>; rel="license"'  # RFC 8288 with the relation of RFC 4946
URL_PLACEHOLDER = "{url}"  # in FEEDBACK_URL: replaced by the (percent-encoded) address of the page

_EMAIL = re.compile(r"^[^@\s<>\"(),;:\\\[\]]+@[^@\s<>\"(),;:\\\[\]]+\.[^@\s<>\"(),;:\\\[\]]+$")
MAX_PUBLISHER_CHARS = 200


@dataclass(frozen=True)
class ServiceInfo:
    """The publisher, contact address and feedback address of this installation (each may be empty)."""

    publisher: str = ""
    contact_email: str = ""
    feedback_url: str = ""

    @property
    def demonstration(self) -> bool:
        """True when the installation does not say who publishes it and how to reach them."""
        return not (self.publisher and self.contact_email)

    @property
    def contact_url(self) -> str:
        return f"mailto:{self.contact_email}" if self.contact_email else ""

    @property
    def feedback_address(self) -> str:
        """Where general feedback goes: the feedback form, else the contact address, else nothing."""
        return self.feedback_url.replace(URL_PLACEHOLDER, "") if self.feedback_url else self.contact_url

    def report_error_url(self, page_url: str, subject: str) -> str:
        """Where to report an error on the page at ``page_url``: the feedback form with the page's
        address filled in (where ``FEEDBACK_URL`` has ``{url}``), else an e-mail to the contact address
        whose subject names the page; "" when the installation has no feedback address."""
        if self.feedback_url:
            return self.feedback_url.replace(URL_PLACEHOLDER, quote(page_url, safe=""))
        if self.contact_email:
            return f"mailto:{self.contact_email}?subject={quote(f'{subject} {page_url}', safe='')}"
        return ""

    def missing(self) -> list[str]:
        """The settings a public installation still needs (for the log)."""
        return [name for name, value in (("FLASK_PUBLISHER", self.publisher),
                                         ("FLASK_CONTACT_EMAIL", self.contact_email)) if not value]


def from_config(config: Mapping[str, Any]) -> ServiceInfo:
    """The settings of ``config`` checked; ValueError naming the setting that is malformed."""
    publisher = " ".join(str(config.get("PUBLISHER") or "").split())
    email = str(config.get("CONTACT_EMAIL") or "").strip()
    feedback = str(config.get("FEEDBACK_URL") or "").strip()
    if len(publisher) > MAX_PUBLISHER_CHARS:
        raise ValueError(f"FLASK_PUBLISHER is longer than {MAX_PUBLISHER_CHARS} characters")
    if email and not _EMAIL.match(email):
        raise ValueError(f"FLASK_CONTACT_EMAIL is not an e-mail address: {email!r}")
    if feedback:
        parts = urlsplit(feedback)
        if parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() or ord(c) < 32 for c in feedback):
            raise ValueError(f"FLASK_FEEDBACK_URL is not an http(s) address: {feedback!r}")
    return ServiceInfo(publisher=publisher, contact_email=email, feedback_url=feedback)


def licence_json() -> dict[str, str]:
    """The licence as the API and the JSON export give it."""
    return {"name": LICENCE_NAME, "url": LICENCE_URL,
            "notice": "Texts of Käytäntöpankki: CC BY 4.0. Facts come from the public sources named in each "
                      "practice's 'source' (credit them as named there)."}
