"""Who's who and the timeline measured on articles written for it (issue 30).

    python -m benchmarks.facts [-v]                 # precision and recall against the gold lists
    python -m benchmarks.facts --speed [--articles 1000] [--runs 50]

The articles in ``articles/`` are invented news articles written by the team
for this benchmark (nothing in them is about the story or its events);
``gold-dev.json`` and ``gold-held-out.json`` lists, by hand, each article's people, their roles and the
sentences that date an event with the date each resolves to.  Nothing is
tuned on the story: the story is never measured here, and the rules read
the parse and ordinary English only.

Quality (the whole folder as one corpus, as the bot reads it):

* people: a listed person is right when their name is a gold person's
  (case aside); precision over those listed, recall over the gold people
  (a person of two articles counts once); authors listed as people count
  against precision;
* roles: (person, role) pairs; a listed role is right when it is one of the
  forms the gold accepts for that person's role (lower case, without "the");
* events: a listed event is right when its sentence is a gold event's;
  dates: of the events found, the share whose resolved date is the gold's
  (both unresolved counts as right);
* order: of every two events found whose gold dates differ (and neither
  holds the other, as "2018" holds "2018-05"), the share listed in the
  right order.

Speed: ``--articles N`` copies of the folder's articles, each copy with its
own people (names drawn from ``NAMES`` so that no two copies share a
person), built once (timed, and saved in a temporary index cache), then
every listing the CLI and ``/people`` / ``/timeline`` make, timed over
``--runs`` runs: median and worst, in milliseconds.
"""
