"""Meaning beside words: the all-MiniLM-L6-v2 model in numpy (``bert``), the
sentence encoder and its loading (``encoder``), cosine scoring of sentences
(``scorer``), and question words matched to corpus words by meaning
(``neighbours``)."""
