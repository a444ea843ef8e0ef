"""One map view: its address (`url`: parameters ⇄ checked choice), its model (`model.gather`:
data, classes, legend, sentence, ranking, labels) and its drawing (`svg`). Every face that
shows a map — the map page, the reader page, the Overview, the exports — builds it here."""
