"""Actorflow's Python actor host: runs ONE node's script for the node's lifetime (standard library only).

Started by the Node engine (script/src/python/) inside its sandbox (prlimit, plus bwrap/unshare or a
Docker container) as::

    python3 -I -S actor_host.py serve      # the framed protocol below, on stdin/stdout
    python3 -I -S actor_host.py serve --in PATH --out PATH   # ... on two named pipes (Docker)
    python3 -I -S actor_host.py describe   # reads a script on stdin, prints its metadata (never runs it)

Frames, both ways: a 4-byte big-endian length, then that many bytes of UTF-8 JSON (one object).
Node -> host:
    {"t":"init","code":str,"file":str,"entry":str|null,"config":{},"timeoutMs":int,"maxOutputBytes":int,"reap":bool,
     "addressSpace":int|null}   (addressSpace: RLIMIT_AS to set on itself, where no prlimit wraps the host)
        ("reap": kill every other process the host can signal after each call, i.e. whatever the script
        forked; only sent where that is exactly the script's processes: a pid namespace or a per-node uid)
    {"t":"call","inputs":{},"port":str|null,"state":any,"b":1?}   ("b": values hold tagged bytes/ints)
Host -> Node:
    {"t":"ready","mode":"function"|"script","entry":str|null}
    {"t":"emit","port":str,"value":any,"b":1?}        streamed during a call
    {"t":"log","level":"info"|"warn"|..,"message":str} print() and sys.stderr, during or between calls
    {"t":"result","outputs":{},"state":any,"b":1?,"recycle":1?}
"recycle":1: the host passed its CPU-time soft limit (SIGXCPU); the engine replaces it after this call,
before the kernel's hard limit would kill it in the middle of one.
    {"t":"error","code":str,"message":str,"hint":str,"line":int?,"column":int?,"file":str?,"stack":str?}
"b":1 marks a frame whose values contain {"$bytes": base64} or {"$int": digits} (bytes, huge ints):
only those frames pay for decoding them.

The protocol owns the original stdout file descriptor: fd 1 is pointed at stderr and sys.stdin at an
empty stream before user code runs, so print(), os.write(1, ...) or reading stdin cannot corrupt it.
"""

import _ast as ast_nodes   # the C node classes: `ast` itself (and traceback, inspect) cost ~30 ms of start-up
import _thread
import binascii
import json
import os
import signal
import sys

_MISSING = object()
MAX_LOG_LINE = 8192   # longer print() lines are cut (the Node side bounds frame sizes)


class ScriptTimeout(BaseException):
    """Raised inside user code when a call outlives its time limit (BaseException: `except Exception` can't swallow it)."""


class HostError(Exception):
    """A failure to report with a stable code (the Node side turns it into a ScriptError)."""

    def __init__(self, code, message, hint='', line=None):
        super().__init__(message)
        self.code, self.message, self.hint, self.line = code, message, hint, line


# ---------------------------------------------------------------------------------------------
# Framing and JSON values
# ---------------------------------------------------------------------------------------------

class Channel:
    """Length-prefixed JSON frames over two file descriptors."""

    def __init__(self, fd_in, fd_out):
        self._in = os.fdopen(fd_in, 'rb', buffering=65536)
        self._out = os.fdopen(fd_out, 'wb', buffering=65536)
        self.writing = False        # a frame is half written: the timeout must wait (see _on_alarm)
        self.timed_out = False      # ... and fires when it is complete
        self._lock = _thread.allocate_lock()   # threads of the script (maxProcesses > 1) print too

    def read(self):
        header = self._in.read(4)
        if len(header) < 4:
            return None
        body = self._in.read(int.from_bytes(header, 'big'))
        frame = json.loads(body)
        if frame.get('b'):
            frame = _untag(frame)
        return frame

    def write_raw(self, data):
        with self._lock:
            self.writing = True
            try:
                self._out.write(len(data).to_bytes(4, 'big'))
                self._out.write(data)
                self._out.flush()
            finally:
                self.writing = False
        if self.timed_out:
            self.timed_out = False
            raise ScriptTimeout()

    def write(self, frame):
        self.write_raw(json.dumps(frame, separators=(',', ':')).encode())


class Encoded:
    """One value serialized for the wire: `data` (bytes) and whether it holds tagged values."""

    __slots__ = ('data', 'tagged')

    def __init__(self, value, what):
        tagged = []

        def default(obj):
            if isinstance(obj, (bytes, bytearray, memoryview)):
                tagged.append(1)
                return {'$bytes': binascii.b2a_base64(bytes(obj), newline=False).decode('ascii')}
            if isinstance(obj, (set, frozenset, tuple)):
                return list(obj)
            raise TypeError(f'{type(obj).__name__} values are not JSON-compatible')

        try:
            text = json.dumps(value, separators=(',', ':'), allow_nan=False, default=default)
        except (TypeError, ValueError, RecursionError) as exc:
            raise HostError('SCRIPT_INVALID_OUTPUT', f'{what} is not JSON-compatible: {exc}',
                            'use dicts with string keys, lists, str, int, float (finite), bool, None or bytes') from None
        self.data = text.encode()
        self.tagged = bool(tagged)


def _untag(value):
    """Decodes {"$bytes": ...} and {"$int": ...} inside a frame Node marked with "b"."""
    if isinstance(value, dict):
        if len(value) == 1:
            if '$bytes' in value:
                return binascii.a2b_base64(value['$bytes'])
            if '$int' in value:
                return int(value['$int'])
        return {k: _untag(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_untag(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# The script API: @actor, Context, Message
# ---------------------------------------------------------------------------------------------

def actor(fn=None, **metadata):
    """Declares the entry function and its component metadata (read by discovery without running the file).

    Use as @actor(name=..., inports=[...], outports=[...]) or bare @actor."""

    def mark(target):
        target.__actor_metadata__ = metadata
        _host.decorated.append(target)
        return target

    return mark(fn) if callable(fn) else mark


class Message:
    """Reflow's input message: `.data` is the plain value, `.type` its Reflow variant name."""

    __slots__ = ('data', 'type')

    def __init__(self, data):
        self.data = data
        self.type = _variant(data)

    def __repr__(self):
        return f'Message(type={self.type!r}, data={self.data!r})'


def _variant(value):
    if value is None:
        return 'Optional'
    if isinstance(value, bool):
        return 'Boolean'
    if isinstance(value, int):
        return 'Integer'
    if isinstance(value, float):
        return 'Float'
    if isinstance(value, str):
        return 'String'
    if isinstance(value, (bytes, bytearray)):
        return 'Stream'
    if isinstance(value, list):
        return 'Array'
    return 'Object'


class Context:
    """The current call, as the global `Context` (Reflow's script API) and the `context` argument."""

    def __init__(self, host):
        self._host = host
        self.inputs, self.state, self.port = {}, None, None
        self.config = {}

    def get_inputs(self):
        """Reflow style: {port: Message} (read values with `.data`)."""
        return {name: Message(value) for name, value in self.inputs.items()}

    def get_input(self, port, default=None):
        """The plain value that arrived on `port`, or `default`."""
        return self.inputs.get(port, default)

    def get_config(self):
        return self.config

    def get_state(self):
        return self.state

    def set_state(self, state):
        """Replaces the node state (it is persisted after the call)."""
        self.state = state

    def send_output(self, port_or_outputs, value=_MISSING):
        """Streams outputs now: send_output(port, value), or Reflow's send_output({port: value}) (non-dict -> 'out')."""
        if value is not _MISSING:
            self._host.emit(port_or_outputs, value)
        elif isinstance(port_or_outputs, dict):
            for port, item in port_or_outputs.items():
                self._host.emit(port, item)
        else:
            self._host.emit('out', port_or_outputs)

    emit = send_output

    def log(self, message, level='info'):
        self._host.log(level, str(message))


class LogStream:
    """sys.stdout / sys.stderr for user code: each complete line becomes a `log` frame."""

    def __init__(self, host, level):
        self._host, self._level, self._buffer = host, level, ''
        self.encoding, self.errors = 'utf-8', 'replace'

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f'write() argument must be str, not {type(text).__name__}')
        self._buffer += text
        if '\n' in self._buffer:
            *lines, self._buffer = self._buffer.split('\n')
            for line in lines:
                self._host.log(self._level, line)
        return len(text)

    def flush(self):
        if self._buffer:
            line, self._buffer = self._buffer, ''
            self._host.log(self._level, line)

    def isatty(self):
        return False

    def writable(self):
        return True


# ---------------------------------------------------------------------------------------------
# The host
# ---------------------------------------------------------------------------------------------

class Host:
    def __init__(self):
        self.channel = None
        self.decorated = []
        self.context = Context(self)
        self.file = '<inline>'
        self.code = ''
        self.entry = None          # the entry function (function mode) ...
        self.script = None         # ... or the compiled script run per call (Reflow script mode)
        self.params = ()
        self.loop = None
        self.timeout = 30.0
        self.budget = 0            # bytes the current call may still output
        self.running_user = False  # the time limit applies (see _on_alarm)
        self.reap = False          # kill leftover processes after each call (see init)
        self.recycle = False       # the CPU-time soft limit was reached (see _on_cpu_limit)
        self.max_output = 1 << 20

    # -- channel -----------------------------------------------------------------------------

    def log(self, level, message):
        if len(message) > MAX_LOG_LINE:
            message = f'{message[:MAX_LOG_LINE]}... ({len(message)} chars)'
        self.channel.write({'t': 'log', 'level': level, 'message': message})

    def emit(self, port, value):
        if not isinstance(port, str):
            raise HostError('SCRIPT_INVALID_OUTPUT', f'output port names are strings, got {type(port).__name__}',
                            'call send_output("port", value)', _user_line())
        try:
            encoded = Encoded(value, f"the value sent to port '{port}'")
        except HostError as err:
            err.line = _user_line()
            raise
        self._spend(len(encoded.data), f"the value sent to port '{port}'")
        tag = b',"b":1' if encoded.tagged else b''
        self.channel.write_raw(b'{"t":"emit","port":' + json.dumps(port).encode() + b',"value":' + encoded.data + tag + b'}')

    def _spend(self, size, what):
        self.budget -= size
        if self.budget < 0:
            raise HostError('SCRIPT_OUTPUT_TOO_LARGE',
                            f'{what} brings this call\'s output to more than {self.max_output} bytes (limits.maxOutputBytes)',
                            'send smaller values, or raise limits.maxOutputBytes', _user_line())

    # -- init --------------------------------------------------------------------------------

    def init(self, frame):
        code, self.file = frame['code'], frame.get('file') or '<inline>'
        self.context.config = frame.get('config') or {}
        self.timeout = max(0.001, frame.get('timeoutMs', 30000) / 1000)
        self.max_output = frame.get('maxOutputBytes', 1 << 20)
        self.reap = bool(frame.get('reap'))
        if frame.get('addressSpace'):
            import resource
            resource.setrlimit(resource.RLIMIT_AS, (frame['addressSpace'], frame['addressSpace']))
        self.code = code
        tree = _parse(code, self.file)
        requested = frame.get('entry')
        entry_name = requested or _find_entry(tree)
        if entry_name is None:
            # Reflow script mode: no entry function; the whole script runs for every call and its
            # result is `__return_value` or the value of its last expression.
            self.script = compile(_capture_last_expression(tree), self.file, 'exec')
            return {'t': 'ready', 'mode': 'script', 'entry': None}
        if requested and not _binds(tree, requested):
            raise HostError('SCRIPT_CONFIG', f"entry point '{requested}' is not defined at the top level of {self.file}",
                            f'define def {requested}(inputs, state, config), or set entryPoint to one of: '
                            + (', '.join(_top_level_functions(tree)) or '(the script defines no function)'))
        namespace = self._namespace()
        self._run_user(lambda: exec(compile(tree, self.file, 'exec'), namespace))
        if not requested and self.decorated:
            fn = self.decorated[-1]
        else:
            fn = namespace.get(entry_name)
        if not callable(fn):
            raise HostError('SCRIPT_CONFIG', f"entry point '{entry_name}' is a {type(fn).__name__}, not a function",
                            f'define def {entry_name}(inputs, state, config)')
        self.entry, self.params = fn, _parameters(fn)
        return {'t': 'ready', 'mode': 'function', 'entry': getattr(fn, '__name__', entry_name)}

    def _namespace(self, **extra):
        return {'__name__': '__actor__', '__file__': self.file, '__builtins__': __builtins__,
                'actor': actor, 'Context': self.context, **extra}

    # -- calls -------------------------------------------------------------------------------

    def call(self, frame):
        ctx = self.context
        ctx.inputs = frame.get('inputs') or {}
        ctx.port = frame.get('port')
        state = frame.get('state')
        ctx.state = {} if state is None else state
        self.budget = self.max_output
        if self.entry is not None:
            returned = self._run_user(self._call_entry)
            outputs, state = self._function_result(returned)
        else:
            given = ctx.state
            namespace = self._namespace(inputs=ctx.inputs, state=given, config=ctx.config)
            self._run_user(lambda: exec(self.script, namespace))
            outputs = _script_result(namespace.get('__return_value', namespace.get(_LAST_VALUE)))
            state = ctx.state if ctx.state is not given else namespace.get('state', given)
        if not isinstance(outputs, dict):
            raise HostError('SCRIPT_INVALID_OUTPUT',
                            f'{_entry_label(self)} returned {type(outputs).__name__}; it must return a dict of port -> value, or None',
                            'return {"out": value}, or emit with Context.send_output(port, value)')
        for port in outputs:
            if not isinstance(port, str):
                raise HostError('SCRIPT_INVALID_OUTPUT', f'output port names are strings, got {port!r}',
                                'return {"out": value}')
        out = Encoded(outputs, 'the returned outputs')
        self._spend(len(out.data), 'the returned outputs')
        st = Encoded(state, 'the node state')
        self._spend(len(st.data), 'the node state')
        tag = b',"b":1' if out.tagged or st.tagged else b''
        recycle = b',"recycle":1' if self.recycle else b''
        self.channel.write_raw(b'{"t":"result","outputs":' + out.data + b',"state":' + st.data + tag + recycle + b'}')

    def _call_entry(self):
        ctx = self.context
        values = {'inputs': ctx.inputs, 'state': ctx.state, 'config': ctx.config, 'context': ctx, 'ctx': ctx,
                  'port': ctx.port, 'emit': ctx.send_output, 'send_output': ctx.send_output}
        result = self.entry(*[values[name] for name in self.params])
        if hasattr(result, '__await__'):
            if self.loop is None:
                import asyncio
                self.loop = asyncio.new_event_loop()
            result = self.loop.run_until_complete(result)
        return result

    def _function_result(self, returned):
        """process() returns outputs, or (outputs, new_state); a mutated `state` argument persists."""
        if isinstance(returned, tuple) and len(returned) == 2 and (returned[0] is None or isinstance(returned[0], dict)):
            outputs, state = returned
        else:
            outputs, state = returned, self.context.state
        return ({} if outputs is None else outputs), state

    def _run_user(self, fn):
        """Runs user code under the call's time limit; the result of fn, or a HostError."""
        # (re)armed before running_user is set: a timer left from the last call can never hit this one;
        # it is not disarmed afterwards (one syscall less per call), _on_alarm ignores it outside user code
        signal.setitimer(signal.ITIMER_REAL, self.timeout)
        self.running_user = True
        try:
            return fn()
        except HostError:
            raise
        except ScriptTimeout:
            raise HostError('SCRIPT_TIMEOUT', f'the script did not finish within {round(self.timeout * 1000)} ms',
                            'make the script faster or raise limits.timeoutMs', _user_line(sys.exc_info()[2])) from None
        except SyntaxError as exc:
            raise _syntax_error(exc) from None
        except BaseException as exc:  # noqa: B036 - everything the script raises is reported, the host goes on
            raise _script_error(exc, self.file) from None
        finally:
            self.running_user = False
            self.channel.timed_out = False


_LAST_VALUE = '__actorflow_last_value__'
_host = Host()


def _entry_label(host):
    return f"{getattr(host.entry, '__name__', 'the entry function')}()" if host.entry else 'the script'


def _script_result(value):
    """Reflow script mode: a dict maps to ports, any other value goes to `out`, None sends nothing."""
    if value is None:
        return {}
    return value if isinstance(value, dict) else {'out': value}


_CO_VARARGS = 0x04


def _parameters(fn):
    """Which values to pass: by parameter name when all are known, else positionally (inputs, state, config)."""
    function = getattr(fn, '__func__', fn)
    code = getattr(function, '__code__', None)
    if code is None or code.co_flags & _CO_VARARGS:
        return ('inputs', 'state', 'config')
    names = code.co_varnames[:code.co_argcount]
    if function is not fn:          # a bound method: `self` is already bound
        names = names[1:]
    known = {'inputs', 'state', 'config', 'context', 'ctx', 'port', 'emit', 'send_output'}
    if all(name in known for name in names):
        return tuple(names)
    return ('inputs', 'state', 'config')[:len(names)]


# ---------------------------------------------------------------------------------------------
# Source handling: parsing, entry discovery, error locations
# ---------------------------------------------------------------------------------------------

def _register_source(file, code):
    import linecache
    linecache.cache[file] = (len(code), None, code.splitlines(True), file)


def _parse(code, file):
    try:
        return compile(code, file, 'exec', ast_nodes.PyCF_ONLY_AST)
    except SyntaxError as exc:
        raise _syntax_error(exc) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise HostError('SCRIPT_SYNTAX', f'{file} cannot be parsed: {exc}', 'fix the script source') from None


def _syntax_error(exc):
    where = f' (line {exc.lineno})' if exc.lineno else ''
    text = f'\n    {exc.text.rstrip()}' if exc.text else ''
    err = HostError('SCRIPT_SYNTAX', f'{type(exc).__name__}: {exc.msg}{where}{text}', 'fix the script source', exc.lineno)
    err.column = exc.offset
    return err


def _is_actor_decorator(node):
    target = node.func if isinstance(node, ast_nodes.Call) else node
    return (isinstance(target, ast_nodes.Name) and target.id == 'actor') or (isinstance(target, ast_nodes.Attribute) and target.attr == 'actor')


def _top_level_functions(tree):
    return [n.name for n in tree.body if isinstance(n, (ast_nodes.FunctionDef, ast_nodes.AsyncFunctionDef))]


def _binds(tree, name):
    for node in tree.body:
        if isinstance(node, (ast_nodes.FunctionDef, ast_nodes.AsyncFunctionDef, ast_nodes.ClassDef)) and node.name == name:
            return True
        if isinstance(node, (ast_nodes.Assign, ast_nodes.AnnAssign)):
            targets = node.targets if isinstance(node, ast_nodes.Assign) else [node.target]
            if any(isinstance(t, ast_nodes.Name) and t.id == name for t in targets):
                return True
        if isinstance(node, (ast_nodes.Import, ast_nodes.ImportFrom)) and any((a.asname or a.name) == name for a in node.names):
            return True
    return False


def _find_entry(tree):
    """The @actor-decorated function, else `process`, else None (Reflow script mode)."""
    for node in tree.body:
        if isinstance(node, (ast_nodes.FunctionDef, ast_nodes.AsyncFunctionDef)) and any(map(_is_actor_decorator, node.decorator_list)):
            return node.name
    return 'process' if _binds(tree, 'process') else None


def _capture_last_expression(tree):
    """Reflow script mode: the value of a trailing expression statement is the script's result."""
    if tree.body and isinstance(tree.body[-1], ast_nodes.Expr):
        last = tree.body[-1]
        where = {key: getattr(last, key) for key in ('lineno', 'col_offset', 'end_lineno', 'end_col_offset')}
        target = ast_nodes.Name(id=_LAST_VALUE, ctx=ast_nodes.Store(), **where)
        tree.body[-1] = ast_nodes.Assign(targets=[target], value=last.value, type_comment=None, **where)
    return tree


def _user_frames(tb, file):
    import traceback
    return [f for f in traceback.extract_tb(tb) if f.filename == file]


def _user_line(tb=None):
    """Line of the innermost user frame: in a traceback, or on the current stack."""
    file = _host.file
    if tb is not None:
        frames = _user_frames(tb, file)
        return frames[-1].lineno if frames else None
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename == file:
            return frame.f_lineno
        frame = frame.f_back
    return None


def _script_error(exc, file):
    _register_source(file, _host.code)   # lets the traceback quote the script's lines
    frames = _user_frames(exc.__traceback__, file)
    line = frames[-1].lineno if frames else None
    name = type(exc).__name__
    detail = str(exc)
    if isinstance(exc, SystemExit):
        message, hint = f'the script called sys.exit({detail})', 'return from the entry function instead of exiting'
    else:
        message = f'{name}: {detail}' if detail else name
        hint = 'the script raised this exception'
    code = 'SCRIPT_MEMORY' if isinstance(exc, MemoryError) else 'SCRIPT_ERROR'
    if code == 'SCRIPT_MEMORY':
        hint = 'use less memory, or raise limits.memoryMb'
    err = HostError(code, message, hint, line)
    import traceback
    stack = ''.join(traceback.format_list(frames)) if frames else ''
    err.stack = f'Traceback (most recent call last):\n{stack}{message}' if stack else message
    return err


def _error_frame(err):
    frame = {'t': 'error', 'code': err.code, 'message': err.message, 'hint': err.hint, 'file': _host.file}
    if err.line is not None:
        frame['line'] = err.line
    if getattr(err, 'column', None):
        frame['column'] = err.column
    if getattr(err, 'stack', None):
        frame['stack'] = err.stack
    return frame


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------

def _reap_processes():
    """Processes a script started never outlive its call: SIGKILL them all, then collect the zombies."""
    try:
        os.kill(-1, signal.SIGKILL)    # every process we may signal but ourselves (and the namespace's init)
    except OSError:
        return                         # none
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return
        except InterruptedError:
            continue


def _on_cpu_limit(_signum, _frame):
    """SIGXCPU: the soft RLIMIT_CPU is reached; ask to be replaced after the current call."""
    _host.recycle = True


def _on_alarm(_signum, _frame):
    """SIGALRM: the call's time is up. Raises in user code, never in the middle of a frame write."""
    if not _host.running_user:
        return
    if _host.channel.writing:
        _host.channel.timed_out = True
        return
    raise ScriptTimeout()


def serve(pipes):
    # The protocol takes over the original stdin/stdout descriptors (or the named pipes given); fd 0
    # reads /dev/null and fd 1 writes to stderr, so nothing the script does to them reaches the protocol.
    if pipes:
        proto_in, proto_out = os.open(pipes['--in'], os.O_RDONLY), os.open(pipes['--out'], os.O_WRONLY)
    else:
        proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    import faulthandler
    faulthandler.enable(file=sys.__stderr__, all_threads=False)   # crashes print the script's line on stderr
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.signal(signal.SIGXCPU, _on_cpu_limit)
    host = _host
    host.channel = Channel(proto_in, proto_out)
    module = type(sys)('actorflow')
    module.actor, module.Context, module.Message = actor, host.context, Message
    sys.modules['actorflow'] = module
    sys.stdin = open(os.devnull)
    sys.stdout, sys.stderr = LogStream(host, 'info'), LogStream(host, 'warn')
    while True:
        try:
            frame = host.channel.read()
        except MemoryError:
            # the frame may be half read: answer, then exit; the engine starts a fresh host
            host.channel.write(_error_frame(HostError('SCRIPT_MEMORY', 'the inputs and state of this call do not fit in the memory limit',
                                                      'send smaller messages, or raise limits.memoryMb')))
            return
        if frame is None:
            return
        try:
            kind = frame.get('t')
            if kind == 'call':
                host.call(frame)
            elif kind == 'init':
                host.channel.write(host.init(frame))
            else:
                raise HostError('SCRIPT_CRASHED', f'unknown frame type {kind!r}', 'the Node engine and actor_host.py disagree')
        except HostError as err:
            host.channel.write(_error_frame(err))
        except ScriptTimeout:   # the timer fired just after the user code returned
            host.channel.write(_error_frame(HostError('SCRIPT_TIMEOUT', f'the script did not finish within {round(host.timeout * 1000)} ms',
                                                      'make the script faster or raise limits.timeoutMs')))
        except MemoryError:
            host.channel.write(_error_frame(HostError('SCRIPT_MEMORY', 'MemoryError while encoding the result',
                                                      'use less memory, or raise limits.memoryMb')))
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            if host.reap:
                _reap_processes()


# -- describe: component metadata by reading the script, never running it ------------------------

def describe(code, file):
    tree = _parse(code, file)
    for node in tree.body:
        if isinstance(node, (ast_nodes.FunctionDef, ast_nodes.AsyncFunctionDef)):
            for deco in node.decorator_list:
                if _is_actor_decorator(deco):
                    if not isinstance(deco, ast_nodes.Call) or deco.args:
                        raise HostError('SCRIPT_CONFIG', f'@actor on line {deco.lineno} takes keyword arguments only',
                                        '@actor(name="my/Actor", inports=["in"], outports=["out"])', deco.lineno)
                    meta = {kw.arg: _literal(kw.value, f'@actor({kw.arg}=...)') for kw in deco.keywords if kw.arg}
                    return {'metadata': meta, 'entry': node.name, 'line': deco.lineno}
    for node in tree.body:
        if isinstance(node, (ast_nodes.Assign, ast_nodes.AnnAssign)):
            targets = node.targets if isinstance(node, ast_nodes.Assign) else [node.target]
            if any(isinstance(t, ast_nodes.Name) and t.id == '__actor_metadata__' for t in targets) and node.value is not None:
                meta = _literal(node.value, '__actor_metadata__')
                if not isinstance(meta, dict):
                    raise HostError('SCRIPT_CONFIG', f'__actor_metadata__ (line {node.lineno}) must be a dict',
                                    '__actor_metadata__ = {"name": "my/Actor", "inports": ["in"], "outports": ["out"]}', node.lineno)
                return {'metadata': meta, 'entry': _find_entry(tree), 'line': node.lineno}
    return {'metadata': None, 'entry': _find_entry(tree), 'line': None}   # nothing declared: the caller's defaults apply


def _literal(node, what):
    import ast
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
        raise HostError('SCRIPT_CONFIG', f'{what} on line {node.lineno} is not a literal value',
                        'metadata is read without running the script: use only literals (strings, numbers, lists, dicts)',
                        node.lineno) from None


def describe_main():
    request = json.loads(sys.stdin.buffer.read())
    _host.file = request.get('file') or '<inline>'
    try:
        reply = describe(request['code'], _host.file)
    except HostError as err:
        reply = _error_frame(err)
    sys.stdout.write(json.dumps(reply))


if __name__ == '__main__':
    mode = sys.argv[1] if len(sys.argv) > 1 else 'serve'
    if mode == 'describe':
        describe_main()
    elif mode == 'serve':
        options = sys.argv[2:]
        if len(options) % 2 or any(name not in ('--in', '--out') for name in options[::2]):
            sys.exit(f'actor_host.py serve: expected [--in PATH --out PATH], got {options!r}')
        serve(dict(zip(options[::2], options[1::2])))
    else:
        sys.exit(f'actor_host.py: unknown mode {mode!r} (expected serve or describe)')
