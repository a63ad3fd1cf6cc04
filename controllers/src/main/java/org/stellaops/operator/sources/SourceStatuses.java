package org.stellaops.operator.sources;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.stellaops.crds.v1alpha1.Conditions;
import org.stellaops.crds.v1alpha1.SourceStatus;

/** Status of a sync, success or failure; a failed sync keeps the previous revision in use (Ready stays as it was). */
final class SourceStatuses {
    private SourceStatuses() {
    }

    static SourceStatus synced(SourceStatus previous, Long generation, Sources.Synced s, boolean vex, Instant now) {
        SourceStatus st = new SourceStatus();
        st.observedGeneration = generation;
        st.revision = s.revision();
        if (vex) {
            st.statements = s.count();
        } else {
            st.advisories = s.count();
            st.kev = s.kev();
            st.epss = s.epss();
        }
        st.lastSync = now.toString();
        st.etag = s.etag();
        st.lastModified = s.lastModified();
        st.errors = new ArrayList<>(s.diagnostics().subList(0, Math.min(10, s.diagnostics().size())));
        List<io.fabric8.kubernetes.api.model.Condition> c = previous == null ? null : previous.conditions;
        c = Conditions.set(c, "Synced", true, "Synced", "revision " + s.revision(), generation, now);
        st.conditions = Conditions.set(c, "Ready", true, "RevisionAvailable", counts(s, vex), generation, now);
        return st;
    }

    /** "12 advisories", "0 advisories, 1404 KEV entries", "3 statements". */
    static String counts(Sources.Synced s, boolean vex) {
        StringBuilder b = new StringBuilder().append(s.count()).append(vex ? " statements" : " advisories");
        if (s.kev() != null) {
            b.append(", ").append(s.kev()).append(" KEV entries");
        }
        if (s.epss() != null) {
            b.append(", ").append(s.epss()).append(" EPSS scores");
        }
        return b.toString();
    }

    static SourceStatus failed(SourceStatus previous, Long generation, String error, Instant now) {
        SourceStatus st = new SourceStatus();
        if (previous != null) {
            st.revision = previous.revision;
            st.statements = previous.statements;
            st.advisories = previous.advisories;
            st.kev = previous.kev;
            st.epss = previous.epss;
            st.lastSync = previous.lastSync;
            st.etag = previous.etag;
            st.lastModified = previous.lastModified;
        }
        st.observedGeneration = generation;
        st.errors = new ArrayList<>(List.of(error.length() > 500 ? error.substring(0, 500) : error));
        List<io.fabric8.kubernetes.api.model.Condition> c = previous == null ? null : previous.conditions;
        c = Conditions.set(c, "Synced", false, "SyncFailed", st.errors.get(0), generation, now);
        boolean ready = st.revision != null;
        st.conditions = Conditions.set(c, "Ready", ready, ready ? "PreviousRevisionInUse" : "NoRevision",
                ready ? "sync failed; revision " + st.revision + " stays in use" : "no revision could be synced yet", generation, now);
        return st;
    }

    /** When the next sync is due: at once for a new generation or a never-synced source, else lastSync + interval. */
    static Duration due(SourceStatus status, Long generation, Duration every, Instant now) {
        if (status == null || status.lastSync == null || !java.util.Objects.equals(status.observedGeneration, generation)) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, Instant.parse(status.lastSync).plus(every));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Go-style durations as the CRD allows them: 90s, 15m, 6h, 1h30m. */
    static Duration parse(String s, Duration fallback) {
        if (s == null || s.isBlank()) {
            return fallback;
        }
        Duration d = Duration.ZERO;
        var m = java.util.regex.Pattern.compile("([0-9]+)([smh])").matcher(s);
        while (m.find()) {
            long n = Long.parseLong(m.group(1));
            d = d.plus(switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
        }
        return d.isZero() ? fallback : d;
    }
}
