"""Load data (internal mode only): upload a spreadsheet, see what the loader reads, confirm."""

from __future__ import annotations

import hashlib

import streamlit as st

from ektp import settings, ui
from ektp.i18n import t

lg = ui.setup("page_load")


def body() -> None:
    st.title(t("page_load", lg))
    ui.page_links(lg)
    if settings.is_public():  # the public instance has no write path: the page is not there
        st.error(t("load_public", lg))
        return
    from ektp import loading

    st.caption(t("load_intro", lg))
    kind = st.selectbox(t("load_kind", lg), loading.KINDS, format_func=lambda k: t("kind_" + k, lg), key="w_kind")
    up = st.file_uploader(t("load_file", lg), type=list(loading.UPLOAD_TYPES), key="w_upload")
    with st.expander(t("load_options", lg)):
        as_of = st.date_input(t("load_as_of", lg), value=None, key="w_as_of")
        province = st.text_input(t("load_province", lg), key="w_province", max_chars=2)
        codes = st.selectbox(
            t("load_codes", lg), ["", "kemendagri", "bps"], key="w_codes", format_func=lambda c: c or t("load_auto", lg)
        )
    if up is None:
        return
    data = up.getvalue()
    key = hashlib.sha256(data).hexdigest() + f"|{kind}|{as_of}|{province}|{codes}"
    try:
        upload = loading.save_upload(up.name, data)
    except loading.UploadError as exc:
        st.error(str(exc))
        return
    try:
        pv = loading.preview(upload, kind, as_of, province, codes)
    except Exception:
        upload.discard()
        raise
    st.subheader(t("load_preview", lg))
    st.code("\n".join(pv.lines()), language=None)
    if pv.report.accepted == 0:
        upload.discard()
        st.error(t("load_nothing", lg))
        return
    if st.session_state.get("_loaded") == key:
        upload.discard()
        st.success(st.session_state.get("_loaded_summary", ""))
        return
    if st.button(t("load_confirm", lg, n=pv.report.accepted), type="primary", key="w_confirm"):
        with st.status(t("load_running", lg), expanded=False) as status:
            rep = loading.load(upload, kind, as_of, province, codes)
            status.update(label=t("load_done", lg), state="complete")
        st.session_state["_loaded"] = key
        st.session_state["_loaded_summary"] = rep.summary()
        st.success(rep.summary())
        st.page_link("pages/6_Data_dan_metode.py", label=t("page_data", lg), query_params={"lang": lg})
    else:
        upload.discard()


ui.guarded(body)
