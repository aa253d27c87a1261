"""Helpers for the tagging tests: ticked boxes on a page, the submission's and the desk's tagging forms."""

from __future__ import annotations

import re

from tests.browsing import post_form


def ticked_themes(page: str, prefix: str = "theme") -> set[int]:
    return {int(i) for i in re.findall(rf'id="{prefix}-(\d+)"[^>]*\bchecked\b', page)}


def set_themes(client, submission_id, *themes):
    page = f"/facilitate/s/{submission_id}"
    return post_form(client, f"{page}/themes", page, themes=[str(t.id) for t in themes])


def bulk_tag(client, slug, ids, themes, query=""):
    page = f"/facilitate/{slug}"
    return post_form(client, f"{page}/tag{query}", page, selected=[str(i) for i in ids],
                     themes=[str(t.id) for t in themes])
