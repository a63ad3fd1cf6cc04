package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** What a scan found, in a few hundred bytes: findings live in the report object, never here (etcd stays small). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ImageScanStatus {
    public enum Phase { Pending, Resolving, Analyzing, Evaluating, Completed, Failed }

    public Long observedGeneration;
    public Phase phase;
    public String message;
    @PrinterColumn(name = "Digest", priority = 0)
    public String imageDigest;
    public List<Layer> layers;
    public Sbom sbom;
    public Summary summary;
    @PrinterColumn(name = "Verdict", priority = 0)
    public String verdict;
    public String policyDigest;
    public Report report;
    public Inputs inputs;
    public List<Condition> conditions = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Layer {
        public String digest;
        public Long size;
        public Boolean cached;
        public String jobName;
        public Integer attempts;

        public Layer() {
        }

        public Layer(String digest, Long size, Boolean cached, String jobName, Integer attempts) {
            this.digest = digest;
            this.size = size;
            this.cached = cached;
            this.jobName = jobName;
            this.attempts = attempts;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Layer l && Objects.equals(digest, l.digest) && Objects.equals(size, l.size)
                    && Objects.equals(cached, l.cached) && Objects.equals(jobName, l.jobName) && Objects.equals(attempts, l.attempts);
        }

        @Override
        public int hashCode() {
            return Objects.hash(digest, size, cached, jobName, attempts);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Sbom {
        /** format → object key */
        public Map<String, String> keys;
        public Integer components;

        @Override
        public boolean equals(Object o) {
            return o instanceof Sbom s && Objects.equals(keys, s.keys) && Objects.equals(components, s.components);
        }

        @Override
        public int hashCode() {
            return Objects.hash(keys, components);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Summary {
        @PrinterColumn(name = "Critical", priority = 0)
        public Integer critical;
        @PrinterColumn(name = "High", priority = 0)
        public Integer high;
        public Integer medium;
        public Integer low;
        public Integer unknown;
        public Integer suppressedByVex;
        public Integer waived;
        public Integer findings;

        @Override
        public boolean equals(Object o) {
            return o instanceof Summary s && Objects.equals(critical, s.critical) && Objects.equals(high, s.high)
                    && Objects.equals(medium, s.medium) && Objects.equals(low, s.low) && Objects.equals(unknown, s.unknown)
                    && Objects.equals(suppressedByVex, s.suppressedByVex) && Objects.equals(waived, s.waived)
                    && Objects.equals(findings, s.findings);
        }

        @Override
        public int hashCode() {
            return Objects.hash(critical, high, medium, low, unknown, suppressedByVex, waived, findings);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Report {
        public String key;
        public String sha256;

        @Override
        public boolean equals(Object o) {
            return o instanceof Report r && Objects.equals(key, r.key) && Objects.equals(sha256, r.sha256);
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, sha256);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Inputs {
        public String advisoryRevision;
        public String vexRevision;
        public String policyRevision;
        /** The UTC day (ISO date) the verdict was judged on: waivers with {@code until} expire by day. */
        public String asOf;

        @Override
        public boolean equals(Object o) {
            return o instanceof Inputs i && Objects.equals(advisoryRevision, i.advisoryRevision)
                    && Objects.equals(vexRevision, i.vexRevision) && Objects.equals(policyRevision, i.policyRevision)
                    && Objects.equals(asOf, i.asOf);
        }

        @Override
        public int hashCode() {
            return Objects.hash(advisoryRevision, vexRevision, policyRevision, asOf);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageScanStatus s && Objects.equals(observedGeneration, s.observedGeneration) && phase == s.phase
                && Objects.equals(message, s.message) && Objects.equals(imageDigest, s.imageDigest)
                && Objects.equals(layers, s.layers) && Objects.equals(sbom, s.sbom) && Objects.equals(summary, s.summary)
                && Objects.equals(verdict, s.verdict) && Objects.equals(policyDigest, s.policyDigest)
                && Objects.equals(report, s.report) && Objects.equals(inputs, s.inputs) && Objects.equals(conditions, s.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, phase, imageDigest, verdict);
    }
}
