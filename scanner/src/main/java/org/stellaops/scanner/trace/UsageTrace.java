package org.stellaops.scanner.trace;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the image's entrypoint reaches: every file with the edge that first reached it (so each has one chain back to
 * the entrypoint), the edges that could not be resolved statically and why, and why the trace stopped early if it did.
 *
 * @param status     {@code traced}, {@code no-entrypoint} (neither Entrypoint nor Cmd) or {@code unresolvable} (the
 *                   first program is not in the image)
 * @param command    the command line traced (Entrypoint + Cmd)
 * @param reached    files reached, in the order reached
 * @param unresolved edges that could not be followed
 * @param stops      bounds that ended the trace early (node or depth limit)
 */
public record UsageTrace(String status, List<String> command, List<Reached> reached, List<Unresolved> unresolved,
                         List<String> stops) {
    public UsageTrace {
        command = List.copyOf(command);
        reached = List.copyOf(reached);
        unresolved = List.copyOf(unresolved);
        stops = List.copyOf(stops);
    }

    /**
     * @param path        the file (no leading slash)
     * @param from        the file whose edge reached it, null for the entrypoint program
     * @param via         the edge: how {@code from} reaches it ({@code exec java -jar /app/app.jar}, {@code DT_NEEDED libssl.so.3})
     * @param conditional true when the edge, or one before it, is inside a script's if/case/loop/function
     */
    public record Reached(String path, String from, String via, boolean conditional) {
    }

    /** @param from the file with the edge; @param what the name it uses; @param reason why it was not followed */
    public record Unresolved(String from, String what, String reason, boolean conditional) {
    }

    public static UsageTrace none(String status, List<String> command, String reason) {
        return new UsageTrace(status, command, List.of(), reason == null ? List.of()
                : List.of(new Unresolved(null, String.join(" ", command), reason, false)), List.of());
    }

    public Set<String> paths() {
        Set<String> out = new HashSet<>();
        reached.forEach(r -> out.add(r.path()));
        return out;
    }

    /** The chain from the entrypoint to a reached file: {@code /entry.sh → exec java -jar /app/app.jar → /app/app.jar}. */
    public String chain(String path, Map<String, Reached> byPath) {
        List<String> steps = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        Reached r = byPath.get(path);
        while (r != null && seen.add(r.path())) {
            steps.add("/" + r.path() + (r.via() == null ? "" : " (" + r.via() + ")"));
            r = r.from() == null ? null : byPath.get(r.from());
        }
        Collections.reverse(steps);
        return String.join(" → ", steps);
    }

    public Map<String, Reached> byPath() {
        Map<String, Reached> m = new java.util.HashMap<>();
        reached.forEach(r -> m.putIfAbsent(r.path(), r));
        return m;
    }
}
