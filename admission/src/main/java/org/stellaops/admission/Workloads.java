package org.stellaops.admission;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The pod spec inside each judged kind and the containers to judge in it. */
public final class Workloads {
    /** Kinds the webhook judges (group/kind); anything else is answered "not judged". */
    public static final Set<String> KINDS = Set.of("/Pod", "apps/Deployment", "apps/StatefulSet", "apps/DaemonSet",
            "apps/ReplicaSet", "batch/Job", "batch/CronJob");

    public record Container(String type, String name, String image) {
    }

    /** What a request asks to judge: the pod spec's containers, its pull secrets and ServiceAccount. */
    public record Judged(List<Container> containers, List<String> pullSecrets, String serviceAccount) {
    }

    private Workloads() {
    }

    public static boolean judged(String group, String kind) {
        return KINDS.contains((group == null ? "" : group) + "/" + kind);
    }

    /** The pod spec of an object of a judged kind (missing node when the object has none). */
    public static JsonNode podSpec(String kind, JsonNode object) {
        return switch (kind) {
            case "Pod" -> object.path("spec");
            case "CronJob" -> object.path("spec").path("jobTemplate").path("spec").path("template").path("spec");
            default -> object.path("spec").path("template").path("spec");
        };
    }

    /**
     * Containers to judge. For a Pod UPDATE only ephemeral containers the old object did not have (an update can
     * change nothing else about a pod's images except through ephemeral containers and image fields, which are
     * judged too when they changed).
     */
    public static Judged containers(String kind, String operation, JsonNode object, JsonNode oldObject) {
        JsonNode spec = podSpec(kind, object);
        List<Container> all = new ArrayList<>();
        add(all, "init", spec.path("initContainers"));
        add(all, "container", spec.path("containers"));
        add(all, "ephemeral", spec.path("ephemeralContainers"));
        if ("UPDATE".equals(operation) && oldObject != null && !oldObject.isMissingNode() && !oldObject.isNull()) {
            JsonNode old = podSpec(kind, oldObject);
            Set<String> before = new HashSet<>();
            List<Container> prev = new ArrayList<>();
            add(prev, "init", old.path("initContainers"));
            add(prev, "container", old.path("containers"));
            add(prev, "ephemeral", old.path("ephemeralContainers"));
            prev.forEach(c -> before.add(c.type() + "|" + c.name() + "|" + c.image()));
            all.removeIf(c -> before.contains(c.type() + "|" + c.name() + "|" + c.image()));
        }
        List<String> secrets = new ArrayList<>();
        spec.path("imagePullSecrets").forEach(s -> {
            if (s.hasNonNull("name")) {
                secrets.add(s.get("name").asText());
            }
        });
        String sa = spec.path("serviceAccountName").asText("");
        return new Judged(all, secrets, sa.isEmpty() ? "default" : sa);
    }

    private static void add(List<Container> out, String type, JsonNode list) {
        if (list.isArray()) {
            for (JsonNode c : list) {
                out.add(new Container(type, c.path("name").asText(""), c.path("image").isTextual() ? c.get("image").asText() : ""));
            }
        }
    }
}
