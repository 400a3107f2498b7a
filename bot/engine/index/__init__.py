"""The sentence index: BM25 arithmetic (``bm25``), the scoring parameters
(``config``), building an index from articles (``build``), the index itself
with its layout and text look-ups (``sentence_index``), top-k retrieval
(``top``), the index as named arrays and back (``arrays``), and saving it
to disk (``cache``)."""
