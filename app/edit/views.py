"""Create, edit and delete rows: thin views over app.data.writes.

Every route opens the caller's scope with the action it needs (404 when the table is
invisible, 403 when the action is not granted), so a direct POST is refused exactly
like a missing button. Views, tables without a primary key and tables marked
read-only in the settings answer with a page that says why.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from app.catalog import TableInfo, get_catalog
from app.catalog.columns import row_problems
from app.data import writes
from app.data.labels import fk_labels
from app.data.listing import session_in_transaction
from app.data.lookups import caller_defaults
from app.data.scope import Scope, open_scope, peek_scope
from app.data.values import encode_row_key
from app.edit.fields import RuleChoiceField, choice_options
from app.edit.forms import (
    FieldSpec,
    field_specs,
    field_view,
    form_class,
    form_data,
    form_values,
    original_values,
    read_original,
    read_signed,
    refill,
    sign_form,
    sign_original,
    split_specs,
)
from app.edit.merge import BOTH, THEIRS, YOURS, field_change, my_changes
from app.errors import AppError
from app.extensions import db
from app.pages import delete as delete_pages
from app.pages import edit as edit_pages
from app.pages.cells import Cell, formatter
from app.pages.links import detail_url, list_url, parse_key
from app.writable import open_for

log = logging.getLogger(__name__)

bp = Blueprint("edit", __name__, url_prefix="/t")


# --- helpers -------------------------------------------------------------------------


def _gone(info: TableInfo) -> AppError:
    return AppError(
        404,
        "Row deleted meanwhile",
        f"This row of {info.label} was deleted by someone else after you opened it "
        "(or it is no longer among the rows you may change). Nothing was saved.",
    )


def _fk_modes_and_choices(
    scope: Scope, current: dict[str, Any] | None
) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    modes: dict[str, str] = {}
    choices: dict[str, list[tuple[str, str]]] = {}
    catalog = get_catalog()
    for name, col in scope.info.columns.items():
        if col.fk is None or name in scope.hidden:
            continue
        ref = catalog.get(col.fk.ref_key)
        if ref is None:
            continue
        ref_scope = peek_scope(g.identity, catalog, ref.key)
        if ref_scope is None:
            continue  # not readable: a plain typed input, checked on save
        found = writes.reference_choices(
            ref.table, col.fk.ref_columns[0], ref.label_columns, ref_scope.access
        )
        if found is None:
            modes[name] = "lookup"
            continue
        options = [("", "—")] + [(str(k), label) for k, label in found]
        value = (current or {}).get(name)
        if value is not None and str(value) not in {k for k, _ in options}:
            options.append((str(value), str(value)))  # keep a reference we cannot label
        modes[name] = "select"
        choices[name] = options
    return modes, choices


def _build_form(scope: Scope, *, creating: bool, row: dict[str, Any] | None = None):
    modes, choices = _fk_modes_and_choices(scope, row)
    specs = field_specs(
        scope.info, frozenset(scope.hidden), creating=creating, fk_modes=modes
    )
    cls = form_class(scope.info, specs, creating=creating)
    if request.method == "POST":
        form = cls()
    else:
        form = cls(formdata=None, data=form_data(scope.info, specs, row or {}))
    for name, options in choices.items():
        spec = next(s for s in specs if s.column == name)
        if not spec.read_only:
            form[spec.field_name].choices = options
    for spec in specs:  # a stored value its CHECK no longer lists stays shown
        value = (row or {}).get(spec.column)
        field = None if spec.read_only else form[spec.field_name]
        if value is not None and isinstance(field, RuleChoiceField):
            field.choices = choice_options(field.rule, value)
    return specs, form


def _attach(form, specs: list[FieldSpec], errors: writes.FieldErrors) -> list[str]:
    """Put database/field errors on their fields; return the form-level ones."""
    by_column = {s.column: s for s in specs}
    top: list[str] = []
    for column, messages in errors.errors.items():
        spec = by_column.get(column) if column else None
        if spec is not None and not spec.read_only:
            form[spec.field_name].errors = [*form[spec.field_name].errors, *messages]
        else:
            top += messages
    return top


def display(value: Any) -> str:
    """A read-only value as text."""
    if value is None:
        return "—"
    shown = writes.json_value(value)
    return str(shown)


def display_for(scope: Scope):
    """``display(value, column)`` for read-only form values: formatted by the
    column's kind as the detail page does (dates, GUIDs, binary as size)."""
    formats: dict[str, Any] = {}

    def show(value: Any, column: str | None = None) -> str:
        if value is None or column is None:
            return display(value)
        format_value = formats.get(column)
        if format_value is None:
            info = scope.info.columns[column]
            format_value = formats[column] = formatter(info, full=True)
        return format_value(value).text

    return show


def shown_cells(
    scope: Scope, specs: list[FieldSpec], rows: list[list[Any]]
) -> list[list[Cell]]:
    """``rows`` (values in ``specs`` order) formatted as the detail page shows them:
    by column kind, foreign keys by the label of the row they point at."""
    columns = [scope.info.columns[s.column] for s in specs]
    labels = fk_labels(scope, columns, rows)
    formats = [
        formatter(c, labels.get(c.name), request.script_root, full=True)
        for c in columns
    ]
    return [[f(v) for f, v in zip(formats, row, strict=True)] for row in rows]


def _lookup_urls(scope: Scope, specs: list[FieldSpec]) -> dict[str, str]:
    return {
        s.column: url_for(
            "edit.lookup",
            schema=scope.info.schema,
            table=scope.info.name,
            column=s.column,
        )
        for s in specs
        if s.fk_mode == "lookup"
    }


def _problems(form, specs: list[FieldSpec], top: list[str]) -> list[edit_pages.Problem]:
    """Every problem of the submitted form, in form order, for the summary."""
    fields = [
        (form[s.field_name].id, s.label, list(form[s.field_name].errors))
        for s in specs
        if not s.read_only and form[s.field_name].errors
    ]
    return edit_pages.problems_of(fields, top)


def _all_problems(
    scope: Scope,
    specs: list[FieldSpec],
    form,
    values: dict[str, Any],
    row: dict[str, Any] | None,
    pk: dict[str, Any] | None,
) -> list[str]:
    """One pass over everything knowable before the database: the fields' own
    checks (done by WTForms), the row's cross-column CHECKs, and when a field is
    already refused, the UNIQUE and FK checks in one query (otherwise the write
    runs that same query in its transaction). Whole-row messages are returned."""
    errors = writes.FieldErrors()
    # Hidden columns are left out: a rule over one is the database's to refuse,
    # and its message must not name a column the caller may not see.
    merged = {
        k: v for k, v in {**(row or {}), **values}.items() if k not in scope.hidden
    }
    for column, message in row_problems(scope.info, merged):
        errors.add(column, message)
    refused = bool(errors.errors) or any(
        form[s.field_name].errors for s in specs if not s.read_only
    )
    if refused:
        found = writes.check_row(
            scope.table, values, pk, scope.access_for, scope.labels, scope.access
        )
        for column, messages in found.errors.items():
            for message in messages:
                errors.add(column, message)
    return _attach(form, specs, errors)


def _render_form(scope: Scope, specs, form, *, row, pk, creating, top=(), status=200):
    """The form page, with every problem (if any) listed above the fields."""
    context = form_context(scope, specs, form, row=row, creating=creating)
    view = edit_pages.form_page(
        scope.info,
        creating=creating,
        pk=pk,
        row=row,
        problems=_problems(form, specs, list(top)) if request.method == "POST" else [],
        cancel_url=context["cancel_url"],
        delete_url=context["delete_url"] or "",
    )
    return render_template("edit/form.html", **context, view=view), status


def form_context(scope: Scope, specs, form, *, row, creating) -> dict[str, Any]:
    """What edit/form.html renders a form page from (its ``view`` aside)."""
    info = scope.info
    return {
        "info": info,
        "specs": specs,
        "form": form,
        "row": row or {},
        "creating": creating,
        "display": display_for(scope),
        "lookups": _lookup_urls(scope, specs),
        "cancel_url": detail_url(info, writes.pk_of(info.table, row))
        if row and not creating
        else list_url(info),
        "delete_url": url_for(
            "edit.delete",
            schema=info.schema,
            table=info.name,
            row_key=encode_row_key(list(writes.pk_of(info.table, row).values())),
        )
        if row and not creating and scope.can("delete")
        else None,
    }


# --- routes -----------------------------------------------------------------------


@bp.route("/<schema>/<table>/-/new", methods=["GET", "POST"])
def create(schema: str, table: str):
    """A new row: empty form, then insert and go to its detail page."""
    scope = open_for(schema, table, "create")
    mine = caller_defaults(g.identity, get_catalog(), scope.info)  # Opened by: me
    specs, form = _build_form(scope, creating=True, row=mine)
    top: list[str] = []
    if request.method == "POST":
        form.validate()
        values = form_values(scope.info, specs, form, creating=True)
        top = _all_problems(scope, specs, form, values, None, None)
        if not top and not form.errors:
            try:
                pk = writes.insert(scope, values)
            except writes.FieldErrors as exc:
                top = _attach(form, specs, exc)
            except writes.OutsideFilter as exc:
                top = [str(exc)]
            else:
                name = edit_pages.name_of(scope.info, pk, {**values, **pk})
                flash(f"Created {name}.", "success")
                return redirect(detail_url(scope.info, pk))
    status = 422 if request.method == "POST" else 200
    return _render_form(
        scope, specs, form, row=None, pk=None, creating=True, top=top, status=status
    )


@bp.route("/<schema>/<table>/<row_key>/edit", methods=["GET", "POST"])
def edit(schema: str, table: str, row_key: str):
    """Edit one row with optimistic concurrency; conflicts get their own page."""
    scope = open_for(schema, table, "update")
    pk = parse_key(scope, row_key)
    if request.method == "POST":  # read in the transaction that will write it
        row = writes.read(scope, pk, "update")
    else:
        row = _read_for_form(scope, pk)
    if row is None:
        if request.method == "POST":
            raise _gone(scope.info)
        raise AppError(404, detail=f"There is no such row in {scope.info.label}.")
    specs, form = _build_form(scope, creating=False, row=row)
    if request.method == "GET":
        form.original_token.data = sign_form(scope.info, pk, specs, row)
        return _render_form(scope, specs, form, row=row, pk=pk, creating=False)
    signed = read_signed(scope.info, pk, form.original_token.data)
    form.validate()
    values = form_values(scope.info, specs, form, creating=False)
    # Only what this user changed is written: never another person's change
    # undone in a field this user did not touch (issue 14).
    changes = my_changes(scope.info, values, signed.base)
    top = _all_problems(scope, specs, form, changes, row, pk)
    name = edit_pages.name_of(scope.info, pk, row)
    if not top and not form.errors and not changes:
        flash(f"Nothing was changed in {name}.", "info")
        return redirect(detail_url(scope.info, pk))
    if not top and not form.errors:
        try:
            writes.update(scope, pk, changes, signed.original, before=row)
        except writes.Conflict as exc:
            return _conflict(scope, specs, form, pk, exc.current, values, signed.base)
        except writes.RowGone:
            raise _gone(scope.info) from None
        except writes.FieldErrors as exc:
            top = _attach(form, specs, exc)
        except writes.OutsideFilter as exc:
            top = [str(exc)]
        else:
            saved = edit_pages.name_of(scope.info, pk, {**row, **changes})
            flash(f"Saved {saved}.", "success")
            return redirect(detail_url(scope.info, pk))
    return _render_form(
        scope, specs, form, row=row, pk=pk, creating=False, top=top, status=422
    )


def _read_for_form(scope: Scope, pk: dict[str, Any]) -> dict[str, Any] | None:
    """The row an edit form opens with, on a plain connection when the request
    holds no transaction (cheaper than starting the session's)."""
    if session_in_transaction():
        return writes.read(scope, pk, "update")
    with db.engine.connect() as connection:
        return writes.read(scope, pk, "update", connection)


def _conflict(
    scope: Scope,
    specs,
    form,
    pk,
    current: dict[str, Any],
    mine: dict,
    base: dict[str, Any] | None,
):
    """Their values beside yours and what applying yours saves. The form is rebased
    on their version (app.edit.merge): its token carries their version and values,
    and the fields you did not change show theirs."""
    info = scope.info
    changes = my_changes(info, mine, base)
    form.original_token.data = sign_form(info, pk, specs, current)
    refill(form, info, [s for s in specs if s.column not in changes], current)
    shown = [s for s in specs if not (s.read_only and s.column not in current)]
    fates = {
        s.column: field_change(info, s.column, base, current, changes)
        for s in shown
        if not s.read_only
    }
    theirs = [current.get(s.column) for s in shown]
    yours = [mine.get(s.column, t) for s, t in zip(shown, theirs, strict=True)]
    applied = [
        fates[s.column].applied if s.column in fates else t
        for s, t in zip(shown, theirs, strict=True)
    ]
    their_cells, your_cells, applied_cells = shown_cells(
        scope, shown, [theirs, yours, applied]
    )
    rows = [
        edit_pages.ConflictRow(
            column=spec.column,
            label=spec.label,
            theirs=their_cells[i],
            yours=your_cells[i],
            applied=applied_cells[i],
            change=fates[spec.column].change if spec.column in fates else "",
            differs=spec.column in mine and display(theirs[i]) != display(yours[i]),
        )
        for i, spec in enumerate(shown)
    ]
    log.info(
        "edit conflict on %s %s for %s",
        info.key,
        writes.row_key(info.table, pk),
        g.identity.login,
    )
    view = edit_pages.conflict_page(
        info,
        pk,
        current,
        rows,
        {
            c: sum(1 for f in fates.values() if f.change == c)
            for c in (THEIRS, YOURS, BOTH)
        },
        detail_url(info, pk),
        request.path,
    )
    return (
        render_template(
            "edit/conflict.html",
            view=view,
            info=info,
            specs=specs,
            form=form,
            row=current,
            display=display_for(scope),
            lookups=_lookup_urls(scope, specs),
        ),
        409,
    )


@bp.route("/<schema>/<table>/<row_key>/delete", methods=["GET", "POST"])
def delete(schema: str, table: str, row_key: str):
    """Confirm, then delete (POST with CSRF); refusals explained in plain words."""
    scope = open_for(schema, table, "delete")
    pk = parse_key(scope, row_key)
    row = writes.read(scope, pk, "delete")
    info = scope.info
    if row is None:
        if request.method == "POST":
            raise _gone(info)
        raise AppError(404, detail=f"There is no such row in {info.label}.")
    specs = field_specs(info, frozenset(scope.hidden), creating=False, fk_modes={})
    refused: writes.DeleteRefused | None = None
    changed = False
    if request.method == "POST":
        original = read_original(info, pk, request.form.get("original_token"))
        try:
            writes.delete(scope, pk, original)
        except writes.DeleteRefused as exc:
            refused = exc
        except writes.RowGone:
            raise _gone(info) from None
        except writes.Conflict as exc:
            row, changed = exc.current, True
        else:
            flash(f"Deleted {delete_pages.row_name_of(scope, pk, row)}.", "success")
            return redirect(list_url(info))
    token = sign_original(info, pk, original_values(info, specs, row))
    (cells,) = shown_cells(scope, specs, [[row.get(s.column) for s in specs]])
    view = delete_pages.delete_view(
        scope,
        pk,
        row,
        [(s.column, s.label, c) for s, c in zip(specs, cells, strict=True)],
        token,
        referrers=refused.referrers if refused else (),
        reasons=refused.reasons if refused else (),
        changed=changed,
    )
    status = 409 if (refused or changed) else 200
    return render_template("edit/delete.html", view=view), status


@bp.get("/<schema>/<table>/-/lookup/<column>")
def lookup(schema: str, table: str, column: str):
    """Matches for a large foreign-key lookup (htmx): <option>s for a datalist."""
    catalog = get_catalog()
    scope = open_scope(g.identity, catalog, f"{schema}.{table}", "read")
    if not (scope.can("create") or scope.can("update")):
        raise AppError(403)
    col = scope.info.columns.get(column)
    if col is None or col.fk is None or column in scope.hidden:
        raise AppError(404)
    ref_scope = peek_scope(g.identity, catalog, col.fk.ref_key)
    matches = []
    if ref_scope is not None:
        matches = writes.reference_lookup(
            ref_scope.table,
            col.fk.ref_columns[0],
            ref_scope.info.label_columns,
            ref_scope.access,
            request.args.get("q") or next(iter(request.args.values()), ""),
        )
    return render_template("edit/_lookup.html", matches=matches)


bp.add_app_template_global(field_view)  # used by render_field in _macros.html
bp.add_app_template_global(split_specs)


__all__ = ["bp"]
