"""Submitter pages padded to fixed sizes, so a response's length says nothing about the person's words.

Without it, a network observer or a log could tell a named submission's receipt from an anonymous one
(2,227 bytes against 2,182) and tie a status check to a submission by its length, which grew with the text.
"""

from __future__ import annotations

from flask import Flask, Response, request

from feedback.logs import is_submitter_path

# A page holding one text of up to 5,000 characters, however written (each "&" is 5 bytes as "&amp;",
# an emoji 4), measures under 29 KiB: every such page is 32 KiB. A longer thread takes the next multiple.
BUCKET = 32 * 1024
# A live session's polled feeds for the room and its screen: the same bytes for every phone, holding only what
# the room already sees on its screen (approved text, vote counts). Padded, 1,000 phones would fetch 32 MB
# at every change; nothing in their length is anyone's own.
UNPADDED_ENDPOINTS = frozenset({"live.feed", "presenter.feed"})


def padded_length(length: int) -> int:
    """The next multiple of BUCKET from length (a page already on one stays as it is)."""
    return -(-length // BUCKET) * BUCKET


def pad(response: Response) -> Response:
    """Pad an HTML page on a submitter path with spaces after </html>, up to the next BUCKET."""
    if (request.endpoint == "static" or request.endpoint in UNPADDED_ENDPOINTS or not is_submitter_path(request.path)
            or response.mimetype != "text/html"
            or response.is_streamed or response.direct_passthrough):
        return response
    body = response.get_data()
    response.set_data(body + b" " * (padded_length(len(body)) - len(body)))
    return response


def init_app(app: Flask) -> None:
    app.after_request(pad)
