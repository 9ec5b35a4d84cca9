"""Session-state keys shared by the pages."""

import enum

CART = "cart"


class K(enum.StrEnum):
    QUERY = "query"
    GENRE = "genre"
