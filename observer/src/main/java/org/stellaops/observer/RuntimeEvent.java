package org.stellaops.observer;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/**
 * One {@code stella.runtime.event@v1} (docs/observer.md has the schema). Fields that do not apply to a kind are
 * absent from the JSON. {@code eventId} is a random UUID: unique, and the same when a batch is resent, so the
 * receiver can drop duplicates.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RuntimeEvent(String schema, String eventId, Kind kind, String time, String node, Container container,
                           Pod pod, Image image, Process process, Drift drift, Posture posture) {

    public static final String SCHEMA = "stella.runtime.event@v1";

    public enum Kind { ContainerStart, ContainerStop, Drift, Posture }

    public record Container(String id, String name, String state) {
    }

    public record Pod(String namespace, String name, String uid) {
    }

    public record Image(String reference, String digest, String imageId) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Process(long pid, String exe, String exeSha256, List<String> cmdline, List<Library> libraries) {
    }

    public record Library(String path, long inode, String sha256) {
    }

    /**
     * @param reason notInImage (the file is not in the image's file list) or notFromEntrypoint (a process that is not
     *               a descendant of the container's first process: started by exec)
     */
    public record Drift(String reason, String path, String sha256, long pid) {
    }

    /** What the catalog knows about the image: its verdict, a verified attestation, a stored SBOM. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Posture(String verdict, Boolean attested, Boolean sbomStored) {
    }

    static RuntimeEvent of(Kind kind, String time, String node, CriContainer c, Process process, Drift drift,
                           Posture posture) {
        return new RuntimeEvent(SCHEMA, UUID.randomUUID().toString(), kind, time, node,
                new Container(c.id(), c.name(), c.state()),
                c.podName() == null ? null : new Pod(c.podNamespace(), c.podName(), c.podUid()),
                new Image(c.image(), digestOf(c.imageDigest()), c.imageId()), process, drift, posture);
    }

    /** "name@sha256:..." → "sha256:..." */
    static String digestOf(String repoDigest) {
        if (repoDigest == null) {
            return null;
        }
        int at = repoDigest.indexOf('@');
        return at < 0 ? repoDigest : repoDigest.substring(at + 1);
    }

    static Process process(ProcessInfo p) {
        return new Process(p.pid(), p.exe(), p.exeFile().sha256(), p.cmdline(), p.libraries().stream()
                .map(l -> new Library(l.path(), l.file().inode(), l.file().sha256())).toList());
    }
}
