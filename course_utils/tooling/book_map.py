"""The map from the book chapter to the course: which notebook cells reproduce each element of the book.

Each chapter entry of ``book.yml`` may carry a ``book_map``: book element → ids of the notebook cells
that reproduce it (nbformat cell ids, which survive re-execution), e.g.
``"Figure 5.2": [book-figure-5-2]``. :func:`map_problems` says which element of :data:`BOOK_ELEMENTS`
has no cell, and which mapped cell is gone.
"""

from __future__ import annotations

import nbformat

from course_utils.tooling.book_config import Chapter

#: Every element of the book chapter "Image, Audio, and Video Embeddings" that the course reproduces:
#: each code listing, figure, printed number, Note box, "When to use" list, architecture-table row,
#: the sections of 5.4, the takeaways, what comes next and the further reading.
BOOK_ELEMENTS: tuple[str, ...] = (
    "Note: Chapter Overview",
    # 5.1 image embeddings
    "Figure 5.1",
    "Listing: ResNet50 feature extractor and get_image_embedding",
    "Listing: the red, blue and orange patterns",
    "Number: red ↔ orange 0.898, red ↔ blue 0.717",
    "Listing: RGB channel visualization code",
    "Figure 5.2",
    "Note: RGB Input ≠ Embedding Output",
    "When to use image embeddings",
    "Table image: ResNet",
    "Table image: EfficientNet",
    "Table image: ViT",
    "Table image: CLIP",
    # 5.2 audio embeddings
    "Figure 5.3",
    "Listing: audio_to_embedding and the trumpet",
    "Number: audio embedding dimension 40",
    "Number: trumpet 1.000 / 0.978 / 0.980",
    "When to use audio embeddings",
    "Table audio: Wav2Vec2",
    "Table audio: Whisper",
    "Table audio: CLAP",
    "Table audio: VGGish",
    # 5.3 video embeddings
    "Figure 5.4",
    "Figure 5.5",
    "Listing: frames_to_video_embedding and the simulated clips",
    "Number: video embedding dimension 2048",
    "Number: running ↔ jogging 0.995, running ↔ cooking 0.807, jogging ↔ cooking 0.808",
    "Listing: video frame visualization code",
    "Figure 5.6",
    "When to use video embeddings",
    "Table video: Frame sampling + CNN",
    "Table video: SlowFast",
    "Table video: X3D",
    "Table video: Video Swin",
    # 5.4 how visual models learn, and the chapter's end
    "Note: Optional Section",
    "Section 5.4.1 Convolutional Neural Networks",
    "Section 5.4.2 Vision Transformers",
    "Section 5.4.3 Transfer Learning",
    "Section 5.5 Key Takeaways",
    "Section 5.6 Looking Ahead",
    "Section 5.7 Further Reading",
    "Reference: He et al. 2016",
    "Reference: Dosovitskiy et al. 2020",
    "Reference: Gemmeke et al. 2017",
    "Reference: Feichtenhofer et al. 2019",
)


def map_problems(chapters: list[Chapter]) -> list[str]:
    """What is wrong with the book map, one sentence per problem; an empty list when it is complete.

    An element of :data:`BOOK_ELEMENTS` with no cell, an element mapped that the book does not have,
    or a cell id that is not in the chapter's notebook. An element may be mapped by several chapters.
    """
    problems = []
    mapped: set[str] = set()
    for chapter in chapters:
        ids = {cell.get("id") for cell in nbformat.read(chapter.notebook, as_version=4).cells}
        for element, cells in chapter.book_map.items():
            mapped.add(element)
            if element not in BOOK_ELEMENTS:
                problems.append(f"chapter {chapter.id} maps {element!r}, which is not an element of the book")
            if not cells:
                problems.append(f"{element!r} (chapter {chapter.id}) lists no cell")
            for cell in cells:
                if cell not in ids:
                    problems.append(f"{element!r}: cell {cell!r} is not in {chapter.notebook.name}")
    for element in BOOK_ELEMENTS:
        if element not in mapped:
            problems.append(f"{element!r} has no cell in any chapter's book_map")
    return problems
