package org.stellaops.scanner.trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.stellaops.core.model.ExecRecord;
import org.stellaops.core.model.FileRecord;
import org.stellaops.core.model.LayerFragment;

/**
 * The final filesystem of an image as the trace sees it: the visible entry of every path (layers applied bottom to top
 * with whiteouts, opaque directories and replaced directories) and the exec records of the layer that provides it.
 * Paths resolve inside the image only: absolute symlink targets start at the image root and {@code ..} stops there.
 */
public final class ComposedFs {
    /** Symlinks followed at most while resolving one path (the kernel's limit is 40). */
    static final int MAX_LINKS = 40;

    private final TreeMap<String, FileRecord> files = new TreeMap<>();
    private final Map<String, ExecRecord> execs = new HashMap<>();

    public ComposedFs(List<LayerFragment> fragments) {
        Map<String, Integer> layerOf = new HashMap<>();
        for (int i = 0; i < fragments.size(); i++) {
            LayerFragment f = fragments.get(i);
            for (String w : f.whiteouts()) {
                removeTree(w, layerOf, true);
            }
            for (String d : f.opaqueDirs()) {
                removeTree(d, layerOf, false);
            }
            for (FileRecord r : f.files()) {
                FileRecord old = files.put(r.path(), r);
                if (old != null && old.isDirectory() && !r.isDirectory()) {
                    removeTree(r.path(), layerOf, false);
                }
                layerOf.put(r.path(), i);
            }
        }
        for (int i = 0; i < fragments.size(); i++) {
            for (ExecRecord e : fragments.get(i).execs()) {
                Integer l = layerOf.get(e.path());
                if (l != null && l == i) {
                    execs.put(e.path(), e);
                }
            }
        }
    }

    private void removeTree(String dir, Map<String, Integer> layerOf, boolean self) {
        if (self) {
            files.remove(dir);
            layerOf.remove(dir);
        }
        String from = dir.isEmpty() ? "" : dir + "/";
        List<String> gone = new ArrayList<>(files.subMap(from, true, from + Character.MAX_VALUE, false).keySet());
        for (String g : gone) {
            files.remove(g);
            layerOf.remove(g);
        }
    }

    public FileRecord entry(String path) {
        return files.get(path);
    }

    public ExecRecord exec(String path) {
        return execs.get(path);
    }

    /** The direct children of a directory (resolved path), in path order. */
    public List<String> children(String dir) {
        String from = dir.isEmpty() ? "" : dir + "/";
        List<String> out = new ArrayList<>();
        for (String p : files.subMap(from, true, from + Character.MAX_VALUE, false).keySet()) {
            if (p.indexOf('/', from.length()) < 0) {
                out.add(p);
            }
        }
        return out;
    }

    /** Outcome of resolving a path: the final path and entry, or why it failed; the symlinks passed on the way. */
    public record Resolved(String path, FileRecord entry, String problem, List<String> links) {
        public boolean ok() {
            return problem == null;
        }
    }

    /** Resolves an absolute or root-relative path through every symlink inside the image. */
    public Resolved resolve(String path) {
        List<String> links = new ArrayList<>();
        int[] hops = {0};
        String r = resolve("", path, links, hops, true);
        if (r == null) {
            return new Resolved(null, null, hops[0] > MAX_LINKS ? "too many levels of symbolic links (a loop?)" : "no such file", links);
        }
        FileRecord e = files.get(r);
        if (e == null && !r.isEmpty()) {
            return new Resolved(r, null, "no such file", links);
        }
        return new Resolved(r, e, null, links);
    }

    private String resolve(String base, String path, List<String> links, int[] hops, boolean followLast) {
        List<String> parts = new ArrayList<>();
        if (!path.startsWith("/") && !base.isEmpty()) {
            for (String p : base.split("/")) {
                parts.add(p);
            }
        }
        String[] todo = path.split("/");
        for (int i = 0; i < todo.length; i++) {
            String p = todo[i];
            if (p.isEmpty() || p.equals(".")) {
                continue;
            }
            if (p.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
                continue;
            }
            parts.add(p);
            String cur = String.join("/", parts);
            FileRecord e = files.get(cur);
            boolean last = i == todo.length - 1;
            if (e == null) {
                if (!last) {
                    return null;
                }
                continue;
            }
            if ("l".equals(e.kind()) && (!last || followLast)) {
                if (++hops[0] > MAX_LINKS) {
                    return null;
                }
                links.add(cur);
                parts.remove(parts.size() - 1);
                String target = resolve(String.join("/", parts), e.target() == null ? "" : e.target(), links, hops, true);
                if (target == null) {
                    return null;
                }
                parts.clear();
                if (!target.isEmpty()) {
                    for (String t : target.split("/")) {
                        parts.add(t);
                    }
                }
            } else if ("h".equals(e.kind()) && last && e.target() != null && files.containsKey(e.target())) {
                // a hard link is the same file as its target; keep its own path (the exec record is under both)
                continue;
            }
        }
        return String.join("/", parts);
    }
}
