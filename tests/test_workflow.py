"""project.yml reruns what changed, and only that.

weasel (`spacy project run`) reruns a command when the md5 of one of its deps or outputs differs from
project.lock, so a file a step reads but doesn't list in `deps` leaves a stale result behind, and an
output it doesn't list is neither checked nor cleaned. These tests work out, from the scripts alone, what
each command runs, imports, reads and writes, and compare that with what project.yml declares:

* the script of every `python scripts/X.py`, `python bench/X.py`, `python -m animal_verifier...` line, and
  every first-party module it imports (statically, transitively, with `ast`; of a typer app with several
  commands, what the command the line runs imports; `python -m spacy` imports the `spacy_*` entry points)
  is a dep, and so are the notebooks a script executes and what their code cells import: a file, not a
  folder, because a folder's md5 covers its `__pycache__/*.pyc` files, which change whenever something
  imports one more module, and would rerun steps for nothing (only `package`, which builds the library
  wheel from whole packages, depends on them as folders);
* no file of the scripts or packages is a dep of a step that neither imports nor reads it;
* data a module names next to itself (``templates/``, ``data/animal_lexicon.json``), paths passed on the
  command line and path defaults of the script's options are deps (or outputs);
* what the script writes through its `--output*` options (and `.with_suffix` files beside them) is an
  output, where it lands under training/, corpus/, packages/ or a package's data/;
* workflow steps exist and come after the steps that make their deps; every `${vars.X}` is declared;
* the committed assets carry weasel's md5 checksum; the package meta agrees with the project; the README's
  wheel glob matches what `package` leaves in packages/;
* and, with weasel's own `check_rerun` on the lock file of a copy of the project, touching any code file
  marks exactly the commands that import it for a rerun (and touching scripts/convert.py: `convert`, not
  `lexicon`).
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import shutil
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath

import pytest
import srsly
from weasel.cli.run import check_rerun, update_lockfile
from weasel.util import get_checksum, load_project_config, split_command, substitute_project_variables

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILE = ROOT / "project.yml"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf8"))
#: The first-party packages: what `[tool.setuptools.packages.find]` puts in the library wheel.
FIRST_PARTY = tuple(p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"])
#: Where a command's outputs must be declared when a script writes there.
TRACKED_OUTPUTS = ("training", "corpus", "packages", *(f"{p}/data" for p in FIRST_PARTY))
#: Committed sources: copied into the simulated project (everything else there is a placeholder).
SOURCE_ROOTS = ("scripts", "bench", "assets", "configs", "metas", *FIRST_PARTY)
#: Script parameters that name what a script writes: a file, or for OUTPUT_DIR_PARAM a folder.
OUTPUT_PARAM = re.compile(r"^(out|output|output_\w+|plot|lookalikes|model_save_path)$")
OUTPUT_DIR_PARAM = re.compile(r"^(output_dir|model_save_path)$")
MODULE_NAME = re.compile(rf"^({'|'.join(FIRST_PARTY)})(\.\w+)+$")  # "animal_verifier.cli" in a `-m` argv


@cache
def raw_project() -> dict:
    return srsly.read_yaml(PROJECT_FILE)


@cache
def project() -> dict:
    """project.yml with the default vars substituted, as weasel runs it."""
    return substitute_project_variables(raw_project())


def command(name: str) -> dict:
    return next(c for c in project()["commands"] if c["name"] == name)


def norm(path: str) -> str:
    return PurePosixPath(path).as_posix().removeprefix("./").rstrip("/")


def covered(path: str, declared: Iterable[str]) -> bool:
    """``path`` is a declared path or lies in a declared folder."""
    return any(path == d or path.startswith(d + "/") for d in map(norm, declared))


def related(path: str, declared: Iterable[str]) -> bool:
    """Covered, or a folder that holds a declared path (`--data-path corpus` with corpus/train.spacy)."""
    return covered(path, declared) or any(norm(d).startswith(path + "/") for d in declared)


def shell_glob_match(path: str, pattern: str) -> bool:
    """As the shell globs: a `*` stays within one folder."""
    parts, pattern_parts = path.split("/"), pattern.split("/")
    return len(parts) == len(pattern_parts) and all(map(fnmatch.fnmatchcase, parts, pattern_parts))


def path_like(token: str) -> str | None:
    """A command-line token that names something in the project: its first part is a top-level folder
    (one in the checkout or one the project's `directories` creates)."""
    if token.startswith("-") or "://" in token:
        return None
    path = norm(token)
    top = path.split("/")[0]
    tops = {*raw_project().get("directories", []), *(p.name for p in ROOT.iterdir() if p.is_dir())}
    return path if top in tops and not top.startswith(".") else None


# --- the static import graph ------------------------------------------------------------------------------


def module_file(name: str) -> str | None:
    """The repo-relative file of a first-party module, or None."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate.relative_to(ROOT).as_posix()
    return None


@cache
def parse(rel: str) -> ast.Module:
    text = (ROOT / rel).read_text(encoding="utf8")
    if rel.endswith(".ipynb"):
        text = notebook_source(text)
    return ast.parse(text, filename=rel)


def notebook_source(text: str) -> str:
    """A notebook's code cells as one module; IPython's `!shell` and `%magic` lines become comments."""
    cells = [c for c in json.loads(text)["cells"] if c["cell_type"] == "code"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
    return "\n".join(re.sub(r"(?m)^(\s*)([!%])", r"\1# \2", source) for source in sources) + "\n"


def _sibling(name: str, rel: str) -> str:
    """A script's import of another script beside it (``from bench_batch import ...`` in bench/: Python
    puts the script's folder on sys.path) as a dotted name of that file; other names as they are."""
    folder = PurePosixPath(rel).parent
    if "." not in name and not module_file(name) and (ROOT / folder / f"{name}.py").is_file():
        return ".".join([*folder.parts, name])
    return name


def _imported_names(nodes: Iterable[ast.AST], rel: str) -> list[tuple[str, bool]]:
    """(module, bound) pairs; bound when the module object itself is imported by name (so a package's
    lazy ``__getattr__`` attributes can be reached), not just as the parent of a submodule."""
    out = []
    for node in nodes:
        if isinstance(node, ast.Import):
            out += [(_sibling(alias.name, rel), True) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = list(PurePosixPath(rel).parent.parts)
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = _sibling(node.module or "", rel)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out += [(sub, True), (base, False)] if module_file(sub) else [(base, True)]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE_NAME.match(node.value):
            if module_file(node.value):  # `[sys.executable, "-m", "animal_verifier.cli", ...]`
                out.append((node.value, True))
    return out


@cache
def module_imports(rel: str) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Imports that run with the module (also those inside its functions), and the lazy ones in a
    module-level ``__getattr__`` (PEP 562), which run only when the attribute is asked for."""
    tree = parse(rel)
    lazy_defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "__getattr__"]
    lazy_ids = {id(n) for d in lazy_defs for n in ast.walk(d)}
    eager = [n for n in ast.walk(tree) if id(n) not in lazy_ids]
    lazy = [n for d in lazy_defs for n in ast.walk(d)]
    return _imported_names(eager, rel), _imported_names(lazy, rel)


def entry_imports(rel: str, func: str | None) -> list[tuple[str, bool]]:
    """What running one command of an entry script or module imports: its module-level code and the
    functions of it that the command calls (the other commands of a typer app with several don't run)."""
    if func is None:
        return module_imports(rel)[0]
    tree = parse(rel)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    reached: set[str] = set()
    todo = [func]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += [n.id for n in ast.walk(functions[name]) if isinstance(n, ast.Name) and n.id in functions]
    skipped = {id(f) for name, f in functions.items() if name not in reached}
    return _imported_names((n for stmt in tree.body if id(stmt) not in skipped for n in ast.walk(stmt)), rel)


def import_closure(entries: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Every first-party file that running the entries (file, typer command or None for all of it) runs,
    with the chain that imports it (for messages)."""
    chain: dict[str, str] = {}
    todo: list[tuple[str, bool, str]] = []
    seen: set[tuple[str, bool]] = set()

    def follow(names: Iterable[tuple[str, bool]], how: str) -> None:
        for name, name_bound in names:
            if name.split(".")[0] not in FIRST_PARTY and not module_file(name):  # not ours, nor a sibling script
                continue
            parts = name.split(".")
            for i in range(1, len(parts) + 1):  # importing a.b.c runs a/__init__.py and a/b/__init__.py too
                target = module_file(".".join(parts[:i]))
                if target:
                    todo.append((target, name_bound and i == len(parts), f"{how} -> {target}"))

    for rel, func in entries:
        chain.setdefault(rel, rel)
        seen.add((rel, True))
        parts = [p for p in PurePosixPath(rel).with_suffix("").parts if p != "__init__"]
        if parts[0] in FIRST_PARTY and len(parts) > 1:  # `python -m a.b` imports package a first
            follow([(".".join(parts[:-1]), False)], rel)
        follow(entry_imports(rel, func), rel)
    while todo:
        rel, bound, how = todo.pop()
        if (rel, bound) in seen:
            continue
        seen.add((rel, bound))
        chain.setdefault(rel, how)
        eager, lazy = module_imports(rel)
        follow(eager + (lazy if bound else []), how)
    return chain


def data_files(code: Iterable[str]) -> dict[str, str]:
    """Files and folders that library modules name as string literals next to themselves (``"templates"``) or in
    their package's data/ folder (``"animal_lexicon.json"``): they read them at run time."""
    found = {}
    for rel in (r for r in code if r.split("/")[0] in FIRST_PARTY):  # scripts take their paths as options
        folders = ((ROOT / rel).parent, *(ROOT / p / "data" for p in FIRST_PARTY))
        for node in ast.walk(parse(rel)):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            name = node.value
            if not re.fullmatch(r"[\w][\w.-]*", name) or name.endswith(".py"):
                continue
            for folder in folders:
                path = folder / name
                if path.is_file() or (path.is_dir() and not (path / "__init__.py").exists()):
                    found.setdefault(path.relative_to(ROOT).as_posix(), f"{rel} names {name!r}")
    return found


# --- the typer parameters of a script ---------------------------------------------------------------------


@dataclass
class Param:
    name: str
    flags: tuple[str, ...]  # option names; () for a positional argument
    is_flag: bool
    is_list: bool
    default: str | None  # a literal path default
    side_suffixes: tuple[str, ...] = ()  # `param.with_suffix(".png")` in the function: a file beside it


def _literal_path(node: ast.AST | None) -> str | None:
    """``"x"``, ``Path("x")``, ``ROOT / "x"``: the path; anything computed: None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Call) and ast.unparse(node.func) == "Path" and len(node.args) == 1:
        return _literal_path(node.args[0])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and ast.unparse(node.left) == "ROOT":
        return _literal_path(node.right)
    return None


def _typer_call(node: ast.AST | None) -> ast.Call | None:
    if isinstance(node, ast.Call) and ast.unparse(node.func).split(".")[-1] in ("Option", "Argument"):
        return node
    return None


def _command_functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """The typer commands of a module by name: `@app.command()` functions, else ``main``."""
    commands = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call) and ast.unparse(deco.func).endswith(".command"):
                named = [a.value for a in deco.args if isinstance(a, ast.Constant)]
                commands[named[0] if named else node.name.replace("_", "-")] = node
    if not commands:
        commands = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main"}
    return commands


def typer_params(rel: str, argv: list[str]) -> tuple[str, list[Param], list[str]]:
    """The typer command that ``argv`` runs in ``rel``: its function's name, its parameters, and the
    arguments left for them."""
    commands = _command_functions(parse(rel))
    assert commands, f"{rel}: no typer command (no `main`, no `@app.command()`) to check the line against"
    if len(commands) == 1:
        func = next(iter(commands.values()))
    else:
        assert argv and argv[0] in commands, f"{rel}: {argv[:1]} is not one of its commands {sorted(commands)}"
        func, argv = commands[argv[0]], argv[1:]
    args = func.args.args + func.args.kwonlyargs
    defaults = [None] * (len(func.args.args) - len(func.args.defaults)) + func.args.defaults + func.args.kw_defaults
    params = []
    for arg, default in zip(args, defaults, strict=True):
        annotation, call = arg.annotation, _typer_call(default)
        if isinstance(annotation, ast.Subscript) and ast.unparse(annotation.value).endswith("Annotated"):
            elts = annotation.slice.elts  # type: ignore[attr-defined]
            annotation, call = elts[0], next((c for c in map(_typer_call, elts[1:]) if c), None)
            decls, literal = (call.args if call else []), _literal_path(default)
        else:
            decls, literal = (call.args[1:] if call else []), _literal_path(call.args[0] if call else default)
        kind = ast.unparse(call.func).split(".")[-1] if call else ("Argument" if default is None else "Option")
        type_text = ast.unparse(annotation) if annotation is not None else ""
        is_flag = type_text.replace(" | None", "") == "bool"
        flags: tuple[str, ...] = ()
        if kind == "Option":
            names = [part for d in decls if isinstance(d, ast.Constant) for part in str(d.value).split("/")]
            flags = tuple(names) or (f"--{arg.arg.replace('_', '-')}",) + (
                (f"--no-{arg.arg.replace('_', '-')}",) if is_flag else ()
            )
        suffixes = tuple(
            n.args[0].value
            for n in ast.walk(func)
            if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Attribute)
            and n.func.attr == "with_suffix"
            and isinstance(n.func.value, ast.Name)
            and n.func.value.id == arg.arg
            and n.args
            and isinstance(n.args[0], ast.Constant)
        )
        params.append(Param(arg.arg, flags, is_flag, type_text.startswith(("list[", "List[")), literal, suffixes))
    return func.name, params, argv


def bind(rel: str, params: list[Param], argv: list[str]) -> dict[str, list[str]]:
    """Which parameter each argument of the line goes to, as typer/click would parse it."""
    options = {flag: p for p in params for flag in p.flags}
    values: dict[str, list[str]] = {}
    positional: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        flag, _, inline = token.partition("=")
        if flag in options:
            p = options[flag]
            if p.is_flag:
                values[p.name] = []
            elif inline:
                values.setdefault(p.name, []).append(inline)
            else:
                assert i + 1 < len(argv), f"{rel}: {flag} needs a value"
                values.setdefault(p.name, []).append(argv[i + 1])
                i += 1
        elif token.startswith("-") and not re.fullmatch(r"-\d[\d.e-]*", token):
            raise AssertionError(f"{rel} has no option {flag}; its options: {sorted(options)}")
        else:
            positional.append(token)
        i += 1
    arguments = [p for p in params if not p.flags]
    for p in arguments:
        if not positional:
            break
        values[p.name] = positional if p.is_list else [positional[0]]
        positional = [] if p.is_list else positional[1:]
    assert not positional, f"{rel}: extra arguments {positional}"
    return values


# --- what a command runs, reads and writes ----------------------------------------------------------------


@dataclass
class Analysis:
    name: str
    code: dict[str, str] = field(default_factory=dict)  # file -> import chain
    reads: dict[str, str] = field(default_factory=dict)  # path -> why
    writes: dict[str, str] = field(default_factory=dict)  # file -> why
    write_dirs: dict[str, str] = field(default_factory=dict)  # folder -> why
    builds_library: bool = False


def spacy_plugin_modules() -> list[str]:
    """Modules spaCy imports through entry points when it loads a config with our components."""
    groups = PYPROJECT["project"].get("entry-points", {})
    refs = [ref for group, entries in groups.items() if group.startswith("spacy_") for ref in entries.values()]
    return [f for f in (module_file(ref.split(":")[0]) for ref in refs) if f]


@cache
def analyse(name: str) -> Analysis:
    cmd = command(name)
    result = Analysis(name)
    entries: list[tuple[str, str | None]] = []
    for line in cmd.get("script", []):
        tokens = split_command(line)
        for token in tokens[1:]:
            if path := path_like(token):
                result.reads.setdefault(path, f"named on the line `{line}`")
        if tokens[0] not in ("python", "python3") or len(tokens) < 2:
            continue
        if tokens[1] == "-m":
            module, argv = tokens[2], tokens[3:]
            if module == "spacy":  # loads our components through their entry points
                entries += [(rel, None) for rel in spacy_plugin_modules()]
                continue
            if module == "pip" and argv[:1] == ["wheel"] and "." in argv:
                result.builds_library = True
                continue
            rel = module_file(module)
            if rel is None:
                continue
        else:
            rel, argv = norm(tokens[1]), tokens[2:]
            assert (ROOT / rel).is_file(), f"`{line}` runs {rel}, which doesn't exist"
            if not any(rel.startswith(f"{top}/") for top in (*FIRST_PARTY, "scripts", "bench")):
                continue
        func, params, argv = typer_params(rel, argv)
        entries.append((rel, func))
        values = bind(rel, params, argv)
        for p in params:
            given = values[p.name] if p.name in values else [p.default] if p.default else []
            for value in filter(None, map(path_like, given)):
                why = f"{rel} {p.flags[0] if p.flags else p.name.upper()} {value}"
                if not OUTPUT_PARAM.match(p.name):
                    result.reads.setdefault(value, why)
                elif OUTPUT_DIR_PARAM.match(p.name):
                    result.write_dirs[value] = why
                else:
                    result.writes[value] = why
                    for suffix in p.side_suffixes:
                        result.writes[str(PurePosixPath(value).with_suffix(suffix))] = f"{why} (beside it)"
    # a notebook the script executes (`scripts/run_notebooks.py notebooks/demo.ipynb`) runs its code cells
    entries += [(p, None) for p in result.reads if p.endswith(".ipynb") and (ROOT / p).is_file()]
    result.code = import_closure(entries)
    for path, why in data_files(result.code).items():
        result.reads.setdefault(path, why)
    return result


def deps(name: str) -> list[str]:
    return [norm(d) for d in command(name).get("deps", [])]


def outputs(name: str) -> list[str]:
    cmd = command(name)
    return [norm(o) for o in cmd.get("outputs", []) + cmd.get("outputs_no_cache", [])]


def library_sources() -> list[str]:
    readme = PYPROJECT["project"].get("readme")
    return ["pyproject.toml", *([readme] if isinstance(readme, str) else []), *FIRST_PARTY]


COMMANDS = [c["name"] for c in raw_project()["commands"]]


# --- the tests ----------------------------------------------------------------------------------------------


def test_the_main_job_writes_only_ignored_paths_and_package_data():
    """`bash run_all.sh` leaves `git status` clean: every output of `all` is git-ignored (training/, corpus/,
    packages/), or a package data file that a rerun on the same inputs writes byte for byte; committed copies
    (notebooks/, reports/) are written by `report` alone."""
    ignored = ("training/", "corpus/", "packages/")
    data = tuple(f"{p}/data/" for p in FIRST_PARTY)
    stray = {
        name: out
        for name in raw_project()["workflows"]["all"]
        for out in outputs(name)
        if not out.startswith(ignored + data)
    }
    assert not stray, f"`all` writes committed paths: {stray}"


def test_project_validates_with_weasel(tmp_path):
    shutil.copy(PROJECT_FILE, tmp_path / "project.yml")
    config = load_project_config(tmp_path)  # exits on a schema error, an unknown step or an undeclared var
    assert {c["name"] for c in config["commands"]} == set(COMMANDS)


def test_vars_are_declared():
    text = PROJECT_FILE.read_text(encoding="utf8")
    used = set(re.findall(r"\$\{vars\.(\w+)\}", text))
    assert used <= set(raw_project()["vars"]), f"undeclared vars: {sorted(used - set(raw_project()['vars']))}"


def test_workflow_steps_exist_and_follow_what_they_need():
    producers = {name: outputs(name) for name in COMMANDS}
    for workflow, steps in project()["workflows"].items():
        assert set(steps) <= set(COMMANDS), f"{workflow}: unknown steps {sorted(set(steps) - set(COMMANDS))}"
        for i, step in enumerate(steps):
            for dep in deps(step):
                made_by = [c for c, outs in producers.items() if c != step and covered(dep, outs)]
                if made_by:
                    assert set(made_by) & set(steps[:i]), (
                        f"workflow {workflow!r}: {step} needs {dep}, made by {made_by}, which doesn't run before it"
                    )


@pytest.mark.parametrize("name", COMMANDS)
def test_code_it_runs_is_in_deps(name):
    """The script or module of each line, and every first-party module it imports, is a dep."""
    a = analyse(name)
    declared = deps(name) + (library_sources() if a.builds_library else [])
    missing = {rel: how for rel, how in a.code.items() if not covered(rel, declared)}
    assert not missing, f"project.yml `{name}`: add to deps (imported as shown):\n" + "\n".join(
        f"  - {rel}    ({how})" for rel, how in sorted(missing.items())
    )


@pytest.mark.parametrize("name", COMMANDS)
def test_no_deps_in_the_code_it_does_not_run(name):
    """A dep among the scripts or the packages that no line imports or reads reruns the command for nothing."""
    a = analyse(name)
    if a.builds_library:
        return
    ours = [d for d in deps(name) if d.split("/")[0] in (*FIRST_PARTY, "scripts", "bench")]
    extra = [d for d in ours if d not in a.code and not related(d, a.reads)]
    assert not extra, f"project.yml `{name}`: no line of it imports or reads {extra}; drop them from deps"


@pytest.mark.parametrize("name", COMMANDS)
def test_code_deps_are_files_not_folders(name):
    """A folder's md5 covers its __pycache__, so a folder of code in deps reruns a step whenever anything
    imports one more module from it. Only the library wheel (`pip wheel .`) depends on whole packages."""
    a = analyse(name)
    allowed = set(library_sources()) if a.builds_library else set()
    folders = [d for d in deps(name) if (ROOT / d).is_dir() and any((ROOT / d).rglob("*.py")) and d not in allowed]
    assert not folders, f"project.yml `{name}`: list the imported files instead of the folders {folders}"


@pytest.mark.parametrize("name", COMMANDS)
def test_library_wheel_depends_on_its_sources(name):
    if analyse(name).builds_library:
        missing = [s for s in library_sources() if s not in deps(name)]
        assert not missing, f"project.yml `{name}` builds the library wheel from {missing}: add them to deps"


@pytest.mark.parametrize("name", COMMANDS)
def test_what_it_reads_is_in_deps(name):
    """Paths on the command line, path defaults of the script's options and data its modules read."""
    a = analyse(name)
    declared = deps(name) + outputs(name) + (library_sources() if a.builds_library else [])
    missing = {p: why for p, why in a.reads.items() if not related(p, declared)}
    assert not missing, f"project.yml `{name}`: add to deps:\n" + "\n".join(
        f"  - {p}    ({why})" for p, why in sorted(missing.items())
    )


@pytest.mark.parametrize("name", COMMANDS)
def test_what_it_writes_is_in_outputs(name):
    a = analyse(name)
    outs = outputs(name)
    tracked = [p for p in a.writes if covered(p, TRACKED_OUTPUTS)]
    missing = {p: a.writes[p] for p in tracked if not covered(p, outs)}
    missing |= {d: why for d, why in a.write_dirs.items() if covered(d, TRACKED_OUTPUTS) and not related(d, outs)}
    assert not missing, f"project.yml `{name}`: add to outputs:\n" + "\n".join(
        f"  - {p}    ({why})" for p, why in sorted(missing.items())
    )


def test_committed_assets_carry_weasels_checksum():
    """`spacy project assets` checks these; a changed asset with an old checksum fails here first."""
    problems = []
    for asset in project()["assets"]:
        path = ROOT / asset["dest"]
        if "url" in asset or "git" in asset:
            continue
        if not path.exists():
            problems.append(f"{asset['dest']}: declared as committed but missing")
        elif asset.get("checksum") != (md5 := get_checksum(path)):
            problems.append(f"{asset['dest']}: checksum {asset.get('checksum')}, but weasel computes {md5}")
    assert not problems, "project.yml assets:\n  " + "\n  ".join(problems)


def test_package_meta_agrees_with_the_project():
    from animal_verifier.constants import PIPELINE_NAME

    package = command("package")
    meta_path = next(t for line in package["script"] for t in re.findall(r"--meta-path (\S+)", line))
    assert meta_path in deps("package")
    meta = json.loads((ROOT / meta_path).read_text(encoding="utf8"))
    assert meta["name"] == PIPELINE_NAME
    assert meta["version"] == str(project()["vars"]["version"])  # `--version ${vars.version}` wins anyway
    library = PYPROJECT["project"]["version"]
    assert f"animal-verifier=={library}" in meta["requirements"], "the pipeline must pin the library built beside it"
    assert f"packages/animal_verifier-{library}-py3-none-any.whl" in outputs("package")


def test_readme_installs_the_wheel_package_leaves_in_packages():
    """The README's `pip install packages/en_animal_verifier-*.whl` matches one declared output."""
    readme = (ROOT / "README.md").read_text(encoding="utf8")
    pattern = re.search(r"pip install [^\n`]*?(packages/\S+\.whl)", readme)
    assert pattern, "the README no longer says how to install the wheel"
    matches = [o for o in outputs("package") if shell_glob_match(o, pattern[1])]
    assert len(matches) == 1, f"{pattern[1]} matches {matches} of the package outputs {outputs('package')}"


# --- weasel's own rerun check on a copy of the project ----------------------------------------------------


def _materialise(project_dir: Path, rel: str) -> None:
    """Copy committed sources; stand in for generated files (training/, corpus/, ...) with small ones."""
    target, source = project_dir / rel, ROOT / rel
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if rel.split("/")[0] in SOURCE_ROOTS or "/" not in rel:
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"), dirs_exist_ok=True)
            return
        if source.is_file():
            shutil.copyfile(source, target)
            return
    if PurePosixPath(rel).suffix:
        target.write_text(f"stand-in for {rel}\n")
    else:
        target.mkdir(parents=True, exist_ok=True)
        (target / "stand-in").write_text(f"stand-in for {rel}\n")


@pytest.fixture(scope="module")
def locked_project(tmp_path_factory) -> tuple[Path, dict]:
    """A copy of the project after a full run: every dep and output present, every command in project.lock."""
    project_dir = tmp_path_factory.mktemp("project")
    shutil.copy(PROJECT_FILE, project_dir / "project.yml")
    config = load_project_config(project_dir)
    for cmd in config["commands"]:
        for rel in cmd.get("deps", []) + cmd.get("outputs", []) + cmd.get("outputs_no_cache", []):
            _materialise(project_dir, norm(rel))
    for cmd in config["commands"]:
        update_lockfile(project_dir, cmd)
    return project_dir, config


@pytest.fixture
def lock_read_once(monkeypatch):
    """check_rerun parses project.lock (YAML, slow) once per command; these tests ask hundreds of times
    about a lock that doesn't change, so parse it once. The verdicts stay weasel's own."""
    read_yaml, parsed = srsly.read_yaml, {}

    def cached(path, *args, **kwargs):
        stat = Path(path).stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in parsed:
            parsed[key] = read_yaml(path, *args, **kwargs)
        return parsed[key]

    monkeypatch.setattr(srsly, "read_yaml", cached)


def _reruns(project_dir: Path, config: dict) -> set[str]:
    return {cmd["name"] for cmd in config["commands"] if check_rerun(project_dir, cmd)}


def _always(config: dict) -> set[str]:
    """weasel reruns a command without outputs every time (`examples`)."""
    return {c["name"] for c in config["commands"] if not c.get("outputs") and not c.get("outputs_no_cache")}


def test_nothing_changed_nothing_reruns(locked_project, lock_read_once):
    project_dir, config = locked_project
    assert _reruns(project_dir, config) == _always(config)


def test_touching_convert_reruns_convert_and_not_lexicon(locked_project, lock_read_once):
    project_dir, config = locked_project
    script = project_dir / "scripts" / "convert.py"
    original = script.read_bytes()
    try:
        script.write_bytes(original + b"\n# changed\n")
        assert _reruns(project_dir, config) == {"convert"} | _always(config)
    finally:
        script.write_bytes(original)


def test_touching_a_module_reruns_exactly_the_commands_that_import_it(locked_project, lock_read_once):
    """For every first-party file any command runs: weasel's verdict equals the `ast` import closure's."""
    project_dir, config = locked_project
    readers: dict[str, set[str]] = {}
    for name in COMMANDS:
        for rel in analyse(name).code:
            readers.setdefault(rel, set()).add(name)
    library = {name for name in COMMANDS if analyse(name).builds_library}
    wrong = []
    for rel, names in sorted(readers.items()):
        path = project_dir / rel
        if not path.is_file():
            wrong.append(f"{rel}: imported by {sorted(names)} but a dep of none of them")
            continue
        original = path.read_bytes()
        try:
            path.write_bytes(original + b"\n# changed\n")
            expected = names | _always(config) | (library if covered(rel, FIRST_PARTY) else set())
            got = _reruns(project_dir, config)
        finally:
            path.write_bytes(original)
        if got != expected:
            wrong.append(f"{rel}: weasel reruns {sorted(got)}; its importers are {sorted(expected)}")
    assert not wrong, "\n".join(wrong)
