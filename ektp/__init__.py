"""e-KTP coverage dashboard, by role (docs/ARCHITECTURE.md, lowest first): core, text, data,
analysis (with charts), mapview, the faces (ui for Streamlit, reader for plain pages), web."""
