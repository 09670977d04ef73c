"""Keeping an instance's state from growing with every send-back or report round."""
from __future__ import annotations

from SpiffWorkflow.bpmn import BpmnWorkflow

from .views import FINISHED


def compact(wf: BpmnWorkflow) -> int:
    """Drop the tasks of loop iterations that are over, in the workflow and its sub-workflows; returns
    how many were dropped.

    A send-back or a report round re-enters a part of the diagram, and SpiffWorkflow keeps every earlier
    pass in the task tree, so an instance's state would grow by every round forever. A finished task is
    dropped when a later task of the same element lies below it on the path to a task still to run: it
    belongs to a pass that is over. Its one continuing child takes its place under its parent (the
    serializer then stores the child's data against the new parent), and its other branches, finished
    all through (a boundary timer cancelled when its task was done, or one that fired and ran its path
    to the end), go with it. What stays: the newest pass
    of every element (what the instance page marks done), every task still to run and its parent
    (boundary events are its siblings), the root, the last task and the tasks that own sub-workflows.
    Earlier passes live on in the database (submissions, the timeline, the audit trail).
    """
    owners = set(wf.subprocesses)
    return sum(_compact_one(w, owners) for w in (wf, *wf.subprocesses.values()))


def _compact_one(workflow, owners: set) -> int:
    tasks = workflow.tasks
    keep = set(owners)
    for anchor in (workflow.task_tree, workflow.last_task):
        if anchor is not None:
            keep.add(anchor.id)
    live = [t for t in tasks.values() if not t.has_state(FINISHED)]
    keep.update(t.id for t in live)
    keep.update(t.parent.id for t in live if t.parent is not None)
    candidates, visited = [], set()
    for task in live:
        below = {task.task_spec}
        ancestor = task.parent
        while ancestor is not None and ancestor.id not in visited:
            visited.add(ancestor.id)
            if ancestor.task_spec in below and ancestor.id not in keep:
                candidates.append(ancestor.id)
            below.add(ancestor.task_spec)
            ancestor = ancestor.parent
    dropped = 0
    for tid in candidates:
        task = tasks.get(tid)
        parent = task.parent if task is not None else None
        if parent is None:
            continue
        continuing = [c for c in task.children if not _dead(c, keep)]
        if len(continuing) != 1:
            continue
        child = continuing[0]
        parent.children = [child if c is task else c for c in parent.children]
        child.parent = parent
        gone = [task]
        for branch in task.children:
            if branch is not child:
                gone.extend(_subtree(branch))
        for dead in gone:
            del tasks[dead.id]
        dropped += len(gone)
    return dropped


def _subtree(task) -> list:
    out, stack = [], [task]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.children)
    return out


def _dead(task, keep: set) -> bool:
    """A branch whose every task is finished and needed by nothing (a boundary timer's path that ran)."""
    return all(t.has_state(FINISHED) and t.id not in keep for t in _subtree(task))
