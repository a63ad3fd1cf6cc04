package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class AdvisoryFeedSpec {
    public enum Type {
        osv, ghsa, nvd, debian, alpine, ubuntu,
        @JsonProperty("redhat-csaf") redhat_csaf,
        kev, epss,
        @JsonProperty("offline-kit") offline_kit
    }

    @Required
    @JsonPropertyDescription("What the documents are; every document is still recognized by its content.")
    public Type type;

    @Required
    public SourceRef source;

    @JsonPropertyDescription("Keep only advisories of these ecosystems (OSV names, e.g. Maven, npm, Debian:12); empty = all.")
    public List<String> ecosystems = new ArrayList<>();

    @JsonPropertyDescription("How often a url source is synced (Go duration, e.g. 6h).")
    @Pattern("^([0-9]+(s|m|h))+$")
    @Default("6h")
    public String schedule;
}
