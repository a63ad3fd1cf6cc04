package org.stellaops.observer;

import java.util.Map;

/**
 * One container as the node's CRI runtime reports it.
 *
 * @param id          the runtime's container id
 * @param name        the container's name in its pod (CRI metadata)
 * @param podName     from the kubelet's CRI label {@code io.kubernetes.pod.name}; null when not created by a kubelet
 * @param podNamespace from {@code io.kubernetes.pod.namespace}
 * @param podUid      from {@code io.kubernetes.pod.uid}
 * @param image       the image reference the container was created from
 * @param imageId     the runtime's image id (containerd: the config digest)
 * @param imageDigest the repository digest ({@code name@sha256:...}) when the runtime knows it, else null
 * @param state       CRI state name (CONTAINER_RUNNING, CONTAINER_EXITED, ...)
 * @param pid         the container's first process on the node (from the verbose status info), 0 when not running
 * @param startedAtNanos start time, nanoseconds since the epoch (0 when not started)
 */
public record CriContainer(String id, String name, String podName, String podNamespace, String podUid, String image,
                           String imageId, String imageDigest, String state, long pid, long startedAtNanos,
                           Map<String, String> labels) {

    public static final String POD_NAME = "io.kubernetes.pod.name";
    public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    public static final String POD_UID = "io.kubernetes.pod.uid";

    public boolean running() {
        return "CONTAINER_RUNNING".equals(state);
    }
}
