"""
The ipythonblocks.org playground's runner: runs a learner's program the way a Jupyter cell
runs, and answers with what the notebook would have shown.

    run(code, host, code_cells=None) -> JSON text
        {"outcome": {"stdout", "events", "result", "posts", "grids", "error"},
         "traceback": str | None, "error_line": int | None,
         "last_grid": {"ipb_class", "grid_data"} | None,
         "dropped": {"events": int, "stdout": int}}

`outcome` has the shape of the oracle fixture's `expected` objects (test/fixtures/
playground-oracle.json): `events` are the displays ({"kind": "html", "html"}, or
{"kind": "text", "text"} for an object without HTML) and clears ({"kind": "clear", "wait"}) in
order; `result` is the last expression's value as Jupyter shows it ({"html"} from
`_repr_html_`, else {"text": repr}, null for None or when the program ends with `;`); `posts`
are the bodies post_to_web sent, without python_version; `grids` every top-level variable
holding a grid; `error` the {type, message} of the exception that ended the program.
`traceback` is that exception as Python prints it, cut down to the learner's own lines, and
`error_line` the line of their code it came from. `last_grid` is the grid displayed last
(show, flash, animate, display or the last expression), what the page's Post button posts.
`dropped` counts what did not fit the outcome's budget (the host saw all of it as it came).

`host` is the page's side (a JS object in the worker, any object with these methods in tests),
called synchronously while the program runs:
    event(json_text)          each display or clear as it happens, so animations play live
    stdout(text)              printed text, a line (or a flush) at a time
    stderr(text)              optional: text written to sys.stderr
    http_get(path)            -> {status, body}: from_web reads /get/<id> or /get/secret/<id>
    http_post(path, body)     -> {status, body}: post_to_web posts to /post
    sleep(seconds)            optional: what time.sleep does during the run. Without it the
                              interpreter's own time.sleep runs (a real wait); tests give one
                              that returns at once, as the oracle's time.sleep did.

`code_cells` is what post_to_web sends as the grid's code cells: the page passes [code] (the
editor's program is the grid's one cell); None means outside a notebook, as the library is when
the oracle ran (code_cells null, and asking for cells fails as it does there).

input() raises a NotImplementedError that says why (nothing can answer it in the worker).

Every run starts from a fresh namespace and freshly imported ipythonblocks and IPython modules,
so nothing one program did (a changed colour table, a patched class) leaks into the next.
"""

import ast
import builtins
import importlib
import importlib.util
import json
import linecache
import math
import numbers
import os
import sys
import time
import traceback

FILENAME = '<playground>'

# Modules a program may change that the next run must get back as new.
_FRESH_PACKAGES = ('ipythonblocks', 'IPython')

# How much of the displays and printed text the outcome keeps (characters): the host gets all
# of it as it comes, the outcome is the record (an animation of a large grid can make hundreds
# of megabytes of HTML).
_EVENTS_BUDGET = 16 * 1024 * 1024
_STDOUT_BUDGET = 4 * 1024 * 1024

_real_sleep = time.sleep


def _from_js(value):
    """A value from the page as Python: JS arrays become lists, JS null None."""
    if value is None or type(value).__name__ in ('JsNull', 'JsUndefined'):
        return None
    to_py = getattr(value, 'to_py', None)
    return to_py() if callable(to_py) else value


def _field(answer, name):
    if isinstance(answer, dict):
        return answer[name]
    return getattr(answer, name)


class _Stream(object):
    """sys.stdout or sys.stderr for the length of a run."""

    encoding = 'utf-8'
    errors = 'strict'

    def __init__(self, send, keep=None):
        self._send = send
        self._keep = keep
        self._pending = []

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError('write() argument must be str, not {0}'.format(type(text).__name__))
        if self._keep is not None:
            self._keep(text)
        self._pending.append(text)
        # A line at a time: a loop printing thousands of lines should not cross to the page
        # thousands of times twice over (print writes the text and the newline separately).
        if '\n' in text:
            self.flush()
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        if self._pending:
            text = ''.join(self._pending)
            self._pending = []
            self._send(text)

    def isatty(self):
        return False

    def readable(self):
        return False

    def writable(self):
        return True


class _Run(object):
    """One program's run: what it showed, printed and posted, and how it ended."""

    def __init__(self, host, code_cells, grid_class):
        self.host = host
        self.code_cells = code_cells
        self.grid_class = grid_class
        self.events = []
        self.events_size = 0
        self.events_dropped = 0
        self.stdout_parts = []
        self.stdout_size = 0
        self.stdout_dropped = 0
        self.posts = []
        self.result = None
        self.error = None
        self.traceback = None
        self.error_line = None
        self.last_grid = None
        self.stdout = _Stream(self._send_stdout, self._keep_stdout)
        stderr = getattr(host, 'stderr', None)
        self.stderr = _Stream(stderr if callable(stderr) else (lambda text: None))

    # -- what the program prints and shows

    def _keep_stdout(self, text):
        if self.stdout_size + len(text) <= _STDOUT_BUDGET:
            self.stdout_parts.append(text)
            self.stdout_size += len(text)
        else:
            self.stdout_dropped += len(text)

    def _send_stdout(self, text):
        self.host.stdout(text)

    def flush(self):
        self.stdout.flush()
        self.stderr.flush()

    def publish(self, event, obj=None):
        """IPython.display's way out: one display or clear."""
        # What was printed before a display comes before it on the page too.
        self.flush()
        text = json.dumps(event)
        self.host.event(text)
        if self.events_size + len(text) <= _EVENTS_BUDGET:
            self.events.append(event)
            self.events_size += len(text)
        else:
            self.events_dropped += 1
        if event['kind'] == 'clear':
            if not event['wait']:
                self.last_grid = None
        else:
            grid = obj if isinstance(obj, self.grid_class) else getattr(obj, '_ipb_grid', None)
            if isinstance(grid, self.grid_class):
                self.last_grid = grid

    def sleep(self, seconds):
        """time.sleep for the length of a run."""
        if not isinstance(seconds, numbers.Real):
            raise TypeError(
                "'{0}' object cannot be interpreted as an integer".format(type(seconds).__name__)
            )
        if math.isnan(seconds):
            raise ValueError('Invalid value NaN (not a number)')
        if seconds < 0:
            raise ValueError('sleep length must be non-negative')
        # The frame before the pause should be on the page during it.
        self.flush()
        host_sleep = getattr(self.host, 'sleep', None)
        if callable(host_sleep):
            host_sleep(float(seconds))
        else:
            _real_sleep(seconds)

    # -- the site, for from_web and post_to_web

    def _ask(self, path, call):
        try:
            answer = call()
            status = int(_field(answer, 'status'))
            body = _field(answer, 'body')
        except Exception as exc:
            raise ConnectionError(
                'could not reach ipythonblocks.org for {0}: {1}'.format(path, exc)
            ) from None
        return status, '' if body is None else str(body)

    def get(self, path):
        return self._ask(path, lambda: self.host.http_get(path))

    def post(self, path, body):
        sent = json.loads(body)
        sent.pop('python_version', None)
        self.posts.append(sent)
        return self._ask(path, lambda: self.host.http_post(path, body))

    def code_cells_for(self, requested):
        """What post_to_web(code_cells=requested) sends as the grid's code cells."""
        if self.code_cells is not None:
            # The editor's program is the one cell there is, whichever cells were asked for.
            return list(self.code_cells)
        if requested is not None:
            # Outside a notebook the library looks for the notebook's cells and fails so.
            raise NameError("name 'get_ipython' is not defined")
        return None

    # -- how it ended

    def show_result(self, value):
        if value is None:
            return None
        show_html = None if isinstance(value, type) else getattr(value, '_repr_html_', None)
        if callable(show_html):
            html = show_html()
            if html is not None:
                if isinstance(value, self.grid_class):
                    self.last_grid = value
                return {'html': html}
        return {'text': repr(value)}

    def fail(self, exc):
        self.error = {'type': type(exc).__name__, 'message': _text_of(exc)}
        self.traceback = _learner_traceback(exc)
        self.error_line = _learner_line(exc)


def _no_input(prompt=''):
    # Pyodide's own input() in a worker fails with "OSError: [Errno 29] I/O error".
    raise NotImplementedError(
        'input() is not available in the browser playground: a program here cannot stop to '
        'ask a question. Put the value in the code instead, e.g. size = 8.'
    )


def _text_of(exc):
    try:
        return str(exc)
    except Exception:
        return '<exception str() failed>'


def _learner_frames(stack):
    return traceback.StackSummary.from_list([f for f in stack if f.filename == FILENAME])


def _learner_traceback(exc):
    """The exception as Python prints it, with only the frames of the learner's code."""
    try:
        report = traceback.TracebackException(type(exc), exc, exc.__traceback__)
        seen = set()
        pending = [report]
        while pending:
            part = pending.pop()
            if id(part) in seen:
                continue
            seen.add(id(part))
            part.stack = _learner_frames(part.stack)
            pending.extend(p for p in (part.__cause__, part.__context__) if p is not None)
        return ''.join(report.format())
    except Exception:
        return '{0}: {1}\n'.format(type(exc).__name__, _text_of(exc))


def _learner_line(exc):
    """The line of the learner's code the exception came from (the innermost one of theirs)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None and isinstance(exc, SyntaxError) and exc.filename == FILENAME:
        line = exc.lineno
    return line


def _ends_with_semicolon(code, statement):
    """Whether the statement is followed by `;`, which in Jupyter hides the cell's value."""
    lines = code.splitlines()
    line = lines[statement.end_lineno - 1]
    # Offsets count UTF-8 bytes.
    rest = line.encode('utf-8')[statement.end_col_offset :].decode('utf-8', 'replace')
    return rest.lstrip().startswith(';')


_NOTHING = object()


def _execute(code, namespace):
    """Runs the program as a cell: the statements, then the last one's value if an expression."""
    tree = ast.parse(code, FILENAME)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = tree.body.pop()
        if _ends_with_semicolon(code, last):
            tree.body.append(last)
            last = None
    exec(compile(tree, FILENAME, 'exec'), namespace)
    if last is None:
        return _NOTHING
    return eval(compile(ast.Expression(last.value), FILENAME, 'eval'), namespace)


# Our modules, parent packages first, as (name, path below this folder, is a package).
_OWN_MODULES = (
    ('IPython', 'IPython/__init__.py', True),
    ('IPython.display', 'IPython/display.py', False),
    ('ipythonblocks', 'ipythonblocks/__init__.py', True),
    ('ipythonblocks.ipythonblocks', 'ipythonblocks/ipythonblocks.py', False),
)
_compiled = {}


def _fresh_modules():
    """New module objects for our modules, run from code compiled once per interpreter."""
    # Pyodide writes no .pyc files: importing them anew would compile them on every run, which
    # costs more than a small program takes to run.
    for name in list(sys.modules):
        if name.split('.')[0] in _FRESH_PACKAGES:
            del sys.modules[name]
    folder = os.path.dirname(os.path.abspath(__file__))
    for name, relative, package in _OWN_MODULES:
        path = os.path.join(folder, relative)
        if name not in _compiled:
            with open(path, encoding='utf-8') as f:
                _compiled[name] = compile(f.read(), path, 'exec')
        spec = importlib.util.spec_from_file_location(
            name, path, submodule_search_locations=[os.path.dirname(path)] if package else None
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        parent, _, child = name.rpartition('.')
        if parent:
            setattr(sys.modules[parent], child, module)
    # Run in dependency order: the package ipythonblocks re-exports its inner module's names.
    for name in ('IPython', 'IPython.display', 'ipythonblocks.ipythonblocks', 'ipythonblocks'):
        exec(_compiled[name], sys.modules[name].__dict__)
    return sys.modules['ipythonblocks.ipythonblocks'], sys.modules['IPython.display']


def _grid_json(grid):
    return {'ipb_class': type(grid).__name__, 'grid_data': grid._grid_data()}


def _top_level_grids(namespace, grid_class):
    grids = {}
    for name, value in list(namespace.items()):
        try:
            if isinstance(value, grid_class):
                grids[name] = _grid_json(value)
        except Exception:
            # A grid the program broke (a subclass, a replaced attribute) is left out.
            pass
    return grids


def _finite(value):
    """JSON has no NaN or Infinity: a block size can hold them, the page cannot read them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _dumps(answer):
    try:
        return json.dumps(answer, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(answer), allow_nan=False)


def run(code, host, code_cells=None):
    """Runs `code` as a notebook cell in a fresh namespace; see the module's docstring."""
    code = str(code)
    code_cells = _from_js(code_cells)
    if code_cells is not None:
        code_cells = [str(cell) for cell in code_cells]

    blocks, display = _fresh_modules()
    state = _Run(host, code_cells, blocks.BlockGrid)
    display._publish = state.publish
    blocks._site = state
    # Jupyter has display() without an import.
    namespace = {'__name__': '__main__', '__builtins__': builtins, 'display': display.display}
    # Tracebacks quote the learner's lines from here.
    linecache.cache[FILENAME] = (len(code), None, code.splitlines(True), FILENAME)

    saved = sys.stdout, sys.stderr, time.sleep, builtins.input
    sys.stdout, sys.stderr, time.sleep = state.stdout, state.stderr, state.sleep
    builtins.input = _no_input
    try:
        value = _execute(code, namespace)
        if value is not _NOTHING:
            state.result = state.show_result(value)
    except BaseException as exc:  # noqa: B902 - a learner's KeyboardInterrupt or exit() too
        state.fail(exc)
    finally:
        sys.stdout, sys.stderr, time.sleep, builtins.input = saved
        display._publish = None
        blocks._site = None
    try:
        state.flush()
    except Exception:
        pass

    grids = _top_level_grids(namespace, blocks.BlockGrid)
    last_grid = None
    if state.last_grid is not None:
        try:
            last_grid = _grid_json(state.last_grid)
        except Exception:
            last_grid = None
    return _dumps(
        {
            'outcome': {
                'stdout': ''.join(state.stdout_parts),
                'events': state.events,
                'result': state.result,
                'posts': state.posts,
                'grids': grids,
                'error': state.error,
            },
            'traceback': state.traceback,
            'error_line': state.error_line,
            'last_grid': last_grid,
            'dropped': {'events': state.events_dropped, 'stdout': state.stdout_dropped},
        }
    )
