package org.stellaops.crds.v1alpha1;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Standard status conditions: setting one keeps its {@code lastTransitionTime} when the status did not change, so an
 * unchanged status compares equal and is not written again.
 */
public final class Conditions {
    private Conditions() {
    }

    public static List<Condition> set(List<Condition> current, String type, boolean status, String reason, String message,
                                      Long generation, Instant now) {
        List<Condition> out = new ArrayList<>(current == null ? List.of() : current);
        String s = status ? "True" : "False";
        Condition existing = out.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String since = existing != null && s.equals(existing.getStatus()) ? existing.getLastTransitionTime() : now.toString();
        Condition c = new Condition(since, message == null ? "" : message, generation, reason, s, type);
        if (existing != null) {
            out.set(out.indexOf(existing), c);
        } else {
            out.add(c);
        }
        out.sort(java.util.Comparator.comparing(Condition::getType));
        return out;
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return conditions != null && conditions.stream().anyMatch(c -> type.equals(c.getType()) && "True".equals(c.getStatus()));
    }

    public static String reason(List<Condition> conditions, String type) {
        return conditions == null ? null : conditions.stream().filter(c -> type.equals(c.getType())).map(Condition::getReason)
                .filter(Objects::nonNull).findFirst().orElse(null);
    }
}
