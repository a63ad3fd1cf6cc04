package org.stellaops.scanner.trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.stellaops.core.model.ExecRecord;
import org.stellaops.core.model.FileRecord;

/**
 * Follows an image's Entrypoint + Cmd through its composed filesystem, statically: programs by PATH and symlinks inside
 * the image; shell scripts (exec, plain commands, {@code .}/{@code source}, {@code "$@"}, variables set from literals;
 * if/case/loop/function bodies marked conditional); interpreters (java -jar/-cp/-m, python script/-m, node script,
 * sh -c); and the ELF DT_NEEDED closure with RPATH/RUNPATH ($ORIGIN), /etc/ld.so.conf(.d) and the default paths.
 * What cannot be resolved is recorded with its reason, never guessed. Bounded by {@link #MAX_NODES} files and
 * {@link #MAX_DEPTH} nested programs; loops end at files already traced. Never throws for bad input.
 */
public final class EntrypointTracer {
    public static final int MAX_NODES = 20_000;
    public static final int MAX_DEPTH = 48;
    private static final Set<String> SHELLS = Set.of("sh", "bash", "dash", "ash", "busybox", "mksh", "ksh");
    private static final Set<String> BUILTINS = Set.of("echo", "printf", "set", "shift", "cd", "export", "unset", "test",
            "[", "[[", "true", "false", ":", "read", "local", "return", "exit", "trap", "wait", "umask", "ulimit", "break",
            "continue", "readonly", "declare", "typeset", "getopts", "command", "type", "hash", "alias", "let", "shopt",
            "pushd", "popd", "{", "}", "(", ")", "!", "then", "do", "else", "elif", "fi", "done", "esac", "in");
    /** Python modules compiled into Debian's python3.11 (sys.builtin_module_names): never files. */
    private static final Set<String> PY_BUILTIN = Set.of("_abc", "_ast", "_bisect", "_blake2", "_codecs", "_collections",
            "_csv", "_datetime", "_elementtree", "_functools", "_heapq", "_imp", "_io", "_locale", "_md5", "_opcode",
            "_operator", "_pickle", "_posixsubprocess", "_random", "_sha1", "_sha256", "_sha3", "_sha512", "_signal",
            "_socket", "_sre", "_stat", "_statistics", "_string", "_struct", "_symtable", "_thread", "_tokenize",
            "_tracemalloc", "_warnings", "_weakref", "array", "atexit", "binascii", "builtins", "cmath", "errno",
            "faulthandler", "fcntl", "gc", "grp", "itertools", "marshal", "math", "posix", "pwd", "pyexpat", "select",
            "spwd", "sys", "syslog", "time", "unicodedata", "xxsubtype", "zlib", "__future__");
    private static final Set<String> NODE_BUILTIN = Set.of("assert", "buffer", "child_process", "cluster", "crypto", "dgram",
            "dns", "events", "fs", "http", "http2", "https", "module", "net", "os", "path", "process", "querystring",
            "readline", "stream", "string_decoder", "timers", "tls", "tty", "url", "util", "v8", "vm", "worker_threads", "zlib");
    private static final Pattern JS_SPEC = Pattern.compile("(?:require\\s*\\(\\s*|\\bfrom\\s+|^import\\s+)['\"]([^'\"]+)['\"]");
    private static final Pattern VAR = Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)\\}|([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?]))");

    private final ComposedFs fs;
    private final LinkedHashMap<String, UsageTrace.Reached> reached = new LinkedHashMap<>();
    private final List<UsageTrace.Unresolved> unresolved = new ArrayList<>();
    private final Set<String> unresolvedKeys = new HashSet<>();
    private final List<String> stops = new ArrayList<>();
    private final Set<String> traced = new HashSet<>();
    private List<String> ldDirs;
    /** Shared objects loaded so far by file name: the dynamic linker satisfies a DT_NEEDED from them first. */
    private final Map<String, String> loaded = new HashMap<>();

    private EntrypointTracer(ComposedFs fs) {
        this.fs = fs;
    }

    /** The process the runtime starts: argv, environment, working directory, user. */
    public record Process(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user) {
    }

    public static UsageTrace trace(ComposedFs fs, Process p) {
        List<String> argv = new ArrayList<>(p.entrypoint());
        argv.addAll(p.cmd());
        if (argv.isEmpty()) {
            return UsageTrace.none("no-entrypoint", argv, "the image config has neither Entrypoint nor Cmd");
        }
        EntrypointTracer t = new EntrypointTracer(fs);
        Map<String, String> env = new LinkedHashMap<>();
        for (String e : p.env()) {
            int eq = e.indexOf('=');
            if (eq > 0) {
                env.put(e.substring(0, eq), e.substring(eq + 1));
            }
        }
        env.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        String cwd = p.workingDir() == null || p.workingDir().isBlank() ? "" : trim(p.workingDir());
        boolean ok;
        try {
            ok = t.run(argv, new Ctx(env, cwd, List.of()), null, "entrypoint", false, 0);
        } catch (RuntimeException e) {
            // the scan never fails because of the trace
            t.stops.add("trace stopped by an internal error: " + e.getClass().getSimpleName());
            ok = !t.reached.isEmpty();
        }
        return new UsageTrace(ok ? "traced" : "unresolvable", argv, new ArrayList<>(t.reached.values()), t.unresolved, t.stops);
    }

    private record Ctx(Map<String, String> env, String cwd, List<String> args) {
    }

    private static String trim(String p) {
        String s = p;
        while (s.startsWith("/")) {
            s = s.substring(1);
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }

    private static String base(String path) {
        int s = path.lastIndexOf('/');
        return s >= 0 ? path.substring(s + 1) : path;
    }

    private static String dir(String path) {
        int s = path.lastIndexOf('/');
        return s > 0 ? path.substring(0, s) : "";
    }

    private static String abs(String cwd, String p) {
        return p.startsWith("/") ? p : (cwd.isEmpty() ? "/" : "/" + cwd + "/") + p;
    }

    private boolean reach(String path, String from, String via, boolean cond) {
        if (reached.containsKey(path)) {
            return false;
        }
        if (reached.size() >= MAX_NODES) {
            if (stops.isEmpty()) {
                stops.add("stopped after " + MAX_NODES + " files (the trace's node limit)");
            }
            return false;
        }
        reached.put(path, new UsageTrace.Reached(path, from, via, cond));
        return true;
    }

    private void unresolved(String from, String what, String reason, boolean cond) {
        if (unresolvedKeys.add(from + '\u0000' + what + '\u0000' + reason) && unresolved.size() < 1000) {
            unresolved.add(new UsageTrace.Unresolved(from, what, reason, cond));
        }
    }

    /** Resolves a path and records the symlinks passed; null (with an unresolved edge) when it fails. */
    private String resolveFile(String absPath, String from, String via, boolean cond) {
        ComposedFs.Resolved r = fs.resolve(absPath);
        String prev = from;
        for (String link : r.links()) {
            ComposedFs.Resolved lr = fs.resolve("/" + link);
            if (lr.ok() && lr.entry() != null && lr.entry().isDirectory()) {
                continue; // a directory link (merged /usr's /lib): a directory owns no code
            }
            reach(link, prev, via, cond);
            prev = link;
        }
        if (!r.ok()) {
            unresolved(from, absPath, r.problem(), cond);
            return null;
        }
        if (r.entry() == null || r.entry().isDirectory()) {
            unresolved(from, absPath, "is a directory", cond);
            return null;
        }
        reach(r.path(), prev, via, cond);
        return r.path();
    }

    /** A program name as the shell or the runtime finds it: with a slash from cwd, otherwise in PATH. */
    private String findProgram(String name, Ctx ctx, String from, String via, boolean cond) {
        if (name.contains("/")) {
            return resolveFile(abs(ctx.cwd(), name), from, via, cond);
        }
        String path = ctx.env().getOrDefault("PATH", "");
        for (String d : path.split(":")) {
            if (d.isEmpty() || d.contains("$")) {
                continue;
            }
            ComposedFs.Resolved r = fs.resolve(abs(ctx.cwd(), d) + "/" + name);
            if (r.ok() && r.entry() != null && !r.entry().isDirectory() && (r.entry().mode() & 0111) != 0) {
                return resolveFile(abs(ctx.cwd(), d) + "/" + name, from, via, cond);
            }
        }
        unresolved(from, name, "not found in PATH " + path, cond);
        return null;
    }

    /** Runs argv as a program would be run; false when the program itself was not found. */
    private boolean run(List<String> argv, Ctx ctx, String from, String via, boolean cond, int depth) {
        if (argv.isEmpty()) {
            return true;
        }
        if (depth > MAX_DEPTH) {
            stops.add("stopped at " + MAX_DEPTH + " nested programs (the trace's depth limit) at " + argv.get(0));
            return true;
        }
        String prog = findProgram(argv.get(0), ctx, from, via, cond);
        if (prog == null) {
            return false;
        }
        ExecRecord rec = fs.exec(prog);
        String name = base(argv.get(0));
        List<String> rest = argv.subList(1, argv.size());
        if (rec != null && "elf".equals(rec.kind())) {
            elf(prog, rec, ctx, cond, null);
        }
        if (rec != null && "script".equals(rec.kind())) {
            String shebang = rec.interpreter();
            if (shebang == null || shebang.isBlank()) {
                if (!traced.add("script:" + prog)) {
                    return true; // already followed: a recursive script, or one run twice
                }
                shell(prog, rec, new Ctx(ctx.env(), ctx.cwd(), List.copyOf(rest)), cond, depth);
                return true;
            }
            List<String> interp = new ArrayList<>(List.of(shebang.trim().split("\\s+", 2)));
            if (interp.size() == 2 && !base(interp.get(0)).equals("env")) {
                interp = new ArrayList<>(List.of(interp.get(0), interp.get(1))); // one optional argument, as the kernel passes it
            } else if (interp.size() == 2) {
                interp = new ArrayList<>(List.of(shebang.trim().split("\\s+")));
            }
            interp.add("/" + prog);
            interp.addAll(rest);
            run(interp, ctx, prog, "#!" + shebang, cond, depth + 1);
            return true;
        }
        if (rec == null) {
            FileRecord e = fs.entry(prog);
            if (e != null && e.size() > ExecAnalyzer.SCRIPT_LIMIT) {
                unresolved(prog, "/" + prog, "neither ELF nor a script of at most " + ExecAnalyzer.SCRIPT_LIMIT
                        + " bytes (" + e.size() + " bytes); not followed", cond);
            } else if (e != null && !(SHELLS.contains(name) || name.startsWith("python") || name.equals("java"))) {
                unresolved(prog, "/" + prog, "neither ELF nor a script with #!; not followed", cond);
            }
        }
        interpreter(name, prog, rest, ctx, cond, depth);
        return true;
    }

    private void interpreter(String name, String prog, List<String> args, Ctx ctx, boolean cond, int depth) {
        if (name.equals("env")) {
            int i = 0;
            Map<String, String> env = new LinkedHashMap<>(ctx.env());
            while (i < args.size() && (args.get(i).startsWith("-") || args.get(i).contains("="))) {
                String a = args.get(i);
                if (a.contains("=") && !a.startsWith("-")) {
                    env.put(a.substring(0, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
                } else if (a.equals("-u") || a.equals("-C") || a.equals("-S")) {
                    i++;
                }
                i++;
            }
            run(args.subList(Math.min(i, args.size()), args.size()), new Ctx(env, ctx.cwd(), ctx.args()), prog,
                    "env " + String.join(" ", args.subList(Math.min(i, args.size()), args.size())), cond, depth + 1);
        } else if (SHELLS.contains(name)) {
            shellArgs(prog, args, ctx, cond, depth);
        } else if (name.equals("java")) {
            java(prog, args, ctx, cond);
        } else if (name.startsWith("python")) {
            python(prog, args, ctx, cond);
        } else if (name.equals("node") || name.equals("nodejs")) {
            node(prog, args, ctx, cond);
        }
    }

    // ---- shell ----

    private void shellArgs(String prog, List<String> args, Ctx ctx, boolean cond, int depth) {
        int i = 0;
        if (base(prog).equals("busybox") && !args.isEmpty() && SHELLS.contains(args.get(0))) {
            i++;
        }
        for (; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-c")) {
                if (i + 1 < args.size()) {
                    List<String> pos = args.subList(Math.min(i + 3, args.size()), args.size());
                    String text = ExecAnalyzer.significant(args.get(i + 1), "sh");
                    shellText(prog, text, new Ctx(ctx.env(), ctx.cwd(), List.copyOf(pos)), cond, depth, "sh -c");
                }
                return;
            }
            if (a.startsWith("-") || a.startsWith("+")) {
                continue;
            }
            String script = resolveFile(abs(ctx.cwd(), a), prog, base(prog) + " " + a, cond);
            if (script == null) {
                return;
            }
            if (!traced.add("script:" + script)) {
                return;
            }
            ExecRecord rec = fs.exec(script);
            shell(script, rec, new Ctx(ctx.env(), ctx.cwd(), List.copyOf(args.subList(i + 1, args.size()))), cond, depth);
            return;
        }
    }

    private void shell(String script, ExecRecord rec, Ctx ctx, boolean cond, int depth) {
        if (rec == null || !"script".equals(rec.kind())) {
            FileRecord e = fs.entry(script);
            unresolved(script, "/" + script, e != null && e.size() > ExecAnalyzer.SCRIPT_LIMIT
                    ? "script of " + e.size() + " bytes is larger than the trace's limit of " + ExecAnalyzer.SCRIPT_LIMIT + " bytes"
                    : "not recorded as a script (no #! line or no execute permission)", cond);
            return;
        }
        if (rec.text() == null) {
            unresolved(script, "/" + script, rec.note() != null ? rec.note() : "script text not kept", cond);
            return;
        }
        shellText(script, rec.text(), ctx, cond, depth, null);
    }

    private void shellText(String script, String text, Ctx ctx, boolean cond, int depth, String how) {
        Map<String, String> vars = new HashMap<>(ctx.env());
        String cwd = ctx.cwd();
        int nest = 0;
        Set<String> functions = new HashSet<>();
        boolean inCase = false;
        for (String line : text.split("\n")) {
            if (line.matches("^(function\\s+)?[A-Za-z_][A-Za-z0-9_]*\\s*\\(\\s*\\)\\s*\\{?.*")) {
                functions.add(line.replaceFirst("^(function\\s+)?([A-Za-z_][A-Za-z0-9_]*).*", "$2"));
                nest++;
                continue;
            }
            for (String seg : segments(line)) {
                List<String> w = words(seg);
                while (!w.isEmpty()) {
                    String k = w.get(0);
                    if (k.equals("if") || k.equals("while") || k.equals("until") || k.equals("for") || k.equals("case")
                            || k.equals("select")) {
                        nest++;
                        if (k.equals("case")) {
                            inCase = true;
                        }
                        if (k.equals("for") || k.equals("case") || k.equals("select")) {
                            w = List.of();
                            break;
                        }
                        w = w.subList(1, w.size());
                    } else if (k.equals("fi") || k.equals("done") || k.equals("esac") || k.equals("}")) {
                        nest = Math.max(0, nest - 1);
                        if (k.equals("esac")) {
                            inCase = false;
                        }
                        w = w.subList(1, w.size());
                    } else if (k.equals("then") || k.equals("else") || k.equals("elif") || k.equals("do") || k.equals("!")
                            || k.equals("{") || k.equals("(")) {
                        w = w.subList(1, w.size());
                    } else if (inCase && k.endsWith(")") && !k.contains("$(")) {
                        w = w.subList(1, w.size()); // a case pattern
                    } else {
                        break;
                    }
                }
                if (w.isEmpty()) {
                    continue;
                }
                boolean c = cond || nest > 0;
                // assignments (alone, exported, or as a prefix of a command)
                int i = 0;
                if (w.get(0).equals("export") || w.get(0).equals("readonly") || w.get(0).equals("local")) {
                    for (String a : w.subList(1, w.size())) {
                        assign(a, vars, ctx);
                    }
                    continue;
                }
                while (i < w.size() && w.get(i).matches("[A-Za-z_][A-Za-z0-9_]*=.*")) {
                    assign(w.get(i), vars, ctx);
                    i++;
                }
                List<String> cmd = new ArrayList<>();
                String unknown = null;
                for (String word : w.subList(i, w.size())) {
                    if (word.startsWith(">") || word.startsWith("<") || word.matches("[0-9&]>.*|[0-9]<.*")) {
                        continue;
                    }
                    List<String> ex = expand(word, vars, ctx.args());
                    if (ex == null) {
                        if (cmd.isEmpty()) {
                            unknown = word;
                        }
                        cmd.add(word);
                    } else {
                        cmd.addAll(ex);
                    }
                }
                if (cmd.isEmpty()) {
                    continue;
                }
                String first = cmd.get(0);
                if (unknown != null) {
                    unresolved(script, unknown, "command named by a variable or substitution not set from a literal", c);
                    continue;
                }
                if (first.equals("exec")) {
                    cmd = cmd.subList(1, cmd.size());
                    if (cmd.isEmpty()) {
                        continue;
                    }
                    first = cmd.get(0);
                }
                boolean isExec = w.get(i).equals("exec");
                if (first.equals("cd")) {
                    if (cmd.size() > 1 && !c) {
                        cwd = trim(abs(cwd, cmd.get(1)));
                    }
                    continue;
                }
                if (first.equals(".") || first.equals("source")) {
                    if (cmd.size() < 2) {
                        continue;
                    }
                    String f = cmd.get(1).contains("/") ? resolveFile(abs(cwd, cmd.get(1)), script, ". " + cmd.get(1), c)
                            : findProgramOrCwd(cmd.get(1), vars, cwd, script, c);
                    if (f != null && traced.add("script:" + f)) {
                        ExecRecord r = fs.exec(f);
                        shell(f, r, new Ctx(vars, cwd, ctx.args()), c, depth + 1);
                    }
                    continue;
                }
                if (first.equals("eval")) {
                    unresolved(script, String.join(" ", cmd), "eval: the command is built at run time", c);
                    continue;
                }
                if (BUILTINS.contains(first) || functions.contains(first) || first.contains("$(") || first.startsWith("`")) {
                    if (first.contains("$(") || first.startsWith("`")) {
                        unresolved(script, first, "command substitution", c);
                    }
                    continue;
                }
                String label = (isExec ? "exec " : "") + String.join(" ", cmd);
                if (label.length() > 200) {
                    label = label.substring(0, 200) + "…";
                }
                run(cmd, new Ctx(vars, cwd, ctx.args()), script, how != null ? how + ": " + label : label, c, depth + 1);
                if (isExec && !c) {
                    return; // exec replaces the shell: nothing after it runs
                }
            }
        }
    }

    private String findProgramOrCwd(String name, Map<String, String> vars, String cwd, String from, boolean c) {
        return findProgram(name, new Ctx(vars, cwd, List.of()), from, ". " + name, c);
    }

    private static void assign(String a, Map<String, String> vars, Ctx ctx) {
        int eq = a.indexOf('=');
        if (eq <= 0) {
            return;
        }
        List<String> v = expand(a.substring(eq + 1), vars, ctx.args());
        if (v == null || v.size() > 1) {
            vars.remove(a.substring(0, eq));
        } else {
            vars.put(a.substring(0, eq), v.isEmpty() ? "" : v.get(0));
        }
    }

    /** Splits a line into simple commands at ; && || | and & outside quotes. */
    static List<String> segments(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char q = 0;
        int paren = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (q != 0) {
                if (ch == q) {
                    q = 0;
                } else if (ch == '\\' && q == '"' && i + 1 < line.length()) {
                    cur.append(ch);
                    ch = line.charAt(++i);
                }
                cur.append(ch);
                continue;
            }
            if (ch == '\'' || ch == '"') {
                q = ch;
                cur.append(ch);
            } else if (ch == '$' && i + 1 < line.length() && line.charAt(i + 1) == '(') {
                paren++;
                cur.append(ch);
            } else if (ch == ')' && paren > 0) {
                paren--;
                cur.append(ch);
            } else if (paren == 0 && (ch == ';' || ch == '|' || ch == '&')) {
                out.add(cur.toString());
                cur.setLength(0);
            } else if (paren == 0 && ch == '#' && (cur.length() == 0 || Character.isWhitespace(cur.charAt(cur.length() - 1)))) {
                break; // a comment
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** Words of a simple command; quotes are kept (expand removes them). */
    static List<String> words(String seg) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char q = 0;
        int paren = 0;
        for (int i = 0; i < seg.length(); i++) {
            char ch = seg.charAt(i);
            if (q != 0) {
                cur.append(ch);
                if (ch == q) {
                    q = 0;
                }
                continue;
            }
            if (ch == '\'' || ch == '"') {
                q = ch;
                cur.append(ch);
            } else if (ch == '(' && cur.length() > 0 && cur.charAt(cur.length() - 1) == '$') {
                paren++;
                cur.append(ch);
            } else if (ch == ')' && paren > 0) {
                paren--;
                cur.append(ch);
            } else if (Character.isWhitespace(ch) && paren == 0) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(ch);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
    }

    /**
     * Expands a word with literal variables and positional arguments; {@code "$@"} becomes the arguments, one word each.
     * Null when it uses something not known statically (an unset variable, a substitution, a glob).
     */
    static List<String> expand(String word, Map<String, String> vars, List<String> args) {
        if (word.equals("\"$@\"") || word.equals("$@") || word.equals("\"${@}\"") || word.equals("$*") || word.equals("\"$*\"")) {
            return new ArrayList<>(args);
        }
        if (word.contains("$(") || word.contains("`")) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        char q = 0;
        for (int i = 0; i < word.length(); i++) {
            char ch = word.charAt(i);
            if (q == '\'') {
                if (ch == '\'') {
                    q = 0;
                } else {
                    out.append(ch);
                }
                continue;
            }
            if (ch == '\'' && q == 0) {
                q = '\'';
                continue;
            }
            if (ch == '"') {
                q = q == '"' ? 0 : '"';
                continue;
            }
            if (ch == '\\' && i + 1 < word.length()) {
                out.append(word.charAt(++i));
                continue;
            }
            if (ch == '$') {
                Matcher m = VAR.matcher(word);
                if (!m.find(i) || m.start() != i) {
                    if (word.startsWith("${", i)) {
                        return null; // ${X:-default} and other expansions
                    }
                    out.append(ch);
                    continue;
                }
                String name = m.group(1) != null ? m.group(1) : m.group(2);
                String v;
                if (name.matches("[0-9]")) {
                    int n = Integer.parseInt(name);
                    v = n == 0 ? null : n <= args.size() ? args.get(n - 1) : "";
                } else {
                    v = vars.get(name);
                }
                if (v == null) {
                    return null;
                }
                out.append(v);
                i = m.end() - 1;
                continue;
            }
            if (q == 0 && (ch == '*' || ch == '?')) {
                return null;
            }
            out.append(ch);
        }
        return List.of(out.toString());
    }

    // ---- native code ----

    private void elf(String path, ExecRecord rec, Ctx ctx, boolean cond, List<String> exeRpath) {
        if (!traced.add("elf:" + path)) {
            return;
        }
        loaded.putIfAbsent(base(path), path);
        if (rec.note() != null) {
            unresolved(path, "/" + path, rec.note(), cond);
            return;
        }
        if (rec.interpreter() != null) {
            resolveFile(rec.interpreter(), path, "PT_INTERP " + rec.interpreter(), cond);
        }
        List<String> inherited = exeRpath == null ? rec.rpath() : exeRpath;
        for (String need : rec.needed()) {
            String lib = findLibrary(need, path, rec, inherited, ctx, cond);
            if (lib != null) {
                ExecRecord lr = fs.exec(lib);
                if (lr != null && "elf".equals(lr.kind())) {
                    elf(lib, lr, ctx, cond, inherited);
                }
            }
        }
    }

    private String findLibrary(String need, String obj, ExecRecord rec, List<String> inherited, Ctx ctx, boolean cond) {
        String via = "DT_NEEDED " + need;
        if (need.contains("/")) {
            return resolveFile(abs(ctx.cwd(), need), obj, via, cond);
        }
        String already = loaded.get(need);
        if (already != null) {
            reach(already, obj, via + " (already loaded)", cond);
            return already;
        }
        List<String> dirs = new ArrayList<>();
        if (rec.runpath().isEmpty()) {
            rec.rpath().forEach(d -> dirs.add(origin(d, obj)));
            inherited.forEach(d -> dirs.add(origin(d, obj)));
        }
        String llp = ctx.env().get("LD_LIBRARY_PATH");
        if (llp != null) {
            for (String d : llp.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        rec.runpath().forEach(d -> dirs.add(origin(d, obj)));
        dirs.addAll(ldConfDirs());
        dirs.addAll(List.of("/lib", "/usr/lib", "/lib64", "/usr/lib64"));
        for (String d : dirs) {
            ComposedFs.Resolved r = fs.resolve(d + "/" + need);
            if (r.ok() && r.entry() != null && !r.entry().isDirectory()) {
                ExecRecord lr = fs.exec(r.path());
                if (lr != null && !"elf".equals(lr.kind())) {
                    continue;
                }
                return resolveFile(d + "/" + need, obj, via, cond);
            }
        }
        unresolved(obj, need, "DT_NEEDED library not found in RPATH/RUNPATH, /etc/ld.so.conf or the default paths", cond);
        return null;
    }

    private static String origin(String d, String obj) {
        String o = "/" + dir(obj);
        return d.replace("${ORIGIN}", o).replace("$ORIGIN", o);
    }

    private List<String> ldConfDirs() {
        if (ldDirs == null) {
            ldDirs = new ArrayList<>();
            ldConf("etc/ld.so.conf", 0);
        }
        return ldDirs;
    }

    private void ldConf(String file, int depth) {
        ComposedFs.Resolved r = fs.resolve("/" + file);
        ExecRecord rec = r.ok() ? fs.exec(r.path()) : null;
        if (rec == null || rec.text() == null || depth > 4) {
            return;
        }
        for (String line : rec.text().split("\n")) {
            String l = line.strip();
            if (l.startsWith("include ")) {
                String pat = l.substring(8).strip();
                String d = trim(dir(pat.startsWith("/") ? pat : "/etc/" + pat));
                String glob = base(pat);
                ComposedFs.Resolved dr = fs.resolve("/" + d);
                if (!dr.ok()) {
                    continue;
                }
                String re = glob.replace(".", "\\.").replace("*", ".*").replace("?", ".");
                for (String c : fs.children(dr.path())) {
                    if (base(c).matches(re)) {
                        ldConf(c, depth + 1);
                    }
                }
            } else if (l.startsWith("/")) {
                ldDirs.add(l.split("\\s")[0]);
            }
        }
    }

    // ---- interpreters ----

    private void java(String prog, List<String> args, Ctx ctx, boolean cond) {
        String home = dir(dir(prog));
        for (String f : List.of("lib/modules", "lib/server/libjvm.so", "lib/libjava.so", "lib/libjimage.so", "lib/libzip.so")) {
            ComposedFs.Resolved r = fs.resolve("/" + home + "/" + f);
            if (r.ok() && r.entry() != null) {
                resolveFile("/" + home + "/" + f, prog, "the JDK that runs it", cond);
                ExecRecord lr = fs.exec(r.path());
                if (lr != null && "elf".equals(lr.kind())) {
                    elf(r.path(), lr, ctx, cond, null);
                }
            }
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if ((a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path") || a.equals("-p")
                    || a.equals("--module-path")) && i + 1 < args.size()) {
                String what = a + " " + args.get(++i);
                for (String e : args.get(i).split(":")) {
                    classpathEntry(e, prog, "java " + what, ctx, cond);
                }
            } else if (a.equals("-jar") && i + 1 < args.size()) {
                String jar = resolveFile(abs(ctx.cwd(), args.get(i + 1)), prog, "java -jar " + args.get(i + 1), cond);
                if (jar != null) {
                    jarClassPath(jar, cond, 0);
                }
                return;
            } else if (a.equals("-m") || a.equals("--module") || !a.startsWith("-")) {
                return; // the main class or module: the rest are its arguments
            }
        }
    }

    private void classpathEntry(String e, String from, String via, Ctx ctx, boolean cond) {
        if (e.isEmpty()) {
            return;
        }
        if (e.endsWith("/*") || e.equals("*")) {
            ComposedFs.Resolved d = fs.resolve(abs(ctx.cwd(), e.substring(0, e.length() - 1)));
            if (!d.ok()) {
                unresolved(from, e, "class path directory " + d.problem(), cond);
                return;
            }
            for (String c : fs.children(d.path())) {
                if (c.endsWith(".jar") || c.endsWith(".JAR")) {
                    String jar = resolveFile("/" + c, from, via, cond);
                    if (jar != null) {
                        jarClassPath(jar, cond, 0);
                    }
                }
            }
            return;
        }
        ComposedFs.Resolved r = fs.resolve(abs(ctx.cwd(), e));
        if (r.ok() && r.entry() != null && r.entry().isDirectory()) {
            for (String c : fs.children(r.path())) {
                if (c.endsWith(".jar")) { // a module path directory
                    String jar = resolveFile("/" + c, from, via, cond);
                    if (jar != null) {
                        jarClassPath(jar, cond, 0);
                    }
                }
            }
            return;
        }
        String jar = resolveFile(abs(ctx.cwd(), e), from, via, cond);
        if (jar != null) {
            jarClassPath(jar, cond, 0);
        }
    }

    private void jarClassPath(String jar, boolean cond, int depth) {
        ExecRecord rec = fs.exec(jar);
        if (rec == null || !"jar".equals(rec.kind()) || !traced.add("jar:" + jar) || depth > MAX_DEPTH) {
            return;
        }
        for (String e : rec.classPath()) {
            if (e.contains(":") && !e.startsWith("file:")) {
                unresolved(jar, e, "Class-Path URL outside the image", cond);
                continue;
            }
            String p = e.startsWith("file:") ? e.substring(5) : e;
            p = java.net.URLDecoder.decode(p.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
            String next = resolveFile(p.startsWith("/") ? p : "/" + (dir(jar).isEmpty() ? "" : dir(jar) + "/") + p, jar,
                    "Class-Path " + e, cond);
            if (next != null) {
                jarClassPath(next, cond, depth + 1);
            }
        }
    }

    private void python(String prog, List<String> args, Ctx ctx, boolean cond) {
        String ver = base(prog).matches("python[0-9]+\\.[0-9]+") ? base(prog).substring(6) : null;
        List<String> sys = new ArrayList<>();
        if (ver != null) {
            sys.addAll(List.of("/usr/lib/python" + ver, "/usr/lib/python" + ver + "/lib-dynload",
                    "/usr/local/lib/python" + ver + "/dist-packages", "/usr/local/lib/python" + ver + "/site-packages",
                    "/usr/lib/python3/dist-packages", "/usr/lib/python" + ver + "/site-packages"));
        } else {
            stops.add("python interpreter " + prog + " has no version in its name; standard library paths unknown");
        }
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-m") && i + 1 < args.size()) {
                List<String> path = new ArrayList<>();
                path.add(abs(ctx.cwd(), "."));
                path.addAll(sys);
                String mod = args.get(i + 1);
                String f = pyModule(mod, path, prog, "python -m " + mod, cond, true);
                if (f == null) {
                    unresolved(prog, mod, "module not found on sys.path", cond);
                } else {
                    pyImports(f, sys, cond, 0);
                }
                return;
            }
            if (a.equals("-c")) {
                unresolved(prog, "-c", "inline Python code is not traced", cond);
                return;
            }
            if (a.equals("-W") || a.equals("-X") || a.equals("--check-hash-based-pycs")) {
                i++;
                continue;
            }
            if (a.startsWith("-")) {
                continue;
            }
            String script = resolveFile(abs(ctx.cwd(), a), prog, "python " + a, cond);
            if (script != null) {
                List<String> path = new ArrayList<>();
                path.add("/" + dir(script));
                path.addAll(sys);
                pyImports(script, path, cond, 0);
            }
            return;
        }
    }

    /** The file of a module on a search path: a package's __init__.py (or __main__.py), a .py or an extension. */
    private String pyModule(String mod, List<String> path, String from, String via, boolean cond, boolean main) {
        String rel = mod.replace('.', '/');
        for (String d : path) {
            for (String cand : main ? List.of(rel + "/__main__.py", rel + ".py") : List.of(rel + "/__init__.py", rel + ".py")) {
                ComposedFs.Resolved r = fs.resolve(d + "/" + cand);
                if (r.ok() && r.entry() != null && !r.entry().isDirectory()) {
                    return resolveFile(d + "/" + cand, from, via, cond);
                }
            }
            ComposedFs.Resolved dr = fs.resolve(d + "/" + (rel.contains("/") ? rel.substring(0, rel.lastIndexOf('/')) : ""));
            if (dr.ok() && dr.entry() != null && dr.entry().isDirectory() || dr.ok() && dr.path().isEmpty()) {
                String prefix = base(rel) + ".";
                for (String c : fs.children(dr.path())) {
                    if (base(c).startsWith(prefix) && c.endsWith(".so")) {
                        return resolveFile("/" + c, from, via, cond);
                    }
                }
            }
        }
        return null;
    }

    private void pyImports(String file, List<String> path, boolean cond, int depth) {
        ExecRecord rec = fs.exec(file);
        if (rec == null || rec.text() == null || !traced.add("py:" + file) || depth > MAX_DEPTH) {
            if (rec == null && fs.entry(file) != null && fs.entry(file).size() > ExecAnalyzer.SCRIPT_LIMIT) {
                unresolved(file, "/" + file, "source larger than " + ExecAnalyzer.SCRIPT_LIMIT + " bytes; imports not read", cond);
            }
            return;
        }
        for (String line : rec.text().split("\n")) {
            List<String> mods = new ArrayList<>();
            if (line.startsWith("from ")) {
                String m = line.substring(5).strip().split("\\s+")[0];
                if (m.startsWith(".")) {
                    continue; // relative: a module of the same package
                }
                mods.add(m);
            } else if (line.startsWith("import ")) {
                for (String part : line.substring(7).split(",")) {
                    String m = part.strip().split("\\s+")[0];
                    if (!m.isEmpty()) {
                        mods.add(m);
                    }
                }
            }
            for (String m : mods) {
                String top = m.contains(".") ? m.substring(0, m.indexOf('.')) : m;
                if (PY_BUILTIN.contains(top)) {
                    continue;
                }
                String f = pyModule(top, path, file, "import " + top, cond, false);
                if (f == null) {
                    unresolved(file, top, "module not found on sys.path", cond);
                } else {
                    pyImports(f, path, cond, depth + 1);
                }
            }
        }
    }

    private void node(String prog, List<String> args, Ctx ctx, boolean cond) {
        for (String a : args) {
            if (a.startsWith("-")) {
                if (a.equals("-e") || a.equals("--eval") || a.equals("-p")) {
                    unresolved(prog, a, "inline JavaScript is not traced", cond);
                    return;
                }
                continue;
            }
            String script = resolveFile(abs(ctx.cwd(), a), prog, "node " + a, cond);
            if (script != null) {
                jsImports(script, cond, 0);
            }
            return;
        }
    }

    private void jsImports(String file, boolean cond, int depth) {
        ExecRecord rec = fs.exec(file);
        if (rec == null || rec.text() == null || !traced.add("js:" + file) || depth > MAX_DEPTH) {
            return;
        }
        for (String line : rec.text().split("\n")) {
            Matcher m = JS_SPEC.matcher(line);
            while (m.find()) {
                String spec = m.group(1);
                if (spec.startsWith("node:") || NODE_BUILTIN.contains(spec.contains("/") ? spec.substring(0, spec.indexOf('/')) : spec)) {
                    continue;
                }
                if (spec.startsWith(".") || spec.startsWith("/")) {
                    String baseDir = spec.startsWith("/") ? "" : "/" + dir(file);
                    String found = null;
                    for (String suffix : List.of("", ".js", ".mjs", ".cjs", ".json", "/index.js")) {
                        ComposedFs.Resolved r = fs.resolve(baseDir + "/" + spec + suffix);
                        if (r.ok() && r.entry() != null && !r.entry().isDirectory()) {
                            found = resolveFile(baseDir + "/" + spec + suffix, file, "require " + spec, cond);
                            break;
                        }
                    }
                    if (found == null) {
                        unresolved(file, spec, "module file not found", cond);
                    } else {
                        jsImports(found, cond, depth + 1);
                    }
                    continue;
                }
                String[] parts = spec.split("/");
                String pkg = spec.startsWith("@") && parts.length > 1 ? parts[0] + "/" + parts[1] : parts[0];
                String found = null;
                for (String d = dir(file); ; d = dir(d)) {
                    String cand = (d.isEmpty() ? "" : "/" + d) + "/node_modules/" + pkg + "/package.json";
                    ComposedFs.Resolved r = fs.resolve(cand);
                    if (r.ok() && r.entry() != null) {
                        found = resolveFile(cand, file, "require " + spec, cond);
                        break;
                    }
                    if (d.isEmpty()) {
                        break;
                    }
                }
                if (found == null) {
                    unresolved(file, spec, "package not found in any node_modules above the script", cond);
                }
            }
        }
    }
}
