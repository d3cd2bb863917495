"""The shortlist pages: the list (one's own or a shared one) and the forms that change it."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..names import SLUG
from . import shortlist_session as sl
from .compare import MAX_COMPARED, MIN_COMPARED
from .site import bp, form_signer, from_this_site, service, ui_lang

SHORTLIST_ACTIONS = ("add", "remove", "save", "clear")


def listed() -> tuple[list[str], bool]:
    """A shared list (``?ids=a,b``) or the visitor's own; the flag tells which."""
    if "ids" in request.args:
        return sl.parse_ids(request.args.get("ids")), True
    return sl.ids_of(session), False


@bp.route("/shortlist")
def shortlist_page():
    ids, shared = listed()
    results = service().results_for(ids, ui_lang())
    return render_template("shortlist.html", results=results, shared=shared, own=sl.ids_of(session),
                           ids=[r.slug for r in results], min_compared=MIN_COMPARED, max_compared=MAX_COMPARED)


@bp.route("/shortlist/<action>", methods=["POST"])
def shortlist_change(action: str):
    """Add, remove, save a shared list as one's own, or clear; JSON for the script, else a redirect."""
    if action not in SHORTLIST_ACTIONS:
        abort(404)
    if not sl.accept_form(session, request.form.get("csrf"), form_signer(), from_this_site()):
        return render_template("error.html", code=400, reason="token"), 400
    slug = request.form.get("slug", "")
    message = ""
    if action == "add":
        if not SLUG.match(slug) or service().practice(slug) is None:
            abort(400)
        if not sl.add(session, slug):
            message = _("Your shortlist is full (%(num)d practices). Remove some to add more.", num=sl.MAX_ITEMS)
    elif action == "remove":
        sl.remove(session, slug)
    elif action == "save":
        sl.replace(session, sl.parse_ids(request.form.get("ids")))
    else:
        sl.replace(session, [])
    ids = sl.ids_of(session)
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"ids": ids, "count": len(ids), "listed": slug in ids, "message": message})
    if message:
        flash(message)
    target = sl.safe_next(request.form.get("next"), url_for("site.shortlist_page"))
    if slug and "#" not in target and SLUG.match(slug):
        target += f"#r-{slug}"  # back to the same result, not the top of the page
    return redirect(target, 303)
