package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Status of a VexSource or an AdvisoryFeed: what is in use now, and what went wrong last. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SourceStatus {
    public Long observedGeneration;
    /** Content digest of the documents in use; a failed sync keeps the previous one. */
    public String revision;
    public Integer statements;
    public Integer advisories;
    /** Entries of the KEV catalog in use (an AdvisoryFeed holding one). */
    public Integer kev;
    /** CVEs with an EPSS score in use (an AdvisoryFeed holding EPSS scores). */
    public Integer epss;
    public String lastSync;
    public String etag;
    public String lastModified;
    public List<String> errors = new ArrayList<>();
    public List<Condition> conditions = new ArrayList<>();

    @Override
    public boolean equals(Object o) {
        return o instanceof SourceStatus s && Objects.equals(observedGeneration, s.observedGeneration)
                && Objects.equals(revision, s.revision) && Objects.equals(statements, s.statements)
                && Objects.equals(advisories, s.advisories) && Objects.equals(kev, s.kev) && Objects.equals(epss, s.epss)
                && Objects.equals(lastSync, s.lastSync) && Objects.equals(etag, s.etag)
                && Objects.equals(lastModified, s.lastModified) && Objects.equals(errors, s.errors)
                && Objects.equals(conditions, s.conditions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(observedGeneration, revision, statements, advisories);
    }
}
