package org.stellaops.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/**
 * The policy DSL of docs (version "1.0", rules with matchers and an action). Matchers and action are kept as given
 * (preserve-unknown-fields) and linted by the same code as {@code stella policy lint}: the operator reports what is
 * wrong in status instead of the API server refusing the object with a schema error a user cannot map to the DSL.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicySpec {
    @Required
    @JsonPropertyDescription("DSL version; \"1.0\".")
    public String version;

    @JsonPropertyDescription("Rules in order; the first matching rule decides. See docs for matchers and actions.")
    @PreserveUnknownFields
    public List<JsonNode> rules = new ArrayList<>();

    @JsonPropertyDescription("What gaps in the advisory data do: {uncovered: warn|fail, allow: [patterns]}. See docs.")
    @PreserveUnknownFields
    public JsonNode coverage;

    @JsonPropertyDescription("How the admission webhook enforces this Policy (absent: not used for admission). "
            + "Not part of the policy digest: it changes no verdict.")
    public PolicyAdmission admission;
}
