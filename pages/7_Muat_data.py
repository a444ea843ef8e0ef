"""Load data (internal mode only): upload a spreadsheet, see what the loader reads, confirm."""

from __future__ import annotations

import hashlib
import time

import streamlit as st

from ektp import db, settings, ui
from ektp.i18n import t

lg = ui.setup("page_load")


def operator() -> tuple[str, str] | None:
    """Who may load here, and where the history says the load came from. No sign-in only for a
    browser on this machine talking straight to a loopback-only server (the trust decision:
    operators.who_is_asking); any other request signs in. None: the page shows the sign-in
    and stays locked."""
    from ektp import operators

    asker = operators.who_is_asking(
        operators.request_headers(st.context.headers), operators.client_address(st.context.ip_address),
        st.get_option("server.address"), settings.items("trusted_proxies"),
    )  # fmt: skip
    if asker.local:
        st.sidebar.caption(t("operator_local", lg))
        return operators.LOCAL_USER, asker.origin
    who, expired = operators.session_operator(st.session_state, time.time(), float(settings.get("session_minutes")))
    if who:
        st.sidebar.caption(t("signed_in_as", lg, name=who))
        if st.sidebar.button(t("sign_out", lg), key="w_sign_out"):
            operators.end_session(st.session_state)
            st.rerun()
        return who, asker.origin
    if expired:
        st.info(t("signin_expired", lg))
    try:
        configured = operators.read_operators()
    except operators.OperatorError as exc:
        st.error(str(exc))
        return None
    if not configured:
        st.warning(t("signin_none", lg, path=str(operators.operators_path())))
        return None
    st.caption(t("signin_needed_" + asker.why, lg))
    with st.form("signin"):
        name = st.text_input(t("operator_name", lg), key="w_op_name")
        password = st.text_input(t("operator_password", lg), type="password", key="w_op_password")
        submitted = st.form_submit_button(t("sign_in", lg))
    if submitted:
        res = operators.sign_in(name, password, asker.origin)
        if res.ok:
            operators.start_session(st.session_state, name, time.time())
            st.rerun()
        st.error(t("signin_locked" if res.reason == "locked" else "signin_wrong", lg))
    return None


def body() -> None:
    st.title(t("page_load", lg))
    ui.page_links(lg)
    if settings.is_public():  # the public instance has no write path: the page is not there
        st.error(t("load_public", lg))
        return
    asked = operator()
    if asked is None:
        return
    who, origin = asked
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
    try:  # the upload is removed at the end of every run, whatever stops it
        # the dry run once per file, options and served DB: a rerun (the confirm click) reuses it
        seen = (key, db.stamp() if db.db_path().exists() else None)
        cached = st.session_state.get("_preview")
        pv = cached[1] if cached and cached[0] == seen else loading.preview(upload, kind, as_of, province, codes)
        st.session_state["_preview"] = (seen, pv)
        st.header(t("load_preview", lg))
        st.code("\n".join(pv.lines()), language=None, wrap_lines=True)
        if pv.report.accepted == 0:
            st.error(t("load_nothing", lg))
            return
        if st.session_state.get("_loaded") == key:  # this very file and options: loaded already
            st.success(st.session_state.get("_loaded_summary", ""))
            return
        if st.button(t("load_confirm", lg, n=pv.report.accepted), type="primary", key="w_confirm"):
            with st.status(t("load_running", lg), expanded=False) as status:
                rep = loading.load(upload, kind, as_of, province, codes, operator=who, origin=origin)
                status.update(label=t("load_done", lg), state="complete")
            done = t("load_done_note", lg, load_id=rep.load_id or "–") + "\n\n" + rep.summary()
            st.session_state["_loaded"], st.session_state["_loaded_summary"] = key, done
            st.success(done)
            st.page_link("pages/6_Data_dan_metode.py", label=t("page_data", lg), query_params={"lang": lg})
    finally:
        upload.discard()


ui.guarded(body)
