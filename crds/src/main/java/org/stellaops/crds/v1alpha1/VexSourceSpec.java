package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class VexSourceSpec {
    public enum Format { auto, openvex, csaf, cyclonedx }

    @Default("auto")
    public Format format;

    @Required
    public SourceRef source;

    @JsonPropertyDescription("How much this issuer is trusted (0..1); below 0.5 its statements are ignored.")
    @Min(0)
    @Max(1)
    @Default("1")
    public Double trust;

    @JsonPropertyDescription("Issuer (vendor) name the policy's vendors matcher sees; default: the document's author.")
    public String vendor;

    @JsonPropertyDescription("How often a url source is fetched again (Go duration, e.g. 1h).")
    @Pattern("^([0-9]+(s|m|h))+$")
    @Default("6h")
    public String refreshInterval;
}
