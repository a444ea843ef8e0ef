"""Figures on the page: the shared figure cache (FigureSpec) and each chart's sentence as its
accessible description.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from ektp.ui.tables import (
    safe_text,
)


class FigureSpec:
    """A chart as its builder and inputs: `shared()` for the screen, `fresh()` for exports.

    Building a Plotly figure is the dearest part of a chart's rerun (mostly Plotly's property
    validation). The screen copy is built once per distinct input and shared by every session and
    rerun (st.cache_resource: no copy); st.plotly_chart only reads it. Exports may restyle a
    figure, so they always get a new one.
    """

    def __init__(self, builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> None:
        self.builder, self.args, self.kwargs = builder, args, kwargs

    def fresh(self) -> go.Figure:
        return self.builder(*self.args, **self.kwargs)

    def shared(self) -> go.Figure:
        return _shared_figure(
            self.builder.__module__, self.builder.__qualname__, self.cache_key(), self.args, self.kwargs
        )

    def cache_key(self) -> tuple:
        """What the shared figure is cached under: every input."""
        return self.args, tuple(sorted(self.kwargs.items()))


#: Links each chart to the sentence above it as its accessible description: a chart whose element
#: follows a sentence's container (`said`) gets role="figure" and aria-describedby that sentence.
#: Streamlit gives no way to set ARIA on its chart element, so this runs in the page (once). No
#: "<" may stand in the script: st.html then does not run it (seen here with a loop's "i<4").
SAID_LINKER = (
    "<style>.stElementContainer:has(.ektp-said-linker){display:none}</style>"
    '<span class="ektp-said-linker"></span>'
    "<script>(function(){if(window.__ektpSaid)return;window.__ektpSaid=true;"
    'function link(){document.querySelectorAll(\'[data-testid="stPlotlyChart"],.stElementContainer[class*="st-key-map_svg"]\').forEach(function(ch){'
    "var box=ch.closest('[data-testid=\"stElementContainer\"]')||ch;var p=box.previousElementSibling;"
    "for(var i=0;p&&i!==4;i++,p=p.previousElementSibling){var s=p.matches('[class*=\"st-key-said_\"]')?p:"
    "p.querySelector('[class*=\"st-key-said_\"]');if(s){var t=s.querySelector('p')||s;"
    "if(!t.id){t.id='ektp-'+(s.className.match(/st-key-(said_[0-9]+)/)||[0,'said'])[1];}"
    "ch.setAttribute('role','figure');ch.setAttribute('aria-describedby',t.id);return;}}});}"
    "new MutationObserver(link).observe(document.body,{childList:true,subtree:true});link();})();</script>"
)


def said(text: str) -> None:
    """A chart's sentence: shown right above the chart and linked to it as its accessible
    description (SAID_LINKER), so a screen reader says it with the chart."""
    n = st.session_state.get("_said_n", 0) + 1
    st.session_state["_said_n"] = n
    with st.container(key=f"said_{n}"):
        st.markdown(safe_text(text))
    if n == 1:
        with st.container(key="ektp_hidden_said"):  # hidden from its first paint (state.HIDDEN)
            st.html(SAID_LINKER, unsafe_allow_javascript=True)


# the leading underscores keep Streamlit from hashing the inputs twice: `key` stands for them
@st.cache_resource(max_entries=128, show_spinner=False)
def _shared_figure(module: str, name: str, key: tuple, _args: tuple, _kwargs: dict) -> go.Figure:
    return _build_figure(module, name, _args, _kwargs)


def _build_figure(module: str, name: str, args: tuple, kwargs: dict) -> go.Figure:
    import importlib

    return getattr(importlib.import_module(module), name)(*args, **kwargs)
