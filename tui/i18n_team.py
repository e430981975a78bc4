"""Texts of the team desk (`tui.team`): the lists' scope, assigning, the header's own
counts, presence, the workload per person, and the words a stale-edit refusal uses for
what was changed. Danish first, English second; merged into `tui.i18n`'s table."""

from __future__ import annotations

TEAM: dict[str, tuple[str, str]] = {
    # keys
    "b.scope": ("Mine/alle", "Mine/all"),
    "b.scope.tip": (
        "Skift mellem alle, mine og ikke tildelte (huskes)",
        "Cycle all, mine and unassigned (remembered)",
    ),
    "b.assign": ("Tildel", "Assign"),
    "b.assign.tip": (
        "Tildel sagen eller henvendelsen til dig, en kollega eller ingen",
        "Assign the case or contact to you, a colleague or nobody",
    ),
    # the scope
    "scope.mine": ("Mine", "Mine"),
    "scope.unassigned": ("Ikke tildelt", "Unassigned"),
    "scope.all": ("Alle", "All"),
    "n.scope": ("Viser: {name}", "Showing: {name}"),
    # assigning
    "dlg.assign.title": ("Tildel til", "Assign to"),
    "assign.me": ("Mig ({me})", "Me ({me})"),
    "assign.nobody": ("Ingen (ikke tildelt)", "Nobody (unassigned)"),
    "n.assigned": ("Tildelt {who}", "Assigned to {who}"),
    "n.unassigned": ("Ikke tildelt længere", "No longer assigned"),
    "n.assign_same": ("Uændret: allerede tildelt sådan", "Unchanged: already assigned so"),
    "n.nothing_case": ("Ingen sag valgt", "No case selected"),
    "f.assigned_to": ("Tildelt", "Assigned to"),
    "col.assigned": ("Tildelt", "Assigned"),
    "f.nobody": ("ingen", "nobody"),
    # the header: my own work
    "hdr.mine": (
        "Mine: {overdue} overskredet · {soon} snart · {waiting} venter",
        "Mine: {overdue} overdue · {soon} due soon · {waiting} waiting",
    ),
    # presence
    "presence.others": ("Også åben hos: {who}", "Also open at: {who}"),
    # Statistik
    "stats.workload": ("Arbejdsbyrde pr. person", "Workload per person"),
    "stats.workload.note": (
        "(kun til teamet; rådets tabeller er ikke delt op på personer)",
        "(for the team only; the council's tables are not split by person)",
    ),
    "wl.person": ("Person", "Person"),
    "wl.open": ("Åbne sager", "Open cases"),
    "wl.overdue": ("Overskredne frister", "Overdue targets"),
    "wl.nobody": ("Ikke tildelt", "Unassigned"),
    # what a stale-edit refusal says was changed (the audit log's action)
    "what.assign": ("tildeling", "assignment"),
    "what.classify": ("klassificering", "classification"),
    "what.edit_case": ("ændring", "edit"),
    "what.edit_party": ("ændring", "edit"),
    "what.link": ("tilknytning", "link"),
    "what.move": ("flytning", "move"),
    "what.unlink": ("frakobling", "unlink"),
    "what.dismiss": ("ikke en sag", "not a case"),
    "what.add_note": ("notat", "note"),
}
