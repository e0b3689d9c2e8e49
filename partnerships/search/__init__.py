"""Search over the whole registry: what is indexed (documents), how the index is kept in step
(index), how text is read (text), how records are found (query), what a misspelling is
taken for (suggestions), and the search page (views)."""
