package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyStatus {
    public Long observedGeneration;
    /** sha256 of the canonical form; what ImageScans and reports name. */
    public String digest;
    public Integer ruleCount;
    public List<Issue> issues = new ArrayList<>();
    public List<Condition> conditions = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Issue {
        public String code;
        public String severity;
        public String path;
        public String message;

        public Issue() {
        }

        public Issue(String code, String severity, String path, String message) {
            this.code = code;
            this.severity = severity;
            this.path = path;
            this.message = message;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Issue i && Objects.equals(code, i.code) && Objects.equals(severity, i.severity)
                    && Objects.equals(path, i.path) && Objects.equals(message, i.message);
        }

        @Override
        public int hashCode() {
            return Objects.hash(code, severity, path, message);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PolicyStatus s && Objects.equals(observedGeneration, s.observedGeneration)
                && Objects.equals(digest, s.digest) && Objects.equals(ruleCount, s.ruleCount) && Objects.equals(issues, s.issues)
                && Objects.equals(conditions, s.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, digest, ruleCount);
    }
}
