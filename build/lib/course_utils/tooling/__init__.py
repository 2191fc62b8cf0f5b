"""The course's own tooling, apart from what the lessons import.

- :mod:`course_utils.tooling.book_config`     reading ``book.yml``, the table of contents
- :mod:`course_utils.tooling.runner`          ``course run``: execute every chapter, print key results
- :mod:`course_utils.tooling.html_book`       ``course book``: the offline HTML book (Jupyter Book 1.x)
- :mod:`course_utils.tooling.student`         ``course student``: copies with the solutions stubbed
- :mod:`course_utils.tooling.doctor`          ``course doctor`` and ``course prefetch``
- :mod:`course_utils.tooling.nbval_tolerance` the numeric tolerance nbval applies to printed numbers
- :mod:`course_utils.tooling.cli`             the ``course`` command itself

Tooling may import lesson helpers; no lesson helper imports tooling.
"""
