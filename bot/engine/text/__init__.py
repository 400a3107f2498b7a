"""Text in, terms out: the analyser (``tokens``), the sentence splitter
(``sentences``) and the cheap lexical signals that re-rank candidates
(``features``).  One analyser serves the corpus and the questions alike."""
