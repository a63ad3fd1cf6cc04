package org.stellaops.observer;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One node's view: compares what the runtime runs now with the previous look and emits events. {@link #tick} is
 * called at start, on every runtime event and every poll interval; the processes of containers already known are
 * sampled again only when {@code sample} is set (the sample interval), new containers always:
 * <ul>
 *   <li>a container seen running for the first time → ContainerStart (its first process: exe, command line, mapped
 *       files) and, when the catalog knows the image, Posture;</li>
 *   <li>a container no longer running (exited or removed) → ContainerStop;</li>
 *   <li>per running container, every process of its cgroup: a process that does not descend from the container's
 *       first process (started by exec) → Drift notFromEntrypoint; an executable or mapped file not in the image's
 *       file list → Drift notInImage. Each drift is reported once per container, path and content.</li>
 * </ul>
 */
public final class Observer {

    private static final Logger LOG = Logger.getLogger(Observer.class.getName());

    private final CriClient cri;
    private final ProcReader proc;
    private final ImageFacts facts;
    private final Consumer<RuntimeEvent> out;
    private final String node;
    private final Clock clock;
    private final Map<String, CriContainer> running = new HashMap<>();
    private final Map<String, Set<String>> driftSeen = new HashMap<>();

    public Observer(CriClient cri, ProcReader proc, ImageFacts facts, Consumer<RuntimeEvent> out, String node, Clock clock) {
        this.cri = cri;
        this.proc = proc;
        this.facts = facts;
        this.out = out;
        this.node = node;
        this.clock = clock;
    }

    public synchronized void tick(boolean sample) throws IOException {
        String now = Instant.now(clock).toString();
        Map<String, CriContainer> seen = new HashMap<>();
        for (CriContainer c : cri.listContainers()) {
            if (c.running() && c.pid() > 0) {
                seen.put(c.id(), c);
            }
        }
        for (CriContainer gone : running.values()) {
            if (!seen.containsKey(gone.id())) {
                CriContainer last = cri.status(gone.id()).orElse(gone);
                out.accept(RuntimeEvent.of(RuntimeEvent.Kind.ContainerStop, now, node, last, null, null, null));
                driftSeen.remove(gone.id());
            }
        }
        for (CriContainer c : seen.values()) {
            if (!running.containsKey(c.id())) {
                Optional<ProcessInfo> first = proc.read(c.pid());
                out.accept(RuntimeEvent.of(RuntimeEvent.Kind.ContainerStart, now, node, c,
                        first.map(RuntimeEvent::process).orElse(null), null, null));
                String digest = RuntimeEvent.digestOf(c.imageDigest());
                if (digest != null) {
                    facts.posture(digest).ifPresent(p ->
                            out.accept(RuntimeEvent.of(RuntimeEvent.Kind.Posture, now, node, c, null, null, p)));
                }
                drift(c, now);
            } else if (sample) {
                drift(c, now);
            }
        }
        running.clear();
        running.putAll(seen);
    }

    private void drift(CriContainer c, String now) throws IOException {
        Optional<Set<String>> files = Optional.ofNullable(RuntimeEvent.digestOf(c.imageDigest())).flatMap(facts::files);
        Set<String> reported = driftSeen.computeIfAbsent(c.id(), k -> new HashSet<>());
        List<Long> pids = proc.sameCgroup(c.pid());
        for (long pid : pids) {
            Optional<ProcessInfo> p = proc.read(pid);
            if (p.isEmpty()) {
                continue; // exited meanwhile
            }
            ProcessInfo info = p.get();
            if (!proc.descendsFrom(pid, c.pid())) {
                report(c, now, reported, new RuntimeEvent.Drift("notFromEntrypoint", info.exe(), info.exeFile().sha256(), pid), info);
            }
            if (files.isPresent()) {
                if (!files.get().contains(info.exe())) {
                    report(c, now, reported, new RuntimeEvent.Drift("notInImage", info.exe(), info.exeFile().sha256(), pid), info);
                }
                for (ProcessInfo.MappedFile l : info.libraries()) {
                    if (!files.get().contains(l.path())) {
                        report(c, now, reported, new RuntimeEvent.Drift("notInImage", l.path(), l.file().sha256(), pid), info);
                    }
                }
            }
        }
    }

    private void report(CriContainer c, String now, Set<String> reported, RuntimeEvent.Drift d, ProcessInfo p) {
        if (reported.add(d.reason() + "\0" + d.path() + "\0" + d.sha256())) {
            out.accept(RuntimeEvent.of(RuntimeEvent.Kind.Drift, now, node, c, RuntimeEvent.process(p), d, null));
        }
    }

    /** Containers seen running at the last tick. */
    public synchronized int running() {
        return running.size();
    }

    static void log(String m) {
        LOG.info(m);
    }
}
