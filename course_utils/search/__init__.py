"""Searching a collection of media by content (chapter 5.8 and the ``course search`` command).

:mod:`~course_utils.search.media` tells images, sounds and videos apart by their content and names the
course's encoder for each; :mod:`~course_utils.search.store` keeps an index folder (SQLite, the record of
every file, plus vectors) up to date with a folder of media, and queries it and finds near-duplicates in it;
:mod:`~course_utils.search.backends` holds the vectors and runs the searches, in faiss files or in Qdrant;
:mod:`~course_utils.search.ann` and :mod:`~course_utils.search.figures` are the chapter's approximate
nearest-neighbour search and its figures.
"""
