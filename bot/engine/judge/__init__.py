"""The answer judge: a parser's reading of what a question asks
(``question``) and answer typing on candidate sentences (``answer_type``),
with spaCy's small English pipeline (``nlp``).  Without spaCy or its model
the engine answers as it did before the judge."""
