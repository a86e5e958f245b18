"""`TOO_MANY_TOKENS`: parsing with a cap on the document's tokens, through a shared cache.

This replaces Strawberry's ParserCache and MaxTokensLimiter together. Those two work (the
cache's key includes the `max_tokens` parse option), but a document over the cap then fails
with a bare syntax error; here it fails with an error that names the limit and the count.
"""

from collections.abc import Callable, Iterator
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, Lexer, Source, TokenKind, parse
from strawberry.extensions import SchemaExtension

from resolvers.engine.internals import use_document
from resolvers.engine.limits.errors import limit_exceeded

# A refused document is lexed once more to report its size; past this many times the limit
# the count stops ("more than"), so that a huge body costs no more than that.
COUNT_UP_TO = 10


@lru_cache(maxsize=8)
def cached_parser(maxsize: int) -> Callable[..., DocumentNode]:
    """One LRU-cached `parse` per cache size, shared by every request (as ParserCache does)."""
    return lru_cache(maxsize=maxsize)(parse)


class TokenLimitedParser(SchemaExtension):
    def __init__(self, max_tokens: int, cache_size: int = 1024) -> None:
        self.max_tokens = max_tokens
        self.parse = cached_parser(cache_size)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:
            try:
                use_document(context, self.parse(context.query, max_tokens=self.max_tokens))
            except GraphQLError:
                too_many = too_many_tokens(context.query, self.max_tokens)
                if too_many is None:
                    raise  # a plain syntax error, reported as graphql-core words it
                raise too_many from None
        yield


def too_many_tokens(query: str, max_tokens: int) -> GraphQLError | None:
    """The error for a document with more than `max_tokens` tokens, or None when it has not."""
    cap = max_tokens * COUNT_UP_TO
    lexer = Lexer(Source(query))
    count = 0
    try:
        while count <= cap and lexer.advance().kind is not TokenKind.EOF:
            count += 1
    except GraphQLError:
        pass  # a syntax error after the limit: the count so far is what the request had
    if count <= max_tokens:
        return None
    had = f"more than {cap:,}" if count > cap else f"{count:,}"
    return limit_exceeded(
        f"The document has {had} tokens; the limit is {max_tokens:,}. Send a smaller "
        "document, or split it into several requests.",
        "TOO_MANY_TOKENS", max_tokens, count)
