"""`preflight diff`: the base ref evaluated in a temporary git worktree, both sides recorded by
subprocess workers, judged and priced by this checkout's stages, and compared.

- `git.py`: resolve the ref, add / always remove the detached worktree;
- `worker.py`: run `python -m preflight.record` for each side and rebuild the recorded runs;
- `model.py`: the diff itself (resources by URN, cost deltas, findings by (rule, URN)) and its JSON;
- `build.py`: puts the above together for the command;
- `table.py`: the terminal rendering (Markdown and SARIF live in `preflight/render_*.py`).
"""
