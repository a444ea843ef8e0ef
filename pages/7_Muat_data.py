"""Load data (internal mode only): upload a spreadsheet, read what the loader makes of it in the
page's language, answer what it asks, confirm, and go to the map of what was loaded."""

from __future__ import annotations

import hashlib
import time

import streamlit as st

from ektp import ui
from ektp.core import settings
from ektp.data import db, queries
from ektp.text.i18n import t

lg = ui.setup("page_load")


def operator() -> tuple[str, str] | None:
    """Who may load here, and where the history says the load came from. No sign-in only for a
    browser on this machine talking straight to a loopback-only server (the trust decision:
    operators.who_is_asking); any other request signs in. None: the page shows the sign-in
    and stays locked."""
    from ektp.core import operators

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
        name = st.text_input(t("operator_name", lg), key="w_op_name", max_chars=operators.MAX_NAME)
        password = st.text_input(
            t("operator_password", lg), type="password", key="w_op_password", max_chars=operators.MAX_PASSWORD
        )
        submitted = st.form_submit_button(t("sign_in", lg))
    if submitted:
        res = operators.sign_in(name, password, asker.origin)
        if res.ok:
            operators.start_session(st.session_state, name, time.time())
            st.rerun()
        st.error(t("signin_locked" if res.reason == "locked" else "signin_wrong", lg))
    return None


def answers(previews: list, kind: str, sha: str) -> tuple[dict[str, str], bool]:
    """The loader's questions, asked with widgets: what each column it cannot place means (the
    dictionary's fields for this kind, or ignore). A question stays on the page once answered
    (the answer can change). Returns the choices and whether all are answered."""
    from ektp.analysis import loadtext
    from etl import uploads

    fields = ["", *uploads.fields(kind), "ignore"]
    chosen, complete = {}, True
    asked = st.session_state.setdefault(f"_asked_{sha}_{kind}", {})  # header → why, since first asked
    asked.update({h: why for pv in previews for h, why in pv.report.unresolved})
    if asked:
        st.subheader(t("lp_questions", lg))
    for i, (header, why) in enumerate(asked.items()):
        pick = st.selectbox(
            t("lp_ask_column", lg, column=header, why=loadtext.say(why, lg)),
            fields,
            key=f"w_col_{hashlib.sha1(header.encode()).hexdigest()[:10]}_{i}",
            format_func=lambda f: t("lp_choose", lg) if not f else f"{loadtext.field_label(f, lg)} ({f})",
        )
        if pick:
            chosen[header] = pick
        else:
            complete = False
    return chosen, complete


def draw_preview(pv: object) -> None:
    """One sheet's preview: what happens to its rows, the figures as they will be stored, what
    each column was taken to mean, and what the loader noticed."""
    from ektp.analysis import loadtext

    r = pv.report
    st.subheader(t("lp_file", lg, file=r.file))
    counts = t("lp_counts", lg, read=r.rows_read, ok=r.accepted - r.warned, warned=r.warned, rejected=r.rejected,
               skipped=r.skipped)  # fmt: skip
    if r.status == "failed":
        for m in r.messages[-1:]:
            st.error(loadtext.say(m, lg, r.file))
    elif r.accepted == 0:
        st.warning(counts + " " + t("load_nothing", lg))
    else:
        st.markdown(counts)
    if r.date_from:
        st.caption(t("lp_date_from", lg, where=loadtext.say(r.date_from, lg)))
    if pv.rows.height:
        st.markdown(f"**{t('lp_figures', lg)}**")
        ui.table(loadtext.rows_table(pv.rows, pv.figures, lg), hide_index=True, width="stretch")
    plan = loadtext.plan_table(r.plan, r.choices, lg)
    if plan.height:
        st.markdown(f"**{t('lp_columns', lg)}**")
        ui.table(plan, hide_index=True, width="stretch")
    said = loadtext.messages(r, lg)
    if said:
        st.caption("\n".join("- " + ui.safe_text(s) for s in said))
    if pv.loaded_before is not None:
        st.info(t("lp_loaded_before", lg, load_id=pv.loaded_before))


def after_load(reports: list, previews: list) -> None:
    """What was loaded, and where to look at it: the map of its date and area, and its trend."""
    from etl import uploads

    n = sum(r.accepted for r in reports)
    ids = ", ".join(str(r.load_id) for r in reports if r.load_id is not None)
    if n:
        st.success(t("lp_done", lg, n=n, load_id=ids or "–"))
    else:
        st.error(t("lp_done_nothing", lg))
    rows = [(c, lv, d) for pv in previews if pv.rows.height
            for c, lv, d, s in pv.rows.select("region_code", "level", "date", "status").iter_rows()
            if s in ("ok", "warned") and c and d]  # fmt: skip
    links = uploads.onward(rows)
    if links:
        st.page_link("pages/1_Peta_cakupan.py", label=t("lp_see_map", lg), query_params={**links["map"], "lang": lg})
        st.page_link("pages/2_Tren.py", label=t("lp_see_trend", lg), query_params={**links["trend"], "lang": lg})
    st.page_link("pages/6_Data_dan_metode.py", label=t("page_data", lg), query_params={"lang": lg})


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
    from ektp.analysis import loadtext
    from etl import uploads

    st.caption(t("load_intro", lg))
    kind = st.selectbox(t("load_kind", lg), uploads.KINDS, format_func=lambda k: t("kind_" + k, lg), key="w_kind")
    up = st.file_uploader(t("load_file", lg), type=list(uploads.UPLOAD_TYPES), key="w_upload")
    with st.expander(t("load_options", lg), expanded=bool(st.session_state.get("_ask_options"))):
        as_of = st.date_input(t("load_as_of", lg), value=None, key="w_as_of", format="DD/MM/YYYY")
        provinces = queries.regions("province")["code"].to_list()
        province = st.selectbox(t("load_province", lg), ["", *provinces], key="w_province",
                                format_func=lambda c: ui.area_name(c, lg) + f" ({c})" if c else t("load_auto", lg))  # fmt: skip
        codes = st.selectbox(
            t("load_codes", lg), ["", "kemendagri", "bps"], key="w_codes", format_func=lambda c: c or t("load_auto", lg)
        )
    if up is None:
        return
    data = up.getvalue()
    try:
        upload = uploads.save_upload(up.name, data)
    except uploads.UploadError as exc:
        st.error(loadtext.say(str(exc), lg, uploads.safe_name(up.name)))
        return
    try:  # the upload is removed at the end of every run, whatever stops it
        sha = hashlib.sha256(data).hexdigest()
        columns = st.session_state.get(f"_columns_{sha}", {})
        key = f"{sha}|{kind}|{as_of}|{province}|{codes}|{sorted(columns.items())}"
        if st.session_state.get("_loaded", (None,))[0] == key:  # this very file and options: loaded
            after_load(*st.session_state["_loaded"][1:])
            return
        # the dry run once per file, options, answers and served DB: a rerun (the confirm click) reuses it
        seen = (key, db.stamp() if db.db_path().exists() else None)
        cached = st.session_state.get("_preview")
        previews = (
            cached[1]
            if cached and cached[0] == seen
            else uploads.preview(upload, kind, as_of, province, codes, columns)
        )
        st.session_state["_preview"] = (seen, previews)
        st.header(t("load_preview", lg))
        chosen, complete = answers(previews, kind, sha)
        if chosen != columns:  # an answer changes what the loader reads: read the file again with it
            st.session_state[f"_columns_{sha}"] = chosen
            st.rerun()
        missing = [q for q, needed in (("date", any(pv.needs_date for pv in previews)),
                                       ("province", any(pv.needs_province for pv in previews))) if needed]  # fmt: skip
        for q in missing:
            st.warning(t(f"lp_ask_{q}", lg))
        st.session_state["_ask_options"] = bool(missing)
        for pv in previews:
            draw_preview(pv)
        accepted = sum(pv.report.accepted for pv in previews)
        if not complete:
            st.info(t("lp_answer_first", lg))
        if accepted == 0 or not complete:
            return
        if st.button(t("load_confirm", lg, n=accepted), type="primary", key="w_confirm"):
            with st.status(t("load_running", lg), expanded=False) as status:
                try:
                    reports = uploads.load(upload, kind, as_of, province, codes, operator=who, origin=origin,
                                           columns=columns)  # fmt: skip
                except uploads.LoadBusyError:
                    status.update(label=t("lp_busy", lg), state="error")
                    st.error(t("lp_busy", lg))
                    return
                status.update(label=t("load_done", lg), state="complete")
            st.session_state["_loaded"] = (key, reports, previews)
            st.session_state.pop("_preview", None)
            st.rerun()
    finally:
        upload.discard()


ui.guarded(body)
