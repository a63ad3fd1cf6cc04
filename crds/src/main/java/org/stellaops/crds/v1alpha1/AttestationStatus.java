package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AttestationStatus {
    public Long observedGeneration;
    public String imageDigest;
    /** The scan outputs signed (report sha256 and SBOM keys, digested): a re-evaluated scan is signed again. */
    public String inputsDigest;
    public List<Envelope> envelopes = new ArrayList<>();
    public Boolean verified;
    public List<Condition> conditions = new ArrayList<>();

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Envelope {
        public String predicateType;
        /** Object key of the bundle (attest/&lt;sha256&gt;.dsse.json). */
        public String key;
        public String sha256;
        public Long rekorLogIndex;
        public String referrer;

        @Override
        public boolean equals(Object o) {
            return o instanceof Envelope e && Objects.equals(predicateType, e.predicateType) && Objects.equals(key, e.key)
                    && Objects.equals(sha256, e.sha256) && Objects.equals(rekorLogIndex, e.rekorLogIndex)
                    && Objects.equals(referrer, e.referrer);
        }

        @Override
        public int hashCode() {
            return Objects.hash(predicateType, key, sha256);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AttestationStatus s && Objects.equals(observedGeneration, s.observedGeneration)
                && Objects.equals(imageDigest, s.imageDigest) && Objects.equals(inputsDigest, s.inputsDigest)
                && Objects.equals(envelopes, s.envelopes)
                && Objects.equals(verified, s.verified) && Objects.equals(conditions, s.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, imageDigest, verified);
    }
}
