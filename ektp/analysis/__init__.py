"""Frames in, figures and words out: metrics, map classes, sentences, changes between dates, the
Load page's texts, area search. No Streamlit, no drawing."""
