"""Words and numbers in the reader's language: i18n (the ID/EN tables), numbers, fmt (dates,
sources, figures). Above the core only."""
